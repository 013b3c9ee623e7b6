import { useState } from 'react'

import { api, ws } from './api.ts'
import type { ApiToken, Member } from './api-types.ts'
import { useConsole } from './app.tsx'
import { NotificationRecipients, Webhooks } from './settings-jobs.tsx'
import { useAction } from './use-action.ts'
import {
  Empty,
  ErrorBox,
  Loading,
  Notice,
  PageTitle,
  TextField,
  formatTime,
  useLoad,
} from './ui.tsx'

/** Settings: members, API tokens, webhooks and notifications (admins), your password. */
export function SettingsScreen() {
  const { workspace } = useConsole()
  return (
    <section>
      <PageTitle sub={`Workspace ${workspace.name}`}>Settings</PageTitle>
      {workspace.role === 'admin' ? (
        <>
          <Members />
          <Tokens />
          <Webhooks />
          <NotificationRecipients />
        </>
      ) : (
        <p>
          Only an admin of this workspace manages its members, API tokens, webhooks and
          notifications.
        </p>
      )}
      <ChangePassword />
      <p>
        The API reference: <a href="/api/docs">/api/docs</a> (OpenAPI document at{' '}
        <a href="/api/openapi.json">/api/openapi.json</a>).
      </p>
    </section>
  )
}

function Members() {
  const { workspace, session } = useConsole()
  const members = useLoad(
    () => api.get<{ members: Member[] }>(ws(workspace.id, '/members')),
    [workspace.id],
  )
  const [form, setForm] = useState({ email: '', name: '', password: '', role: 'member' })
  const action = useAction()
  return (
    <section aria-labelledby="members-title">
      <h2 id="members-title">Members</h2>
      <ErrorBox error={members.error} />
      {members.loading && members.data === null && <Loading label="Loading members…" />}
      {members.data !== null && (
        <table>
          <caption className="visually-hidden">Members</caption>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {members.data.members.map((m) => (
              <tr key={m.id}>
                <th scope="row">{m.email}</th>
                <td>{m.name}</td>
                <td>{m.role}</td>
                <td>
                  {m.id !== session.user.id && (
                    <button
                      type="button"
                      className="link"
                      onClick={() => {
                        action.run(async () => {
                          await api.delete(ws(workspace.id, `/members/${m.id}`))
                          members.reload()
                          return `${m.email} removed.`
                        })
                      }}
                    >
                      Remove
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault()
          action.run(async () => {
            await api.post(ws(workspace.id, '/members'), {
              email: form.email,
              ...(form.name === '' ? {} : { name: form.name }),
              ...(form.password === '' ? {} : { password: form.password }),
              role: form.role,
            })
            setForm({ email: '', name: '', password: '', role: 'member' })
            members.reload()
            return 'Member added.'
          })
        }}
      >
        <h3>Add a member</h3>
        {(
          [
            ['email', 'Email', 'email'],
            ['name', 'Name', 'text'],
            ['password', 'Password (for a new account, 10+ characters)', 'password'],
          ] as const
        ).map(([key, label, type]) => (
          <TextField
            key={key}
            id={`member-${key}`}
            label={label}
            type={type}
            required={key === 'email'}
            autoComplete={type === 'password' ? 'new-password' : 'off'}
            value={form[key]}
            onChange={(value) => {
              setForm({ ...form, [key]: value })
            }}
          />
        ))}
        <div className="field">
          <label htmlFor="member-role">Role</label>
          <select
            id="member-role"
            value={form.role}
            onChange={(e) => {
              setForm({ ...form, role: e.target.value })
            }}
          >
            <option value="member">Member</option>
            <option value="admin">Admin (manages members and tokens)</option>
          </select>
        </div>
        <button type="submit" disabled={action.state.busy}>
          Add member
        </button>
      </form>
      <ErrorBox error={action.state.error} />
      {action.state.done !== null && <Notice>{action.state.done}</Notice>}
    </section>
  )
}

function Tokens() {
  const { workspace } = useConsole()
  const tokens = useLoad(
    () => api.get<{ tokens: ApiToken[] }>(ws(workspace.id, '/tokens')),
    [workspace.id],
  )
  const [name, setName] = useState('')
  const [made, setMade] = useState<string | null>(null)
  const action = useAction()
  return (
    <section aria-labelledby="tokens-title">
      <h2 id="tokens-title">API tokens</h2>
      <p className="muted">
        For scripts and other systems: send as <code>Authorization: Bearer hst_…</code>. A token
        works in this workspace only and is shown once.
      </p>
      <ErrorBox error={tokens.error} />
      {tokens.data !== null && tokens.data.tokens.length === 0 && <Empty title="No API tokens." />}
      {tokens.data !== null && tokens.data.tokens.length > 0 && (
        <table>
          <caption className="visually-hidden">API tokens</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Token</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.data.tokens.map((t) => (
              <tr key={t.id}>
                <th scope="row">{t.name}</th>
                <td>
                  <code>{t.prefix}…</code>
                </td>
                <td>{formatTime(t.createdAt)}</td>
                <td>{formatTime(t.lastUsedAt)}</td>
                <td>
                  <button
                    type="button"
                    className="link"
                    onClick={() => {
                      action.run(async () => {
                        await api.delete(ws(workspace.id, `/tokens/${t.id}`))
                        tokens.reload()
                        return `Token ${t.name} revoked.`
                      })
                    }}
                  >
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault()
          action.run(async () => {
            const r = await api.post<{ token: string }>(ws(workspace.id, '/tokens'), { name })
            setMade(r.token)
            setName('')
            tokens.reload()
            return 'Token created.'
          })
        }}
      >
        <div className="field inline">
          <label htmlFor="token-name">New token’s name</label>
          <input
            id="token-name"
            required
            value={name}
            onChange={(e) => {
              setName(e.target.value)
            }}
          />
          <button type="submit" disabled={action.state.busy}>
            Create token
          </button>
        </div>
      </form>
      {made !== null && (
        <div className="box ok" role="status">
          <p>Copy it now: it is not shown again.</p>
          <code className="token">{made}</code>
        </div>
      )}
      <ErrorBox error={action.state.error} />
    </section>
  )
}

function ChangePassword() {
  const [current, setCurrent] = useState('')
  const [password, setPassword] = useState('')
  const action = useAction()
  return (
    <section aria-labelledby="password-title">
      <h2 id="password-title">Your password</h2>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault()
          action.run(async () => {
            await api.put('/auth/password', { current, password })
            setCurrent('')
            setPassword('')
            return 'Password changed; your other sessions were signed out.'
          })
        }}
      >
        <TextField
          id="pw-current"
          label="Current password"
          type="password"
          autoComplete="current-password"
          required
          value={current}
          onChange={setCurrent}
        />
        <TextField
          id="pw-new"
          label="New password (10+ characters)"
          type="password"
          autoComplete="new-password"
          minLength={10}
          required
          value={password}
          onChange={setPassword}
        />
        <button type="submit" disabled={action.state.busy}>
          Change password
        </button>
      </form>
      <ErrorBox error={action.state.error} />
      {action.state.done !== null && <Notice>{action.state.done}</Notice>}
    </section>
  )
}
