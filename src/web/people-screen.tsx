import { useEffect, useState } from 'react'

import { api, ws } from './api.ts'
import type { Page, PersonRow, Team } from './api-types.ts'
import { useConsole } from './app.tsx'
import { Link } from './router.tsx'
import { Empty, ErrorBox, Loading, Notice, PageTitle, Pager, formatValue, useLoad } from './ui.tsx'

const PAGE = 50
/** How long typing pauses before the search is asked. */
const SEARCH_PAUSE_MS = 300

/** People: the directory with teams and managers; identifiers out and back in. */
export function PeopleScreen() {
  const { workspace } = useConsole()
  // what is typed, and what is searched: once typing pauses (or Enter), not at every key
  const [q, setQ] = useState('')
  const [search, setSearch] = useState('')
  const [status, setStatus] = useState('')
  const [teamId, setTeamId] = useState('')
  const [offset, setOffset] = useState(0)
  useEffect(() => {
    const timer = window.setTimeout(() => {
      setSearch(q.trim())
    }, SEARCH_PAUSE_MS)
    return () => {
      window.clearTimeout(timer)
    }
  }, [q])
  const people = useLoad(
    () =>
      api.get<Page<PersonRow>>(ws(workspace.id, '/people'), {
        q: search,
        status,
        teamId,
        offset,
        limit: PAGE,
      }),
    [workspace.id, search, status, teamId, offset],
  )
  const teams = useLoad(
    () => api.get<{ teams: { team: Team; members: number }[] }>(ws(workspace.id, '/teams')),
    [workspace.id],
  )
  const filtered = search !== '' || status !== '' || teamId !== ''
  const rows = people.data?.items ?? []
  return (
    <section>
      <PageTitle sub="Everyone in the directory, with their teams and managers.">People</PageTitle>
      <form
        className="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault()
          setSearch(q.trim())
        }}
      >
        <div className="field">
          <label htmlFor="people-q">Search</label>
          <input
            id="people-q"
            type="search"
            placeholder="Name, email or number"
            value={q}
            onChange={(e) => {
              setQ(e.target.value)
              setOffset(0)
            }}
          />
        </div>
        <div className="field">
          <label htmlFor="people-status">Status</label>
          <select
            id="people-status"
            value={status}
            onChange={(e) => {
              setStatus(e.target.value)
              setOffset(0)
            }}
          >
            <option value="">Everyone</option>
            <option value="active">Active</option>
            <option value="leaver">Leavers</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="people-team">Team</label>
          <select
            id="people-team"
            value={teamId}
            onChange={(e) => {
              setTeamId(e.target.value)
              setOffset(0)
            }}
          >
            <option value="">All teams</option>
            {(teams.data?.teams ?? []).map(({ team, members }) => (
              <option key={team.id} value={team.id}>
                {team.name} ({members})
              </option>
            ))}
          </select>
        </div>
      </form>
      <ErrorBox error={people.error} />
      {people.loading && people.data === null && <Loading label="Loading people…" />}
      {people.data !== null && rows.length === 0 && (
        <Empty title={filtered ? 'Nobody matches.' : 'Nobody is in the directory yet.'}>
          {!filtered && (
            <p>
              Preview a <Link to="/connections">connection</Link> and sync it: people appear here.
            </p>
          )}
        </Empty>
      )}
      {rows.length > 0 && (
        <>
          <p className="muted" aria-live="polite">
            {people.data?.total.toLocaleString()} {people.data?.total === 1 ? 'person' : 'people'}
          </p>
          <table className="people">
            <caption className="visually-hidden">People</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Job title</th>
                <th scope="col">Teams</th>
                <th scope="col">Manager</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.person.id}>
                  <th scope="row">
                    <Link to={`/people/${row.person.id}`}>{row.name}</Link>
                  </th>
                  <td>{formatValue(row.person.fields['email'])}</td>
                  <td>{formatValue(row.person.fields['jobTitle'])}</td>
                  <td>{row.teams.map((t) => t.name).join(', ') || '—'}</td>
                  <td>
                    {row.manager ? (
                      <Link to={`/people/${row.manager.id}`}>{row.manager.name}</Link>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>
                    <span className={`badge ${row.person.status}`}>
                      {row.person.status === 'active' ? 'Active' : 'Leaver'}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager
            offset={offset}
            limit={PAGE}
            total={people.data?.total ?? 0}
            onChange={setOffset}
          />
        </>
      )}
      <Identifiers onImported={people.reload} />
    </section>
  )
}

/** Ledgy's bulk identifier upload: export everyone, fill in the identifier column, import it. */
function Identifiers(props: { onImported: () => void }) {
  const { workspace } = useConsole()
  const [file, setFile] = useState<File | null>(null)
  const [state, setState] = useState<{ busy: boolean; error: unknown; done: string | null }>({
    busy: false,
    error: null,
    done: null,
  })
  const path = ws(workspace.id, '/identifiers')
  return (
    <section className="identifiers" aria-labelledby="identifiers-title">
      <h2 id="identifiers-title">Identifiers</h2>
      <p>
        People already in the directory are matched by their identifier. Export everyone, fill in
        the identifier column (e.g. the work email), and import the file: every row is checked
        first, and nothing is changed unless all rows are valid.
      </p>
      <p>
        <a className="button" href={api.href(`${path}/export`, { format: 'xlsx' })} download>
          Export (XLSX)
        </a>{' '}
        <a className="button" href={api.href(`${path}/export`, { format: 'csv' })} download>
          Export (CSV)
        </a>
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault()
          if (file === null) return
          setState({ busy: true, error: null, done: null })
          api
            .upload<{ changed: number; unchanged: number; linked: number }>(
              `${path}/import`,
              file,
              {
                name: file.name,
              },
            )
            .then(
              (r) => {
                setState({
                  busy: false,
                  error: null,
                  done: `Set ${String(r.changed)} identifiers (${String(r.unchanged)} unchanged).${r.linked > 0 ? ` ${String(r.linked)} of them are linked to an HR record: the next sync sets theirs from the HR system again.` : ''}`,
                })
                props.onImported()
              },
              (error: unknown) => {
                setState({ busy: false, error, done: null })
              },
            )
        }}
      >
        <div className="field inline">
          <label htmlFor="identifier-file">Edited export</label>
          <input
            id="identifier-file"
            type="file"
            accept=".csv,.xlsx"
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null)
            }}
          />
          <button type="submit" disabled={file === null || state.busy}>
            {state.busy ? 'Importing…' : 'Import identifiers'}
          </button>
        </div>
      </form>
      <ErrorBox error={state.error} title="Nothing was changed." />
      {state.done !== null && <Notice>{state.done}</Notice>}
    </section>
  )
}
