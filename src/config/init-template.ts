/** The connectors `hris-sync init` writes a file for. */
export const INIT_CONNECTORS = ['file', 'personio', 'bamboohr'] as const
export type InitConnector = (typeof INIT_CONNECTORS)[number]

const SOURCES: Readonly<Record<InitConnector, string>> = {
  file: `    connector: file
    # A CSV or XLSX export of your HR system, relative to this file.
    path: ./employees.csv`,
  personio: `    connector: personio
    # API credentials from Personio (Settings > Integrations > API credentials > Create
    # custom integration; give it read access to Employees and Org Units, and the employee
    # attributes to sync: at least Email, First name, Last name, Hire date, Termination date,
    # Status). Never write the values here: set these environment variables, or delete the two
    # lines and store the credentials with "hris-sync connect".
    clientId: \${PERSONIO_CLIENT_ID}
    clientSecret: \${PERSONIO_CLIENT_SECRET}
    # Sent to Personio as X-Personio-App-ID: names this integration in Personio's logs.
    appId: hris-sync
    # v1 (default) reads 100 employees a request with departments, offices and teams by name;
    # v2 reads 50 persons a request plus one request per person, org units by id only.
    apiVersion: v1`,
  bamboohr: `    connector: bamboohr
    # Your BambooHR domain: acme for acme.bamboohr.com, as "Your BambooHR URL" shows it
    # (Settings > Account > Account Info).
    companyDomain: \${BAMBOOHR_COMPANY_DOMAIN}
    # An API key (in BambooHR: your name > API Keys > Add New Key), of a user who may see every
    # employee and the fields to sync. Never write the key here: set this environment variable,
    # or delete the line and store the key with "hris-sync connect".
    apiKey: \${BAMBOOHR_API_KEY}`,
}

/** The sync-if section of each connector's file: a commented example, or its default filter. */
const FILTERS: Readonly<Record<InitConnector, string>> = {
  file: '',
  personio: '',
  bamboohr: `# BambooHR syncs only employees who have a hire date (records entered before someone's start is
# known stay out). Change it like any filter, or write "filter: null" to sync everyone.
filter: { field: hireDate, op: exists }
`,
}

/**
 * The text of a commented `hris-sync.yaml` for `connector`, as `hris-sync init` writes it: every
 * section with a line of help, secrets as `${ENV}` references, the sync-if filter as a
 * commented-out example. `schemaPath` (default `./hris-sync.schema.json`) is where the editor
 * finds the JSON Schema.
 */
export function initTemplate(options: {
  readonly connector: InitConnector
  readonly schemaPath?: string
  /** The lines under `source:` in place of the connector's template (the sandbox's own). */
  readonly source?: string
  /** The connection's name; default `default`. */
  readonly name?: string
  /** A comment on top of the file. */
  readonly heading?: string
}): string {
  const schemaPath = options.schemaPath ?? './hris-sync.schema.json'
  const heading =
    options.heading === undefined ? '' : `#\n${options.heading.replace(/^/gm, '# ')}\n`
  return `# yaml-language-server: $schema=${schemaPath}
#
# hris-sync: keeps the people of your application in step with your HR system.
# Only connection.source is required: every other section has a default. "\${NAME}" reads the
# environment variable NAME ($\${ is a literal \${). Editors with a YAML extension check this file.
${heading}
# The workspace (tenant) this connection belongs to.
workspace: default

connection:
  # A name for this connection, unique in the workspace.
  name: ${options.name ?? 'default'}
  # Where employees come from.
  source:
${options.source ?? SOURCES[options.connector]}

# Which fields of a person are synced, and from where. Only the fields listed here are synced;
# delete this section to use the built-in mapping (names, emails, phones, job data and dates).
# Each field reads "from" an employee field (or a "template" or a "const") and then applies
# "transforms" in order. owner: hris (default) means the HR system wins on every sync; owner: app
# sets the field when the person is created and leaves later edits alone.
mapping:
  firstName: { from: firstName, transforms: [{ op: trim }] }
  lastName: { from: lastName, transforms: [{ op: trim }] }
  displayName: { transforms: [{ op: name_format, format: first_last }] }
  email: { from: workEmail, transforms: [{ op: trim }, { op: lower }] }
  # Phone numbers as +49…; defaultCountry is for numbers written without a country code.
  phone: { from: mobilePhone, transforms: [{ op: phone_e164, defaultCountry: DE }] }
  jobTitle: { from: position }
  department: { from: department }
  hireDate: { from: hireDate }
  terminationDate: { from: terminationDate }

# How an employee is recognized among the people who already exist, tried in order:
# work_email, employee_number, personal_email, name (names repeat: use with care), or a custom
# field ({ custom: <key> }).
identifiers:
  - work_email
  - employee_number

# Sync only some employees ("sync-if"). Without a filter, everyone is synced. For example, only
# active employees of two legal entities:
# filter:
#   all:
#     - { field: status, op: eq, value: active }
#     - { field: legalEntity, op: in, value: [Acme GmbH, Acme Ltd] }
${FILTERS[options.connector]}
# What a sync may do besides updating fields.
policy:
  # Employees who left before their first sync: skip them, or create_as_leaver.
  terminatedNeverImported: skip
  # The group leavers are moved to; null for none.
  leaverGroup: Ex-employees
  # A sync that would make more than this share of people leavers (0.2 = 20%) waits for approval.
  leaverThreshold: 0.2
  # One team per department; people move with their department.
  teamsFromDepartments: true
  # A person's manager is their supervisor in the HR system.
  managersFromSupervisors: true
  # Send new people an invitation when they are created.
  inviteNewPeople: false

# The time zone that decides when a termination date has passed (e.g. Europe/Berlin).
timeZone: UTC

# When syncs run on their own (cron: minute hour day-of-month month day-of-week, in timeZone).
schedule:
  # false: syncs run only when started by hand.
  enabled: false
  # Read what changed since the last run (every 15 minutes).
  incremental: '*/15 * * * *'
  # Read every employee (daily at 03:00); only a full read finds people who disappeared.
  full: '0 3 * * *'
`
}
