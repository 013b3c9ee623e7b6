import type { Mail } from './job-types.ts'

const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null)

/** The invitation a new person gets. */
export function invitationMail(
  payload: Readonly<Record<string, unknown>>,
  appUrl: string | null,
): Mail {
  const name = text(payload['name'])
  const link = appUrl === null ? '' : `\n\nSign in: ${appUrl}\n`
  return {
    to: [String(payload['email'])],
    subject: 'You are invited',
    text: `Hello${name === null ? '' : ` ${name}`},\n\nan account was created for you: you are invited to join.${link}\n`,
  }
}

const TOPICS: Readonly<Record<string, (p: Readonly<Record<string, unknown>>) => Omit<Mail, 'to'>>> =
  {
    quarantined: (p) => ({
      subject: `hris-sync: connection "${String(p['connection'])}" is quarantined`,
      text: `The connection "${String(p['connection'])}" failed ${String(p['failures'])} times in a row (last: ${String(p['message'])}). Its scheduled runs are slowed down until a run succeeds, or until it is cleared with "hris-sync quarantine clear".`,
    }),
    approval_needed: (p) => ({
      subject: `hris-sync: a plan of "${String(p['connection'])}" needs approval`,
      text: `A sync of "${String(p['connection'])}" made a plan the safety rules hold (plan ${String(p['planId'])}). Read it, then approve it ("hris-sync approve ${String(p['planId'])}") or reject it ("hris-sync reject ${String(p['planId'])}"). Scheduled syncs of this connection wait until then.`,
    }),
    credentials_invalid: (p) => ({
      subject: `hris-sync: the credentials of "${String(p['connection'])}" were refused`,
      text: `The HR system refused the credentials of "${String(p['connection'])}" (${String(p['message'])}). Scheduled syncs are stopped until new credentials are stored ("hris-sync connect").`,
    }),
  }

/** A notification to the workspace's admins. */
export function notificationMail(
  payload: Readonly<Record<string, unknown>>,
  appUrl: string | null,
): Omit<Mail, 'to'> {
  const topic = TOPICS[String(payload['topic'])]
  const mail = topic
    ? topic(payload)
    : { subject: 'hris-sync notification', text: JSON.stringify(payload) }
  return appUrl === null ? mail : { ...mail, text: `${mail.text}\n\n${appUrl}\n` }
}
