import { useState } from 'react'

import { api, ws } from './api.ts'
import type { FieldValue, PersonView } from './api-types.ts'
import { useConsole } from './app.tsx'
import { InvitationsPanel } from './invitations-panel.tsx'
import { Link } from './router.tsx'
import { ErrorBox, Loading, Notice, PageTitle, formatValue, useLoad } from './ui.tsx'

/** A person: every field, who owns it, teams, manager and reports; the app's own fields edited. */
export function PersonScreen(props: { id: string }) {
  const { workspace, meta } = useConsole()
  const path = ws(workspace.id, `/people/${props.id}`)
  const loaded = useLoad(() => api.get<PersonView>(path), [path])
  const [edits, setEdits] = useState<Record<string, string>>({})
  const [state, setState] = useState<{ busy: boolean; error: unknown; done: boolean }>({
    busy: false,
    error: null,
    done: false,
  })
  if (loaded.data === null) {
    return loaded.error !== null ? (
      <section>
        <h1>Person</h1>
        <ErrorBox error={loaded.error} />
      </section>
    ) : (
      <Loading label="Loading…" />
    )
  }
  const { row, reports, ownedBy } = loaded.data
  const { person } = row
  const names = [
    ...meta.directoryFields.map((f) => ({ name: f.name, label: f.label })),
    ...Object.keys(person.fields)
      .filter((f) => f.startsWith('custom.'))
      .map((name) => ({ name, label: `Custom: ${name.slice(7)}` })),
  ]
  const changed = Object.keys(edits).length > 0
  const types = new Map(meta.directoryFields.map((f) => [f.name, f.type]))
  // what is typed, as the field's type takes it; the server says what does not fit
  const asValue = (name: string, text: string): FieldValue => {
    const v = text.trim()
    if (v === '') return null
    const type = types.get(name)
    if (type === 'number' && /^-?\d+(\.\d+)?$/.test(v)) return Number(v)
    if (type === 'list') {
      return v
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '')
    }
    return v
  }
  const save = () => {
    const fields: Record<string, FieldValue> = Object.fromEntries(
      Object.entries(edits).map(([k, v]) => [k, asValue(k, v)]),
    )
    setState({ busy: true, error: null, done: false })
    api.patch<PersonView>(path, { fields }).then(
      () => {
        setEdits({})
        setState({ busy: false, error: null, done: true })
        loaded.reload()
      },
      (error: unknown) => {
        setState({ busy: false, error, done: false })
      },
    )
  }
  return (
    <section>
      <p className="crumbs">
        <Link to="/people">People</Link> ›
      </p>
      <PageTitle
        sub={person.status === 'leaver' ? `Leaver since ${person.leaverDate ?? '?'}` : 'Active'}
      >
        {row.name}
      </PageTitle>
      <dl className="pairs">
        <div>
          <dt>Identifier</dt>
          <dd>{person.identifier ?? '—'}</dd>
        </div>
        <div>
          <dt>Manager</dt>
          <dd>
            {row.manager ? <Link to={`/people/${row.manager.id}`}>{row.manager.name}</Link> : '—'}
          </dd>
        </div>
        <div>
          <dt>Teams</dt>
          <dd>{row.teams.map((t) => t.name).join(', ') || '—'}</dd>
        </div>
        <div>
          <dt>Reports</dt>
          <dd>
            {reports.length === 0
              ? '—'
              : reports.map((r, i) => (
                  <span key={r.id}>
                    {i > 0 && ', '}
                    <Link to={`/people/${r.id}`}>{r.name}</Link>
                  </span>
                ))}
          </dd>
        </div>
        <div>
          <dt>Invitation</dt>
          <dd>{person.inviteStatus.replaceAll('_', ' ')}</dd>
        </div>
        <div>
          <dt>Linked to</dt>
          <dd>{person.sourceKey ? `HR record ${person.sourceKey.externalId}` : 'No HR record'}</dd>
        </div>
      </dl>
      <InvitationsPanel
        personId={person.id}
        cannot={
          person.status === 'leaver'
            ? 'This person has left.'
            : typeof person.fields['email'] === 'string' && person.fields['email'] !== ''
              ? null
              : 'This person has no email.'
        }
        onChanged={loaded.reload}
      />
      <form
        onSubmit={(e) => {
          e.preventDefault()
          save()
        }}
      >
        <h2>Fields</h2>
        <p className="muted">
          Fields that come from the HR system are set on every sync and cannot be edited here.
        </p>
        <table className="fields">
          <caption className="visually-hidden">Fields</caption>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Value</th>
              <th scope="col">Set by</th>
            </tr>
          </thead>
          <tbody>
            {names.map(({ name, label }) => {
              const owner = ownedBy[name]
              const value = person.fields[name]
              return (
                <tr key={name}>
                  <th scope="row">
                    <label htmlFor={`edit-${name}`}>{label}</label>
                  </th>
                  <td>
                    {owner !== undefined || Array.isArray(value) || typeof value === 'number' ? (
                      <span id={`edit-${name}`}>{formatValue(value)}</span>
                    ) : (
                      <input
                        id={`edit-${name}`}
                        {...(types.get(name) === 'date' ? { placeholder: 'YYYY-MM-DD' } : {})}
                        value={edits[name] ?? (typeof value === 'string' ? value : '')}
                        onChange={(e) => {
                          setEdits({ ...edits, [name]: e.target.value })
                          setState({ busy: false, error: null, done: false })
                        }}
                      />
                    )}
                  </td>
                  <td className="muted">
                    {owner !== undefined ? `HR system (${owner})` : 'This application'}
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
        <ErrorBox error={state.error} title="Not saved." />
        {state.done && <Notice>Saved.</Notice>}
        <div className="actions">
          <button type="submit" className="primary" disabled={!changed || state.busy}>
            {state.busy ? 'Saving…' : 'Save changes'}
          </button>
        </div>
      </form>
    </section>
  )
}
