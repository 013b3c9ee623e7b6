import { useState } from 'react'

import { api, ws } from './api.ts'
import type { Connection, Page, Run, RunResult, RunView } from './api-types.ts'
import { useConsole } from './app.tsx'
import { Link } from './router.tsx'
import { ACTIONS, STATES } from './texts.ts'
import { Empty, ErrorBox, Loading, Pager, formatTime, plural, useLoad } from './ui.tsx'

const countsText = (counts: Readonly<Record<string, number>> | null) =>
  counts === null
    ? '—'
    : Object.entries(counts)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${k.replaceAll('_', ' ')} ${n.toLocaleString()}`)
        .join(', ') || '—'

/** History: the connection's runs, each with its syncs; a run's per-record results. */
export function HistoryPanel(props: { connection: Connection; runId: string | null }) {
  const { workspace } = useConsole()
  const runs = useLoad(
    () =>
      api.get<{ runs: Run[] }>(ws(workspace.id, '/runs'), {
        connectionId: props.connection.id,
        limit: 50,
      }),
    [workspace.id, props.connection.id],
  )
  if (props.runId !== null) return <RunDetail connection={props.connection} runId={props.runId} />
  const list = runs.data?.runs ?? []
  return (
    <div className="panel">
      <h2>History</h2>
      <ErrorBox error={runs.error} />
      {runs.loading && runs.data === null && <Loading label="Loading runs…" />}
      {runs.data !== null && list.length === 0 && (
        <Empty title="Nothing ran yet.">
          <p>
            <Link to={`/connections/${props.connection.id}/preview`}>Build a preview</Link> to
            start.
          </p>
        </Empty>
      )}
      {list.length > 0 && (
        <table>
          <caption className="visually-hidden">Runs, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Kind</th>
              <th scope="col">State</th>
              <th scope="col">Counts</th>
              <th scope="col">Error</th>
            </tr>
          </thead>
          <tbody>
            {list.map((run) => (
              <RunRow key={run.id} connection={props.connection} run={run} />
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}

/** A run, and below it each sync of its plan (a selection, or all). */
function RunRow(props: { connection: Connection; run: Run }) {
  const { workspace } = useConsole()
  const { run } = props
  const detail = useLoad(() => api.get<RunView>(ws(workspace.id, `/runs/${run.id}`)), [run.id])
  const applies = detail.data?.applies ?? []
  return (
    <>
      <tr>
        <th scope="row">
          <Link to={`/connections/${props.connection.id}/history/${run.id}`}>
            {formatTime(run.createdAt)}
          </Link>
        </th>
        <td>{run.kind}</td>
        <td>{STATES[run.state] ?? run.state}</td>
        <td>{countsText(run.counts)}</td>
        <td>{run.error?.message ?? ''}</td>
      </tr>
      {applies.map((a, i) => (
        <tr key={i} className="sub">
          <td colSpan={5}>
            ↳{' '}
            {a.selection === 'all' ? 'Sync all' : `Sync selected: ${plural(a.selection, 'record')}`}{' '}
            by {a.actor} at {formatTime(a.at)}: {plural(a.counts['applied'] ?? 0, 'change')} applied
            {(a.counts['stale'] ?? 0) > 0 ? `, ${String(a.counts['stale'])} stale` : ''}
            {(a.counts['failed'] ?? 0) > 0 ? `, ${String(a.counts['failed'])} failed` : ''}
          </td>
        </tr>
      ))}
    </>
  )
}

const STATUSES = ['', 'applied', 'stale', 'skipped', 'failed'] as const

function RunDetail(props: { connection: Connection; runId: string }) {
  const { workspace } = useConsole()
  const [status, setStatus] = useState<string>('')
  const [offset, setOffset] = useState(0)
  const detail = useLoad(
    () => api.get<RunView>(ws(workspace.id, `/runs/${props.runId}`)),
    [workspace.id, props.runId],
  )
  const results = useLoad(
    () =>
      api.get<Page<RunResult>>(ws(workspace.id, `/runs/${props.runId}/results`), {
        status,
        offset,
        limit: 50,
      }),
    [workspace.id, props.runId, status, offset],
  )
  const run = detail.data?.run
  return (
    <div className="panel">
      <p className="crumbs">
        <Link to={`/connections/${props.connection.id}/history`}>History</Link> ›
      </p>
      <h2>Run of {run ? formatTime(run.createdAt) : '…'}</h2>
      <ErrorBox error={detail.error} />
      {run && (
        <dl className="pairs">
          <div>
            <dt>State</dt>
            <dd>{STATES[run.state] ?? run.state}</dd>
          </div>
          <div>
            <dt>Counts</dt>
            <dd>{countsText(run.counts)}</dd>
          </div>
          <div>
            <dt>Finished</dt>
            <dd>{formatTime(run.finishedAt)}</dd>
          </div>
          {run.error && (
            <div>
              <dt>Error</dt>
              <dd className="error-text">{run.error.message}</dd>
            </div>
          )}
        </dl>
      )}
      {detail.data !== null && detail.data.applies.length > 0 && (
        <>
          <h3>Syncs</h3>
          <ul>
            {detail.data.applies.map((a, i) => (
              <li key={i}>
                {a.selection === 'all'
                  ? 'Sync all'
                  : `Sync selected: ${plural(a.selection, 'record')}`}{' '}
                by {a.actor} at {formatTime(a.at)}: {countsText(a.counts)}
              </li>
            ))}
          </ul>
        </>
      )}
      <h3>Results per record</h3>
      <div className="field inline">
        <label htmlFor="result-status">Show</label>
        <select
          id="result-status"
          value={status}
          onChange={(e) => {
            setStatus(e.target.value)
            setOffset(0)
          }}
        >
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s === '' ? 'all results' : s}
            </option>
          ))}
        </select>
      </div>
      <ErrorBox error={results.error} />
      {results.loading && results.data === null && <Loading label="Loading results…" />}
      {results.data !== null && results.data.items.length === 0 && (
        <Empty title="No results recorded: nothing of this run was synced." />
      )}
      {results.data !== null && results.data.items.length > 0 && (
        <table>
          <caption className="visually-hidden">Results</caption>
          <thead>
            <tr>
              <th scope="col">Who or what</th>
              <th scope="col">Change</th>
              <th scope="col">Result</th>
              <th scope="col">Message</th>
              <th scope="col">At</th>
            </tr>
          </thead>
          <tbody>
            {results.data.items.map((r) => (
              <tr key={r.changeId}>
                <th scope="row">{r.label}</th>
                <td>{ACTIONS[r.action] ?? r.action}</td>
                <td>
                  <span className={`badge ${r.status}`}>{r.status}</span>
                </td>
                <td>{r.message ?? ''}</td>
                <td>{formatTime(r.at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager offset={offset} limit={50} total={results.data?.total ?? 0} onChange={setOffset} />
    </div>
  )
}
