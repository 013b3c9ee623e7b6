import type { FieldValue } from '../model/field-value.ts'
import type { Change, Ref, SyncPlan } from '../plan/sync-plan.ts'

export interface RenderOptions {
  /** Also list people who are up to date, and those left out by the sync-if conditions. */
  readonly verbose?: boolean
}

const count = (n: number) => n.toLocaleString('en-US')
const show = (v: FieldValue): string =>
  v === null
    ? '—'
    : Array.isArray(v)
      ? `[${v.map((s) => JSON.stringify(s)).join(', ')}]`
      : JSON.stringify(v)
/** Names for the ids a plan refers to: people and teams by the label of their change. */
function namer(changes: readonly Change[]): (r: Ref | null) => string {
  const byChange = new Map<string, string>()
  const byId = new Map<string, string>()
  for (const c of changes) {
    byChange.set(c.id, c.label)
    const id = c.kind === 'person' ? c.personId : c.kind === 'team' ? c.teamId : null
    if (id !== null) byId.set(id, c.label)
  }
  return (r) => {
    if (r === null) return '—'
    if ('change' in r) return `${byChange.get(r.change) ?? r.change} (new)`
    return byId.get(r.id) ?? r.id
  }
}

function sign(change: Change): string {
  switch (change.kind) {
    case 'person':
      switch (change.action) {
        case 'create':
          return '+'
        case 'update':
        case 'reactivate':
          return '~'
        case 'mark_leaver':
          return '-'
        case 'skip':
          return '!'
        case 'noop':
          return ' '
      }
      break
    case 'team':
      return change.action === 'create' ? '+' : '~'
    case 'membership':
      return change.action === 'join' ? '+' : '-'
    case 'manager':
      return '~'
  }
}

function headline(change: Change, ref: (r: Ref | null) => string): string {
  switch (change.kind) {
    case 'person': {
      const by =
        change.matchedBy && change.matchedBy !== 'link' ? ` (matched by ${change.matchedBy})` : ''
      return `${change.label}  ${change.action} · ${change.reason}${by}`
    }
    case 'team':
      return `team ${change.label}  ${change.action} · ${change.reason}`
    case 'membership':
      return `${change.label} ${change.action === 'join' ? 'joins' : 'leaves'} team ${ref(change.team)}  · ${change.reason}`
    case 'manager':
      return `${change.label}: manager ${ref(change.before === null ? null : { id: change.before })} → ${ref(change.after)}  · ${change.reason}`
  }
}

function details(change: Change): string[] {
  const lines: string[] = []
  if (change.kind === 'person') {
    for (const d of change.diff) {
      lines.push(
        change.action === 'create'
          ? `    ${d.field}: ${show(d.after)}`
          : `    ${d.field}: ${show(d.before)} → ${show(d.after)}`,
      )
    }
  }
  if (change.kind === 'team' && change.before && change.before.name !== change.after.name) {
    lines.push(`    name: ${show(change.before.name)} → ${show(change.after.name)}`)
  }
  for (const issue of change.issues) lines.push(`    ${issue.severity}: ${issue.message}`)
  return lines
}

/**
 * The plan as text for people: one `+ ~ - !` line per change with its reason, the fields that
 * change beneath it (unchanged fields are hidden), then the plan's issues and a summary.
 */
export function renderPlan(plan: SyncPlan, options: RenderOptions = {}): string {
  const b = plan.basis
  const out: string[] = [
    `Plan for connection ${plan.connectionId}: ${plan.complete ? 'complete' : 'INCOMPLETE'} read of ${count(b.employees)} employees against ${count(b.people)} people, ${b.today}`,
  ]
  if (plan.approval.required) out.push('NEEDS APPROVAL')
  for (const f of plan.approval.findings) out.push(`  ${f.code}: ${f.message}`)
  out.push('')

  const ref = namer(plan.changes)
  let hidden = 0
  for (const change of plan.changes) {
    // unchanged and filtered-out people are many and say nothing, unless they carry a warning
    const quiet =
      change.kind === 'person' &&
      change.issues.length === 0 &&
      (change.action === 'noop' || (change.action === 'skip' && change.reason === 'filtered_out'))
    if (quiet && !options.verbose) {
      hidden++
      continue
    }
    out.push(`${sign(change)} ${headline(change, ref)}`, ...details(change))
  }
  if (hidden > 0) out.push(`  (${count(hidden)} unchanged or filtered out, not shown)`)

  if (plan.issues.length > 0) {
    out.push('', 'Issues:')
    for (const i of plan.issues) {
      out.push(`  ${i.severity}${i.record ? ` [${i.record}]` : ''}: ${i.message}`)
    }
  }

  const s = plan.summary
  const p = s.people
  out.push(
    '',
    `Summary: ${count(p.create)} to create, ${count(p.update)} to update, ${count(p.mark_leaver)} leavers, ${count(p.reactivate)} reactivated, ${count(p.noop)} unchanged, ${count(p.skip)} skipped`,
    `         teams ${count(s.teams.create)} new, ${count(s.teams.update)} changed; ${count(s.memberships.join)} joins, ${count(s.memberships.leave)} leaves; ${count(s.managers)} manager changes`,
  )
  return out.join('\n') + '\n'
}

/** The plan as JSON: the same object the API returns and `apply` takes back. */
export function renderPlanJson(plan: SyncPlan): string {
  return JSON.stringify(plan, null, 2) + '\n'
}
