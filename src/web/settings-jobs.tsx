import { useState } from 'react'

import { api, ws } from './api.ts'
import type { Notifications, Webhook, WebhookDelivery } from './api-types.ts'
import { useConsole } from './app.tsx'
import { Empty, ErrorBox, Notice, TextField, formatTime, useLoad } from './ui.tsx'
import { useAction } from './use-action.ts'

const EVENTS = [
  { kind: 'person.created', label: 'A person is created' },
  { kind: 'person.updated', label: 'A person is updated' },
  { kind: 'person.left', label: 'A person leaves' },
  { kind: 'run.completed', label: 'A sync run ends' },
] as const

const DELIVERY: Readonly<Record<WebhookDelivery['status'], string>> = {
  pending: 'Waiting (tried again later)',
  delivering: 'Being delivered',
  delivered: 'Delivered',
  failed: 'Given up',
}

/** Webhook endpoints: add one (its signing secret shown once), remove one, read its deliveries. */
export function Webhooks() {
  const { workspace } = useConsole()
  const list = useLoad(
    () => api.get<{ webhooks: Webhook[] }>(ws(workspace.id, '/webhooks')),
    [workspace.id],
  )
  const [url, setUrl] = useState('')
  const [events, setEvents] = useState<ReadonlySet<string>>(new Set(EVENTS.map((e) => e.kind)))
  const [made, setMade] = useState<{ url: string; secret: string } | null>(null)
  const [open, setOpen] = useState<string | null>(null)
  const action = useAction()
  const webhooks = list.data?.webhooks ?? []
  return (
    <section aria-labelledby="webhooks-title">
      <h2 id="webhooks-title">Webhooks</h2>
      <p className="muted">
        Events are POSTed as JSON <code>{'{ id, type, createdAt, data }'}</code>, signed in{' '}
        <code>X-Hris-Sync-Signature: t=…,v1=…</code> (HMAC-SHA256 of <code>t.body</code> with the
        endpoint’s secret), and tried again with backoff until your endpoint answers 2xx.
      </p>
      <ErrorBox error={list.error} />
      {list.data !== null && webhooks.length === 0 && <Empty title="No webhooks." />}
      {webhooks.length > 0 && (
        <table>
          <caption className="visually-hidden">Webhooks</caption>
          <thead>
            <tr>
              <th scope="col">URL</th>
              <th scope="col">Events</th>
              <th scope="col">Added</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {webhooks.map((w) => (
              <tr key={w.id}>
                <th scope="row">
                  <code>{w.url}</code>
                </th>
                <td>{w.events.includes('*') ? 'All' : w.events.join(', ')}</td>
                <td>{formatTime(w.createdAt)}</td>
                <td>
                  <button
                    type="button"
                    className="link"
                    aria-expanded={open === w.id}
                    onClick={() => {
                      setOpen(open === w.id ? null : w.id)
                    }}
                  >
                    Deliveries
                  </button>{' '}
                  <button
                    type="button"
                    className="link"
                    onClick={() => {
                      action.run(async () => {
                        await api.delete(ws(workspace.id, `/webhooks/${w.id}`))
                        if (open === w.id) setOpen(null)
                        list.reload()
                        return `Webhook ${w.url} removed.`
                      })
                    }}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open !== null && <Deliveries webhook={webhooks.find((w) => w.id === open) ?? null} />}
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault()
          action.run(async () => {
            const r = await api.post<{ webhook: Webhook; secret: string }>(
              ws(workspace.id, '/webhooks'),
              { url, events: events.size === EVENTS.length ? ['*'] : [...events] },
            )
            setMade({ url: r.webhook.url, secret: r.secret })
            setUrl('')
            list.reload()
            return 'Webhook added.'
          })
        }}
      >
        <h3>Add a webhook</h3>
        <TextField
          id="webhook-url"
          label="Endpoint URL"
          type="text"
          required
          placeholder="https://app.example/hooks/hris-sync"
          value={url}
          onChange={setUrl}
        />
        <p className="muted">
          An https:// address on the internet: addresses inside a network (localhost, 10.…,
          192.168.…, 169.254.…) are refused, unless the server allows them.
        </p>
        <fieldset>
          <legend>Send</legend>
          {EVENTS.map((e) => (
            <div className="field checkbox" key={e.kind}>
              <input
                type="checkbox"
                id={`webhook-${e.kind}`}
                checked={events.has(e.kind)}
                onChange={(ev) => {
                  const next = new Set(events)
                  if (ev.target.checked) next.add(e.kind)
                  else next.delete(e.kind)
                  setEvents(next)
                }}
              />
              <label htmlFor={`webhook-${e.kind}`}>
                {e.label} <code>{e.kind}</code>
              </label>
            </div>
          ))}
        </fieldset>
        <button type="submit" disabled={action.state.busy || events.size === 0}>
          Add webhook
        </button>
      </form>
      {made !== null && (
        <div className="box ok" role="status">
          <p>The signing secret of {made.url}. Copy it now: it is not shown again.</p>
          <code className="token">{made.secret}</code>
        </div>
      )}
      <ErrorBox error={action.state.error} />
      {action.state.done !== null && made === null && <Notice>{action.state.done}</Notice>}
    </section>
  )
}

/** The delivery log of one endpoint, newest first. */
function Deliveries(props: { webhook: Webhook | null }) {
  const { workspace } = useConsole()
  const id = props.webhook?.id ?? ''
  const log = useLoad(
    () =>
      api.get<{ deliveries: WebhookDelivery[] }>(ws(workspace.id, `/webhooks/${id}/deliveries`)),
    [workspace.id, id],
  )
  if (props.webhook === null) return null
  const deliveries = log.data?.deliveries ?? []
  return (
    <section aria-labelledby="deliveries-title">
      <h3 id="deliveries-title">
        Deliveries to <code>{props.webhook.url}</code>
      </h3>
      <ErrorBox error={log.error} />
      <button type="button" onClick={log.reload} disabled={log.loading}>
        Refresh
      </button>
      {log.data !== null && deliveries.length === 0 && <Empty title="Nothing sent yet." />}
      {deliveries.length > 0 && (
        <table>
          <caption className="visually-hidden">Deliveries</caption>
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Created</th>
              <th scope="col">Status</th>
              <th scope="col">Tries</th>
              <th scope="col">Delivered, or next try</th>
            </tr>
          </thead>
          <tbody>
            {deliveries.map((d) => (
              <tr key={d.id}>
                <th scope="row">
                  {d.kind}
                  <div className="small muted">{d.eventId}</div>
                </th>
                <td>{formatTime(d.createdAt)}</td>
                <td>
                  <span
                    className={`badge ${d.status === 'delivered' ? 'applied' : d.status === 'failed' ? 'failed' : 'warn'}`}
                  >
                    {DELIVERY[d.status]}
                  </span>
                </td>
                <td>
                  <ol className="tries">
                    {d.tries.map((t, i) => (
                      <li key={i}>
                        {formatTime(t.at)}:{' '}
                        {t.responseStatus === null
                          ? 'no answer'
                          : `HTTP ${String(t.responseStatus)}`}
                        {t.error !== null && <span className="small muted"> ({t.error})</span>}
                      </li>
                    ))}
                  </ol>
                </td>
                <td>{formatTime(d.deliveredAt ?? d.nextAttemptAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

/** Who is mailed when a connection is quarantined, a plan waits, or credentials are refused. */
export function NotificationRecipients() {
  const { workspace } = useConsole()
  const path = ws(workspace.id, '/notifications')
  const loaded = useLoad(() => api.get<Notifications>(path), [path])
  const [email, setEmail] = useState('')
  const action = useAction()
  const data = loaded.data
  const put = (recipients: string[], done: string) => {
    action.run(async () => {
      await api.put<Notifications>(path, { recipients })
      loaded.reload()
      return done
    })
  }
  return (
    <section aria-labelledby="notifications-title">
      <h2 id="notifications-title">Notifications</h2>
      <p className="muted">
        Mailed when a connection is quarantined, a plan needs approval, or the HR system refuses the
        credentials (the workers send them over <code>SMTP_URL</code>).
      </p>
      <ErrorBox error={loaded.error} />
      {data !== null && (
        <ul aria-label="Notified">
          {data.admins.map((a) => (
            <li key={`admin-${a}`}>
              {a} <span className="muted small">(admin)</span>
            </li>
          ))}
          {data.recipients.map((r) => (
            <li key={r}>
              {r}{' '}
              <button
                type="button"
                className="link"
                aria-label={`Stop notifying ${r}`}
                onClick={() => {
                  put(
                    data.recipients.filter((x) => x !== r),
                    `${r} is no longer notified.`,
                  )
                }}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault()
          if (data === null) return
          put([...data.recipients, email], `${email} is notified too.`)
          setEmail('')
        }}
      >
        <div className="field inline">
          <label htmlFor="notify-email">Notify someone else too</label>
          <input
            id="notify-email"
            type="email"
            required
            value={email}
            onChange={(e) => {
              setEmail(e.target.value)
            }}
          />
          <button type="submit" disabled={action.state.busy || data === null}>
            Add
          </button>
        </div>
      </form>
      <ErrorBox error={action.state.error} />
      {action.state.done !== null && <Notice>{action.state.done}</Notice>}
    </section>
  )
}
