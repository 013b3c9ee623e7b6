import { api, ws } from './api.ts'
import type { Invitation } from './api-types.ts'
import { useConsole } from './app.tsx'
import { ErrorBox, Notice, formatTime, useLoad } from './ui.tsx'
import { useAction } from './use-action.ts'

const STATUS: Readonly<Record<Invitation['status'], string>> = {
  pending: 'Waiting to be sent',
  sending: 'Being sent',
  sent: 'Sent',
  failed: 'Not sent',
}

/** A person's invitations, how each went, and "Resend invitation". */
export function InvitationsPanel(props: {
  personId: string
  /** Why none can be sent (a leaver, no email); null: one can. */
  cannot: string | null
  onChanged: () => void
}) {
  const { workspace } = useConsole()
  const path = ws(workspace.id, `/people/${props.personId}/invitations`)
  const list = useLoad(() => api.get<{ invitations: Invitation[] }>(path), [path])
  const action = useAction()
  const invitations = list.data?.invitations ?? []
  return (
    <section aria-labelledby="invitations-title">
      <h2 id="invitations-title">Invitations</h2>
      <ErrorBox error={list.error} />
      {list.data !== null && invitations.length === 0 && (
        <p className="muted">No invitation was sent to this person.</p>
      )}
      {invitations.length > 0 && (
        <table>
          <caption className="visually-hidden">Invitations</caption>
          <thead>
            <tr>
              <th scope="col">Queued</th>
              <th scope="col">To</th>
              <th scope="col">Status</th>
              <th scope="col">Sent</th>
              <th scope="col">By</th>
            </tr>
          </thead>
          <tbody>
            {invitations.map((i) => (
              <tr key={i.id}>
                <th scope="row">{formatTime(i.createdAt)}</th>
                <td>{i.email ?? '—'}</td>
                <td>
                  <span
                    className={`badge ${i.status === 'failed' ? 'failed' : i.status === 'sent' ? 'applied' : 'pending'}`}
                  >
                    {STATUS[i.status]}
                  </span>
                  {i.lastError !== null && <div className="small muted">{i.lastError}</div>}
                </td>
                <td>{formatTime(i.sentAt)}</td>
                <td>{i.resentBy ?? 'Sync'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="actions">
        <button
          type="button"
          disabled={action.state.busy || props.cannot !== null}
          title={props.cannot ?? undefined}
          onClick={() => {
            action.run(async () => {
              const made = await api.post<{ invitation: Invitation }>(path)
              list.reload()
              props.onChanged()
              return `A new invitation to ${made.invitation.email ?? 'this person'} is on its way.`
            })
          }}
        >
          Resend invitation
        </button>
        {props.cannot !== null && <span className="muted small">{props.cannot}</span>}
      </div>
      <ErrorBox error={action.state.error} title="No invitation sent." />
      {action.state.done !== null && <Notice>{action.state.done}</Notice>}
    </section>
  )
}
