import { useEffect, useRef, useState } from 'react'

import { ApiFailure, api, ws } from './api.ts'
import type {
  ApplyEntry,
  Change,
  ChangeResult,
  ConnectionView,
  Page,
  PlanHeader,
  Progress,
  Run,
  RunView,
} from './api-types.ts'
import { useConsole } from './app.tsx'
import { RejectPlan } from './reject-plan.tsx'
import { Link } from './router.tsx'
import { ACTIONS, CONFLICT_REASONS, STATES, connectorLabel, reasonText } from './texts.ts'
import {
  Empty,
  ErrorBox,
  IssueList,
  Loading,
  Notice,
  Pager,
  PasswordDialog,
  Tabs,
  formatTime,
  formatValue,
  plural,
  useLoad,
} from './ui.tsx'

type TabKey = 'create' | 'update' | 'leaver' | 'skipped' | 'conflicts' | 'teams'

const ACTIVE: readonly Run['state'][] = ['queued', 'reading']
/** Field diffs a row shows before "Show n more fields". */
const DIFF_SHOWN = 6
const PAGE = 25

interface Filter {
  kind?: string
  action?: string
  reason?: string
}

/** Which changes each tab shows, as filters of the changes endpoint, and how many there are. */
function tabsOf(header: PlanHeader) {
  const count = (test: (c: PlanHeader['counts'][number]) => boolean) =>
    header.counts.filter(test).reduce((n, c) => n + c.count, 0)
  const person = (c: { kind: string }) => c.kind === 'person'
  const skipReasons = [
    ...new Set(
      header.counts
        .filter((c) => person(c) && c.action === 'skip' && !CONFLICT_REASONS.includes(c.reason))
        .map((c) => c.reason),
    ),
  ]
  const tabs: { key: TabKey; label: string; count: number; filter: Filter }[] = [
    {
      key: 'create',
      label: 'Create',
      count: count((c) => person(c) && c.action === 'create'),
      filter: { kind: 'person', action: 'create' },
    },
    {
      key: 'update',
      label: 'Update',
      count: count((c) => person(c) && (c.action === 'update' || c.action === 'reactivate')),
      filter: { kind: 'person', action: 'update,reactivate' },
    },
    {
      key: 'leaver',
      label: 'Leavers',
      count: count((c) => person(c) && c.action === 'mark_leaver'),
      filter: { kind: 'person', action: 'mark_leaver' },
    },
    {
      key: 'skipped',
      label: 'Skipped',
      count: count((c) => person(c) && c.action === 'skip' && !CONFLICT_REASONS.includes(c.reason)),
      filter: { kind: 'person', action: 'skip', reason: skipReasons.join(',') },
    },
    {
      key: 'conflicts',
      label: 'Conflicts',
      count: count((c) => person(c) && c.action === 'skip' && CONFLICT_REASONS.includes(c.reason)),
      filter: { kind: 'person', action: 'skip', reason: CONFLICT_REASONS.join(',') },
    },
    {
      key: 'teams',
      label: 'Teams and managers',
      count: count((c) => !person(c)),
      filter: { kind: 'team,membership,manager' },
    },
  ]
  const actionable = count((c) => !person(c) || (c.action !== 'noop' && c.action !== 'skip'))
  const done =
    (header.results['applied'] ?? 0) +
    (header.results['skipped'] ?? 0) +
    (header.results['stale'] ?? 0)
  return {
    tabs,
    actionable,
    remaining: Math.max(0, actionable - done),
    unchanged: count((c) => person(c) && c.action === 'noop'),
  }
}

const RESULT_TEXT: Readonly<Record<ChangeResult['status'], string>> = {
  applied: 'Applied',
  stale: 'Stale',
  skipped: 'Skipped',
  failed: 'Failed',
}

const actionable = (c: Change) =>
  c.kind !== 'person' || (c.action !== 'noop' && c.action !== 'skip')

/**
 * Preview: build a plan (with progress while the HR system is read), look at it by tab with
 * field diffs and reasons, sync a few selected records, or all of it. A plan the guard holds says
 * why and needs an explicit approval.
 */
export function PreviewPanel(props: { view: ConnectionView; onChanged: () => void }) {
  const { workspace } = useConsole()
  const { connection } = props.view
  const [run, setRun] = useState<RunView | null>(null)
  // asks for the run again (its syncs) after an apply
  const [fresh, setFresh] = useState(0)
  const [starting, setStarting] = useState<{ busy: boolean; error: unknown }>({
    busy: false,
    error: null,
  })
  const latest = props.view.latestRun
  const runId = run?.run.id ?? latest?.id ?? null

  // follow the run while it reads; once planned, its plan shows
  useEffect(() => {
    if (runId === null) return
    let stopped = false
    let timer: number | undefined
    const poll = () => {
      api.get<RunView>(ws(workspace.id, `/runs/${runId}`)).then(
        (view) => {
          if (stopped) return
          setRun(view)
          if (ACTIVE.includes(view.run.state)) timer = window.setTimeout(poll, 500)
        },
        (error: unknown) => {
          if (!stopped) setStarting({ busy: false, error })
        },
      )
    }
    poll()
    return () => {
      stopped = true
      window.clearTimeout(timer)
    }
  }, [workspace.id, runId, fresh])

  const start = () => {
    setStarting({ busy: true, error: null })
    api.post<{ run: Run }>(ws(workspace.id, `/connections/${connection.id}/previews`)).then(
      (made) => {
        setRun({ run: made.run, progress: null, applies: [] })
        setStarting({ busy: false, error: null })
        props.onChanged()
      },
      (error: unknown) => {
        setStarting({ busy: false, error })
      },
    )
  }

  const current = run?.run ?? null
  const reading = current !== null && ACTIVE.includes(current.state)
  const system = connectorLabel(connection.connector)
  return (
    <div className="panel">
      <div className="panel-head">
        <h2>Preview</h2>
        <button
          type="button"
          className={current === null ? 'primary' : ''}
          disabled={starting.busy || reading}
          onClick={start}
        >
          {current === null ? 'Build a preview' : 'Preview again'}
        </button>
      </div>
      <p className="muted">
        A preview reads {system} and shows what a sync would change. Nothing changes in the
        directory until you sync.
      </p>
      <ErrorBox error={starting.error} title="No preview." />
      {runId !== null && current === null && <Loading label="Loading the latest preview…" />}
      {current === null && runId === null && (
        <Empty title="No preview yet.">
          <p>Build one to see who would be created, updated or marked as a leaver.</p>
        </Empty>
      )}
      {current !== null && reading && <ReadProgress view={run} system={system} />}
      {current !== null && current.state === 'failed' && current.planId === null && (
        <ErrorBox
          error={new Error(current.error?.message ?? 'The preview failed.')}
          title="The preview failed."
        />
      )}
      {current !== null && current.state === 'cancelled' && (
        <p>
          {current.error?.code === 'rejected'
            ? `This plan was rejected (${current.error.message}): nothing was synced.`
            : 'This preview was replaced by a newer one: build a new preview.'}
        </p>
      )}
      {current?.planId != null && !reading && current.state !== 'cancelled' && (
        <PlanView
          key={current.planId}
          planId={current.planId}
          run={current}
          applies={run?.applies ?? []}
          onApplied={(next) => {
            setRun((old) => (old ? { ...old, run: next } : old))
            setFresh((n) => n + 1)
            props.onChanged()
          }}
        />
      )}
    </div>
  )
}

function ReadProgress(props: { view: RunView | null; system: string }) {
  const p = props.view?.progress ?? null
  const phase = p?.phase === 'planning' ? 'Planning' : `Reading employees from ${props.system}`
  const total = p?.total ?? null
  return (
    <div className="progress-box" role="status">
      <p>
        {phase}
        {p !== null && p.phase === 'reading' && p.done > 0
          ? `: ${p.done.toLocaleString()}${total === null ? '' : ` of ${total.toLocaleString()}`}`
          : '…'}
      </p>
      <progress
        aria-label={phase}
        {...(total !== null && p !== null && p.phase === 'reading'
          ? { max: total, value: p.done }
          : {})}
      />
    </div>
  )
}

function PlanView(props: {
  planId: string
  run: Run
  applies: RunView['applies']
  onApplied: (run: Run) => void
}) {
  const { workspace } = useConsole()
  const base = ws(workspace.id, `/plans/${props.planId}`)
  const header = useLoad(() => api.get<PlanHeader>(base), [base])
  const [picked, setTab] = useState<TabKey | null>(null)
  const [offset, setOffset] = useState(0)
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set())
  const [approved, setApproved] = useState(false)
  const [asking, setAsking] = useState<{ selection: 'all' | string[] } | null>(null)
  const [applying, setApplying] = useState<Applying>(IDLE)
  // an apply goes on in the background: follow its run until it ends
  const timer = useRef<number | undefined>(undefined)
  const mounted = useRef(false)
  useEffect(() => {
    mounted.current = true
    return () => {
      mounted.current = false
      window.clearTimeout(timer.current)
    }
  }, [])
  const info = header.data === null ? null : tabsOf(header.data)
  // until one is picked: the first tab with something in it
  const tab = picked ?? info?.tabs.find((t) => t.count > 0)?.key ?? 'create'
  const chosen = info?.tabs.find((t) => t.key === tab)
  const rows = useLoad(
    () =>
      chosen === undefined || chosen.count === 0
        ? Promise.resolve<Page<{ change: Change; result: ChangeResult | null }>>({
            total: 0,
            items: [],
          })
        : api.get<Page<{ change: Change; result: ChangeResult | null }>>(`${base}/changes`, {
            ...chosen.filter,
            offset,
            limit: PAGE,
          }),
    [base, tab, offset, chosen?.count, header.data],
  )

  const finished = (view: RunView, seq: number) => {
    const mine = view.applies.find((a) => a.seq === seq) ?? view.applies.at(-1) ?? null
    // a change that failed is counted in the result; an apply that broke off is an error
    const broke = mine?.state === 'failed' && mine.error?.code !== 'changes_failed'
    setApplying({
      ...IDLE,
      error: broke ? new Error(mine.error?.message ?? 'The sync failed.') : null,
      result: mine,
      selection: mine?.selection ?? null,
    })
    setSelected(new Set())
    header.reload()
    rows.reload()
    props.onApplied(view.run)
  }

  const follow = (runId: string, seq: number) => {
    if (!mounted.current) return
    api.get<RunView>(ws(workspace.id, `/runs/${runId}`)).then(
      (view) => {
        if (!mounted.current) return
        if (view.run.state === 'applying' || view.progress !== null) {
          setApplying((a) => ({ ...a, progress: view.progress }))
          timer.current = window.setTimeout(() => {
            follow(runId, seq)
          }, 500)
        } else {
          finished(view, seq)
        }
      },
      (error: unknown) => {
        if (mounted.current) setApplying({ ...IDLE, error })
      },
    )
  }

  // opened while an apply goes on (a reload, another tab): follow it too
  useEffect(() => {
    const current = props.applies.at(-1)
    if (props.run.state !== 'applying' || current?.state !== 'applying') return
    setApplying({ ...IDLE, busy: true, selection: current.selection })
    follow(props.run.id, current.seq)
  }, [props.run.id])

  if (header.data === null) {
    return header.error !== null ? (
      <ErrorBox error={header.error} />
    ) : (
      <Loading label="Loading the plan…" />
    )
  }
  if (info === null) return null
  const plan = header.data.plan
  const held = plan.approval.required

  const apply = (selection: 'all' | string[], password?: string): Promise<unknown> => {
    setApplying({ ...IDLE, busy: true })
    const counted = selection === 'all' ? 'all' : selection.length
    return api
      .post<{ run: Run; apply: ApplyEntry }>(`${base}/apply`, {
        selection,
        approve: selection === 'all' ? approved : false,
        ...(password === undefined ? {} : { password }),
      })
      .then(
        (started) => {
          setAsking(null)
          setApplying({ ...IDLE, busy: true, selection: counted })
          follow(started.run.id, started.apply.seq)
          return null
        },
        (error: unknown) => {
          if (error instanceof ApiFailure && error.code === 'password_required') {
            setApplying(IDLE)
            // a wrong password in the dialog is said in the dialog
            if (password !== undefined) return error
            setAsking({ selection })
            return null
          }
          setApplying({ ...IDLE, error })
          setAsking(null)
          return null
        },
      )
  }

  const items = rows.data?.items ?? []
  const selectable = items.filter((r) => actionable(r.change) && r.result === null)
  const allOnPage = selectable.length > 0 && selectable.every((r) => selected.has(r.change.id))
  const toggle = (id: string, on: boolean) => {
    const next = new Set(selected)
    if (on) next.add(id)
    else next.delete(id)
    setSelected(next)
  }
  const summary = plan.summary

  return (
    <div className="plan">
      <p className="muted">
        Built {formatTime(header.data.createdAt)} from {plural(plan.basis.employees, 'employee')}
        {plan.complete
          ? ''
          : ' (the read was incomplete: nobody becomes a leaver for being missing)'}
        . State: <strong>{STATES[props.run.state] ?? props.run.state}</strong>.
      </p>
      <ul className="summary" aria-label="Summary">
        <li>
          <strong>{summary.people['create'] ?? 0}</strong> to create
        </li>
        <li>
          <strong>{(summary.people['update'] ?? 0) + (summary.people['reactivate'] ?? 0)}</strong>{' '}
          to update
        </li>
        <li>
          <strong>{summary.people['mark_leaver'] ?? 0}</strong> leavers
        </li>
        <li>
          <strong>{summary.people['skip'] ?? 0}</strong> skipped
        </li>
        <li>
          <strong>{info.unchanged}</strong> up to date
        </li>
        <li>
          <strong>{summary.teams.create + summary.teams.update}</strong> teams,{' '}
          <strong>{summary.managers}</strong> manager links
        </li>
      </ul>
      {held && (
        <div className="box warning" role="alert">
          <p>
            <strong>This plan needs approval before everything is synced.</strong>
          </p>
          <ul>
            {plan.approval.findings.map((f) => (
              <li key={f.code}>{f.message}</li>
            ))}
          </ul>
          <p className="muted">
            Selected records that make nobody a leaver can be synced without it.
          </p>
        </div>
      )}
      <details>
        <summary>{plural(plan.issues.length, 'note')} about this plan</summary>
        <IssueList issues={plan.issues} title="Notes" />
      </details>
      {props.applies.length > 0 && (
        <p className="muted">
          Synced so far:{' '}
          {props.applies
            .map(
              (a) =>
                `${a.selection === 'all' ? 'all' : plural(a.selection, 'selected record')} (${plural(a.counts?.['applied'] ?? 0, 'change')}) at ${formatTime(a.startedAt)}`,
            )
            .join('; ')}
        </p>
      )}

      <div className="apply-bar">
        <button
          type="button"
          disabled={selected.size === 0 || applying.busy}
          onClick={() => {
            void apply([...selected])
          }}
        >
          Sync selected ({selected.size})
        </button>
        {held && (
          <label className="approve">
            <input
              type="checkbox"
              checked={approved}
              onChange={(e) => {
                setApproved(e.target.checked)
              }}
            />{' '}
            I have read why and approve this plan
          </label>
        )}
        {held && (props.run.state === 'planned' || props.run.state === 'awaiting_approval') && (
          <RejectPlan planId={props.planId} onRejected={props.onApplied} />
        )}
        <button
          type="button"
          className="primary"
          disabled={info.remaining === 0 || applying.busy || (held && !approved)}
          onClick={() => {
            void apply('all')
          }}
        >
          Sync all ({plural(info.remaining, 'change')})
        </button>
      </div>
      {applying.busy && <ApplyProgress applying={applying} />}
      <ErrorBox
        error={applying.error}
        title={applying.selection === null ? 'Nothing was synced.' : 'The sync failed.'}
      />
      {applying.result !== null && (
        <Notice>
          {applying.selection === 'all'
            ? 'Synced the plan'
            : `Synced ${plural(Number(applying.selection), 'selected record')}`}
          : {plural(applying.result.counts?.['applied'] ?? 0, 'change')} applied
          {(applying.result.counts?.['stale'] ?? 0) > 0 &&
            `, ${String(applying.result.counts?.['stale'])} stale (preview again)`}
          {(applying.result.counts?.['failed'] ?? 0) > 0 &&
            `, ${String(applying.result.counts?.['failed'])} failed`}
          . <Link to="/people">See them in People</Link>
        </Notice>
      )}

      <Tabs
        label="Changes"
        current={tab}
        tabs={info.tabs.map((t) => ({
          key: t.key,
          label: `${t.label} (${t.count.toLocaleString()})`,
        }))}
        onSelect={(key) => {
          setTab(key)
          setOffset(0)
        }}
      />
      <div role="tabpanel" aria-labelledby={`tab-${tab}`} className="tabpanel">
        {rows.loading && <Loading label="Loading changes…" />}
        <ErrorBox error={rows.error} />
        {rows.data !== null && !rows.loading && items.length === 0 && (
          <Empty title="Nothing here in this plan." />
        )}
        {items.length > 0 && (
          <table className="changes">
            <caption className="visually-hidden">{chosen?.label} changes</caption>
            <thead>
              <tr>
                <th scope="col" className="check">
                  <input
                    type="checkbox"
                    aria-label="Select all on this page"
                    checked={allOnPage}
                    disabled={selectable.length === 0}
                    onChange={(e) => {
                      const next = new Set(selected)
                      for (const r of selectable) {
                        if (e.target.checked) next.add(r.change.id)
                        else next.delete(r.change.id)
                      }
                      setSelected(next)
                    }}
                  />
                </th>
                <th scope="col">Who or what</th>
                <th scope="col">Change</th>
                <th scope="col">Why</th>
                <th scope="col">Fields</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {items.map(({ change, result }) => (
                <ChangeRow
                  key={change.id}
                  change={change}
                  result={result}
                  selected={selected.has(change.id)}
                  selectable={actionable(change) && result === null}
                  onToggle={(on) => {
                    toggle(change.id, on)
                  }}
                />
              ))}
            </tbody>
          </table>
        )}
        <Pager offset={offset} limit={PAGE} total={rows.data?.total ?? 0} onChange={setOffset} />
      </div>
      <PasswordDialog
        open={asking !== null}
        why="Syncing changes the directory. Enter your password to approve these changes."
        onCancel={() => {
          setAsking(null)
        }}
        onSubmit={(password) =>
          asking === null ? Promise.resolve(null) : apply(asking.selection, password)
        }
      />
    </div>
  )
}

interface Applying {
  busy: boolean
  error: unknown
  /** The run's last apply, once it ended. */
  result: ApplyEntry | null
  /** What was sent: all, or how many selected. */
  selection: 'all' | number | null
  progress: Progress | null
}

const IDLE: Applying = { busy: false, error: null, result: null, selection: null, progress: null }

/** How far an apply is: changes written of those to write, as the server last said. */
function ApplyProgress(props: { applying: Applying }) {
  const p = props.applying.progress
  const total = p?.phase === 'applying' ? p.total : null
  const what =
    props.applying.selection === 'all' || props.applying.selection === null
      ? 'Syncing the plan'
      : `Syncing ${plural(props.applying.selection, 'selected record')}`
  return (
    <div className="progress-box" role="status">
      <p>
        {what}
        {p !== null && total !== null
          ? `: ${p.done.toLocaleString()} of ${plural(total, 'change')} written`
          : '…'}
      </p>
      <progress
        aria-label={what}
        {...(p !== null && total !== null ? { max: total, value: p.done } : {})}
      />
    </div>
  )
}

function ChangeRow(props: {
  change: Change
  result: ChangeResult | null
  selected: boolean
  selectable: boolean
  onToggle: (on: boolean) => void
}) {
  const { change, result } = props
  const [expanded, setExpanded] = useState(false)
  const diff = change.diff ?? []
  const shown = expanded ? diff : diff.slice(0, DIFF_SHOWN)
  const status =
    result === null ? (actionable(change) ? 'Pending' : '—') : RESULT_TEXT[result.status]
  return (
    <tr className={props.selected ? 'selected' : undefined}>
      <td className="check">
        <input
          type="checkbox"
          aria-label={`Select ${change.label}`}
          checked={props.selected}
          disabled={!props.selectable}
          onChange={(e) => {
            props.onToggle(e.target.checked)
          }}
        />
      </td>
      <th scope="row">
        {change.label}
        <div className="muted small">{change.id}</div>
      </th>
      <td>{ACTIONS[change.action] ?? change.action}</td>
      <td>
        {reasonText(change.reason)}
        {change.issues.map((i) => (
          <div key={i.message} className="small warn-text">
            {i.message}
          </div>
        ))}
      </td>
      <td>
        {shown.length > 0 && (
          <ul className="diff">
            {shown.map((d) => (
              <li key={d.field}>
                <span className="muted">{d.field}:</span>{' '}
                {d.before !== null && <del>{formatValue(d.before)}</del>}
                {d.before !== null && ' → '}
                <ins>{formatValue(d.after)}</ins>
              </li>
            ))}
            {diff.length > DIFF_SHOWN && (
              <li>
                <button
                  type="button"
                  className="link"
                  aria-expanded={expanded}
                  onClick={() => {
                    setExpanded(!expanded)
                  }}
                >
                  {expanded
                    ? 'Show fewer fields'
                    : `Show ${plural(diff.length - DIFF_SHOWN, 'more field')}`}
                </button>
              </li>
            )}
          </ul>
        )}
      </td>
      <td>
        <span className={`badge ${result?.status ?? 'pending'}`}>{status}</span>
        {result?.message != null && <div className="small muted">{result.message}</div>}
      </td>
    </tr>
  )
}
