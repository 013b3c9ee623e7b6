// Words the console shows for the API's stable codes.

export const CONNECTOR_LABELS: Readonly<Record<string, string>> = {
  personio: 'Personio',
  bamboohr: 'BambooHR',
  file: 'CSV or XLSX file',
}

export const connectorLabel = (id: string) => CONNECTOR_LABELS[id] ?? id

/** "Where do I find these?", from the HR systems' own help, per connector. */
export const CONNECTOR_HELP: Readonly<Record<string, { steps: string[]; note?: string }>> = {
  personio: {
    steps: [
      'In Personio, open Settings (bottom left) → Integrations → API credentials.',
      'Click “Create custom integration”, name it (e.g. “hris-sync”) and click Next.',
      'Grant read access to Employees and Org Units.',
      'Under “Readable employee attributes” select at least Email, First name and Last name; also Hire date, Termination date and Status (to tag leavers), Supervisor and Department (managers and teams), and any custom attributes you want to sync.',
      'Click “Create integration” and copy the Client ID and Client Secret into the fields here.',
    ],
    note: 'You need Administrator rights in Personio: without them there is no Settings gear. Creating new credentials can invalidate older ones.',
  },
  bamboohr: {
    steps: [
      'Your company domain is in Settings → Account → Account Info, under “Your BambooHR URL” (the part before .bamboohr.com).',
      'For the API key, click your name (top right) → API Keys → Add New Key, name it (e.g. “hris-sync”), then Generate Key → Copy Key.',
    ],
    note: 'A new BambooHR connection syncs only employees who have a hire date: its sync-if condition “hire date has a value”, under Configure, where you can change or remove it.',
  },
  file: {
    steps: [
      'Export your people from the HR system as CSV (UTF-8; , ; or tab) or XLSX.',
      'One header row, one employee per row, with an employee id column. Columns are found by name (First name, E-mail, Department, Supervisor ID, Hire date…); other columns become custom fields.',
      'Dates as YYYY-MM-DD, or say the date format under More settings.',
    ],
  },
}

export const REASONS: Readonly<Record<string, string>> = {
  new_in_source: 'New in the HR system',
  fields_changed: 'Fields changed',
  linked: 'Matched an existing person',
  termination_scheduled: 'Termination date set (in the future)',
  terminated_in_source: 'Terminated in the HR system',
  missing_from_source: 'No longer in the HR system',
  rehired: 'Rehired',
  up_to_date: 'Up to date',
  filtered_out: 'Left out by a sync-if condition',
  invalid_record: 'Invalid record',
  ambiguous_match: 'Several people match',
  conflicting_match: 'Claimed by two employees',
  duplicate_identifier: 'Identifier or email held by someone else',
  terminated_never_imported: 'Left before ever being synced',
  incomplete_read: 'The read was incomplete',
  new_department: 'New department',
  department_renamed: 'Department renamed',
  department_changed: 'Department changed',
  left_company: 'Left the company',
  supervisor_changed: 'Supervisor changed',
}

export const reasonText = (reason: string) => REASONS[reason] ?? reason.replaceAll('_', ' ')

export const ACTIONS: Readonly<Record<string, string>> = {
  create: 'Create',
  update: 'Update',
  mark_leaver: 'Mark as leaver',
  reactivate: 'Reactivate',
  noop: 'No change',
  skip: 'Skip',
  join: 'Join team',
  leave: 'Leave team',
}

export const STATES: Readonly<Record<string, string>> = {
  queued: 'Queued',
  reading: 'Reading',
  planned: 'Ready to sync',
  awaiting_approval: 'Needs approval',
  applying: 'Syncing',
  succeeded: 'Done',
  failed: 'Failed',
  cancelled: 'Replaced by a newer preview',
}

export const IDENTIFIERS: Readonly<Record<string, string>> = {
  work_email: 'Work email',
  employee_number: 'Employee number',
  personal_email: 'Personal email',
  name: 'Name (first and last)',
}

export const NAME_FORMATS: Readonly<Record<string, string>> = {
  first_last: 'First Last (Ada Lovelace)',
  last_first: 'Last First (Lovelace Ada)',
  last_comma_first: 'Last, First (Lovelace, Ada)',
}

export const FILTER_OPS: Readonly<Record<string, string>> = {
  eq: 'is',
  neq: 'is not',
  in: 'is one of',
  not_in: 'is none of',
  exists: 'has a value',
  not_exists: 'has no value',
  before: 'is before',
  after: 'is after',
  contains: 'contains',
}

/** The reasons a skip is a conflict to resolve rather than a choice. */
export const CONFLICT_REASONS = ['ambiguous_match', 'conflicting_match', 'duplicate_identifier']
