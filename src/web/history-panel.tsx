import { useState } from 'react'

import { api, ws } from './api.ts'
import type { ApplyEntry, Connection, Page, Run, RunResult, RunView } from './api-types.ts'
import { useConsole } from './app.tsx'
import { Link } from './router.tsx'
import { ACTIONS, STATES } from './texts.ts'
import { Empty, ErrorBox, Loading, Pager, formatTime, plural, useLoad } from './ui.tsx'

/** What its changes came to, beside what the plan counted, in a run's counts. */
const RESULT_KEYS = new Set(['applied', 'stale', 'skipped', 'failed'])

const countsText = (
  counts: Readonly<Record<string, number>> | null,
  which: 'planned' | 'results',
) =>
  counts === null
    ? '—'
    : Object.entries(counts)
        .filter(([k, n]) => n > 0 && RESULT_KEYS.has(k) === (which === 'results'))
        .map(([k, n]) => `${k.replaceAll('_', ' ')} ${n.toLocaleString()}`)
        .join(', ') || '—'

/** What an apply's own changes came to, as a sentence. */
const applyCounts = (a: ApplyEntry) => {
  if (a.counts === null) return a.state === 'applying' ? 'under way' : '—'
  const parts = [`${plural(a.counts['applied'] ?? 0, 'change')} applied`]
  for (const status of ['stale', 'skipped', 'failed'] as const) {
    const n = a.counts[status] ?? 0
    if (n > 0) parts.push(`${n.toLocaleString()} ${status}`)
  }
  return parts.join(', ')
}

const applyName = (a: ApplyEntry) =>
  a.seq === 0
    ? 'Synced (before syncs were listed one by one)'
    : a.selection === 'all'
      ? 'Sync all'
      : `Sync selected: ${plural(a.selection, 'record')}`

const APPLY_STATES: Readonly<Record<ApplyEntry['state'], string>> = {
  applying: 'Syncing',
  succeeded: 'Done',
  failed: 'Failed',
}

const RUN_KINDS: Readonly<Record<Run['kind'], string>> = {
  preview: 'Preview',
  sync: 'Sync (read, plan and apply)',
  incremental: 'Incremental sync',
}

/**
 * History: the connection's previews and each of their syncs ("Sync selected", "Sync all") as
 * entries of their own, newest first; a sync's per-record results; a run's.
 */
export function HistoryPanel(props: {
  connection: Connection
  runId: string | null
  apply: number | null
}) {
  if (props.runId !== null && props.apply !== null) {
    return <ApplyDetail connection={props.connection} runId={props.runId} seq={props.apply} />
  }
  if (props.runId !== null) return <RunDetail connection={props.connection} runId={props.runId} />
  return <HistoryList connection={props.connection} />
}

function HistoryList(props: { connection: Connection }) {
  const { workspace } = useConsole()
  const history = useLoad(async () => {
    const { runs } = await api.get<{ runs: Run[] }>(ws(workspace.id, '/runs'), {
      connectionId: props.connection.id,
      limit: 50,
    })
    return Promise.all(runs.map((run) => api.get<RunView>(ws(workspace.id, `/runs/${run.id}`))))
  }, [workspace.id, props.connection.id])
  const base = `/connections/${props.connection.id}/history`
  const list = history.data ?? []
  return (
    <div className="panel">
      <h2>History</h2>
      <ErrorBox error={history.error} />
      {history.loading && history.data === null && <Loading label="Loading the history…" />}
      {history.data !== null && list.length === 0 && (
        <Empty title="Nothing ran yet.">
          <p>
            <Link to={`/connections/${props.connection.id}/preview`}>Build a preview</Link> to
            start.
          </p>
        </Empty>
      )}
      {list.length > 0 && (
        <table className="history">
          <caption className="visually-hidden">Previews and syncs, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">What</th>
              <th scope="col">By</th>
              <th scope="col">State</th>
              <th scope="col">Counts</th>
            </tr>
          </thead>
          <tbody>
            {list.flatMap(({ run, applies }) => [
              // a run's syncs came after it: newest first, then the run
              ...[...applies].reverse().map((a) => (
                <tr key={`${run.id}:${String(a.seq)}`}>
                  <th scope="row">
                    <Link to={`${base}/${run.id}/${String(a.seq)}`}>{formatTime(a.startedAt)}</Link>
                  </th>
                  <td>
                    {applyName(a)}
                    {a.approved ? ' (approved)' : ''}
                  </td>
                  <td>{a.actor ?? '—'}</td>
                  <td>{APPLY_STATES[a.state]}</td>
                  <td>
                    {applyCounts(a)}
                    {a.error !== null && a.error.code !== 'changes_failed' && (
                      <div className="small error-text">{a.error.message}</div>
                    )}
                  </td>
                </tr>
              )),
              <tr key={run.id}>
                <th scope="row">
                  <Link to={`${base}/${run.id}`}>{formatTime(run.createdAt)}</Link>
                </th>
                <td>{RUN_KINDS[run.kind]}</td>
                <td>—</td>
                <td>{STATES[run.state] ?? run.state}</td>
                <td>
                  {countsText(run.counts, 'planned')}
                  {run.error !== null && (
                    <div className="small error-text">{run.error.message}</div>
                  )}
                </td>
              </tr>,
            ])}
          </tbody>
        </table>
      )}
    </div>
  )
}

function RunDetail(props: { connection: Connection; runId: string }) {
  const { workspace } = useConsole()
  const detail = useLoad(
    () => api.get<RunView>(ws(workspace.id, `/runs/${props.runId}`)),
    [workspace.id, props.runId],
  )
  const run = detail.data?.run
  const base = `/connections/${props.connection.id}/history`
  return (
    <div className="panel">
      <p className="crumbs">
        <Link to={base}>History</Link> ›
      </p>
      <h2>{run ? `${RUN_KINDS[run.kind]} of ${formatTime(run.createdAt)}` : 'Run'}</h2>
      <ErrorBox error={detail.error} />
      {run && (
        <dl className="pairs">
          <div>
            <dt>State</dt>
            <dd>{STATES[run.state] ?? run.state}</dd>
          </div>
          <div>
            <dt>Planned</dt>
            <dd>{countsText(run.counts, 'planned')}</dd>
          </div>
          <div>
            <dt>Synced</dt>
            <dd>{countsText(run.counts, 'results')}</dd>
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
          <h3>Syncs of this plan</h3>
          <ul>
            {detail.data.applies.map((a) => (
              <li key={a.seq}>
                <Link to={`${base}/${props.runId}/${String(a.seq)}`}>{applyName(a)}</Link> by{' '}
                {a.actor ?? '—'} at {formatTime(a.startedAt)}: {applyCounts(a)}
              </li>
            ))}
          </ul>
        </>
      )}
      <h3>Results per record</h3>
      <p className="muted">What each change of the plan came to, in its last sync.</p>
      <Results runId={props.runId} apply={null} />
    </div>
  )
}

function ApplyDetail(props: { connection: Connection; runId: string; seq: number }) {
  const { workspace } = useConsole()
  const detail = useLoad(
    () => api.get<RunView>(ws(workspace.id, `/runs/${props.runId}`)),
    [workspace.id, props.runId],
  )
  const apply = detail.data?.applies.find((a) => a.seq === props.seq) ?? null
  const base = `/connections/${props.connection.id}/history`
  return (
    <div className="panel">
      <p className="crumbs">
        <Link to={base}>History</Link> ›{' '}
        <Link to={`${base}/${props.runId}`}>
          {detail.data ? `Preview of ${formatTime(detail.data.run.createdAt)}` : 'Run'}
        </Link>{' '}
        ›
      </p>
      <h2>{apply ? `${applyName(apply)}, ${formatTime(apply.startedAt)}` : 'Sync'}</h2>
      <ErrorBox error={detail.error} />
      {detail.data !== null && apply === null && <p>This run has no sync {props.seq}.</p>}
      {apply && (
        <dl className="pairs">
          <div>
            <dt>By</dt>
            <dd>
              {apply.actor ?? '—'}
              {apply.approved ? ', who approved the plan' : ''}
            </dd>
          </div>
          <div>
            <dt>State</dt>
            <dd>{APPLY_STATES[apply.state]}</dd>
          </div>
          <div>
            <dt>Counts</dt>
            <dd>{applyCounts(apply)}</dd>
          </div>
          <div>
            <dt>Finished</dt>
            <dd>{formatTime(apply.finishedAt)}</dd>
          </div>
          {apply.error && (
            <div>
              <dt>Error</dt>
              <dd className="error-text">{apply.error.message}</dd>
            </div>
          )}
        </dl>
      )}
      <h3>Results per record</h3>
      <Results runId={props.runId} apply={props.seq} />
    </div>
  )
}

const STATUSES = ['', 'applied', 'stale', 'skipped', 'failed'] as const

/** The results of a run (each change's last), or of one of its applies, paged and filtered. */
function Results(props: { runId: string; apply: number | null }) {
  const { workspace } = useConsole()
  const [status, setStatus] = useState<string>('')
  const [offset, setOffset] = useState(0)
  const results = useLoad(
    () =>
      api.get<Page<RunResult>>(ws(workspace.id, `/runs/${props.runId}/results`), {
        status,
        apply: props.apply,
        offset,
        limit: 50,
      }),
    [workspace.id, props.runId, props.apply, status, offset],
  )
  return (
    <>
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
        <Empty title="No results recorded: nothing of this was synced." />
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
    </>
  )
}
