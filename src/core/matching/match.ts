import type { Employee } from '../model/employee.ts'
import type { Person } from '../model/person.ts'
import type { IdentifierRule } from './identifier-rule.ts'
import { employeeKey, personKeys, ruleName } from './identifier-rule.ts'

/**
 * Where an employee belongs among existing people.
 * - `linked`: the person already carries this employee's source key (always wins, so a changed
 *   email never creates a duplicate);
 * - `matched`: found by the identifier rule `rule`;
 * - `unmatched`: nobody has it: a new person;
 * - `ambiguous`: several people fit the first rule that found anyone: reported, never guessed;
 * - `conflict`: the person this employee found is claimed by other employees (`rivals`) too, by
 *   a match or as one of the candidates of an ambiguous match;
 * - `duplicate`: nobody matched, but creating a person would duplicate a key that another record
 *   holds (`others`: `person:<id>` or `employee:<externalId>`).
 */
export type MatchResult =
  | { readonly kind: 'linked'; readonly personId: string }
  | { readonly kind: 'matched'; readonly personId: string; readonly rule: string }
  | { readonly kind: 'unmatched' }
  | { readonly kind: 'ambiguous'; readonly rule: string; readonly candidates: readonly string[] }
  | { readonly kind: 'conflict'; readonly personId: string; readonly rivals: readonly string[] }
  | {
      readonly kind: 'duplicate'
      readonly rule: string
      readonly key: string
      readonly others: readonly string[]
    }

const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}

/**
 * Matches every employee (in any order; the result does not depend on it) to the people of the
 * target. Only people not yet linked to any source are candidates for identifier rules.
 */
export interface MatchScope {
  /** Employees the sync updates: a matched one that is not in scope leaves its person alone. */
  readonly inScope: (employee: Employee) => boolean
  /** Unmatched employees the sync would create; only they can become duplicates. */
  readonly wouldCreate: (employee: Employee) => boolean
}

const EVERYONE: MatchScope = { inScope: () => true, wouldCreate: () => true }

export function matchEmployees(
  employees: readonly Employee[],
  people: readonly Person[],
  rules: readonly IdentifierRule[],
  connectionId: string,
  scope: MatchScope = EVERYONE,
): Map<string, MatchResult> {
  const linked = new Map<string, string>()
  const linkedTwice = new Map<string, string[]>()
  const unlinked: Person[] = []
  for (const p of people) {
    if (p.sourceKey === null) unlinked.push(p)
    else if (p.sourceKey.connectionId === connectionId) {
      const ext = p.sourceKey.externalId
      const first = linked.get(ext)
      if (first === undefined) linked.set(ext, p.id)
      else linkedTwice.set(ext, [...(linkedTwice.get(ext) ?? [first]), p.id])
    }
  }
  unlinked.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const indexes = rules.map((rule) => {
    const index = new Map<string, string[]>()
    for (const p of unlinked) for (const key of personKeys(rule, p)) push(index, key, p.id)
    return index
  })

  const results = new Map<string, MatchResult>()
  const claims = new Map<string, string[]>()
  for (const e of employees) {
    results.set(e.externalId, firstMatch(e))
    const r = results.get(e.externalId)
    if (r?.kind === 'matched') push(claims, r.personId, e.externalId)
    // a person an ambiguous employee might be is contested: nobody else takes it in this plan
    if (r?.kind === 'ambiguous' && r.rule !== 'link') {
      for (const personId of r.candidates) push(claims, personId, e.externalId)
    }
  }

  function firstMatch(e: Employee): MatchResult {
    const several = linkedTwice.get(e.externalId)
    if (several) return { kind: 'ambiguous', rule: 'link', candidates: [...several].sort() }
    const link = linked.get(e.externalId)
    if (link !== undefined) return { kind: 'linked', personId: link }
    for (const [i, rule] of rules.entries()) {
      const key = employeeKey(rule, e)
      const candidates = key === null ? undefined : indexes[i]?.get(key)
      if (!candidates) continue
      if (candidates.length === 1 && candidates[0] !== undefined) {
        return { kind: 'matched', personId: candidates[0], rule: ruleName(rule) }
      }
      return { kind: 'ambiguous', rule: ruleName(rule), candidates: [...candidates].sort() }
    }
    return { kind: 'unmatched' }
  }

  for (const [personId, claimants] of claims) {
    if (claimants.length < 2) continue
    for (const id of claimants) {
      if (results.get(id)?.kind !== 'matched') continue
      const rivals = claimants.filter((other) => other !== id).sort()
      results.set(id, { kind: 'conflict', personId, rivals })
    }
  }

  markDuplicates(employees, people, rules, scope, results)
  return results
}

/**
 * An unmatched employee whose key another record will hold after the sync would become a
 * duplicate if created. After the sync, a person the sync updates holds its employee's keys,
 * any other person its own, and a created person its employee's. Names are not unique keys.
 */
function markDuplicates(
  employees: readonly Employee[],
  people: readonly Person[],
  rules: readonly IdentifierRule[],
  scope: MatchScope,
  results: Map<string, MatchResult>,
) {
  const unique = rules.filter((r) => r !== 'name')
  const unmatched = employees.filter(
    (e) => results.get(e.externalId)?.kind === 'unmatched' && scope.wouldCreate(e),
  )
  if (unmatched.length === 0 || unique.length === 0) return

  // only the keys some unmatched employee has can make a duplicate: index just those
  const holders = unique.map((rule) => {
    const by = new Map<string, string[]>()
    for (const e of unmatched) {
      const key = employeeKey(rule, e)
      if (key !== null) by.set(key, [])
    }
    return { rule, by }
  })
  const hold = (by: Map<string, string[]>, key: string | null, holder: () => string) => {
    if (key !== null) by.get(key)?.push(holder())
  }
  const updated = new Set<string>()
  for (const e of employees) {
    const r = results.get(e.externalId)
    if (r === undefined) continue
    const tied = r.kind === 'linked' || r.kind === 'matched'
    if (tied ? !scope.inScope(e) : r.kind !== 'unmatched' || !scope.wouldCreate(e)) continue
    if (tied) updated.add(r.personId)
    for (const { rule, by } of holders) {
      hold(by, employeeKey(rule, e), () => `employee:${e.externalId}`)
    }
  }
  for (const p of people) {
    if (updated.has(p.id)) continue
    for (const { rule, by } of holders) {
      for (const key of personKeys(rule, p)) hold(by, key, () => `person:${p.id}`)
    }
  }

  for (const e of unmatched) {
    const self = `employee:${e.externalId}`
    for (const { rule, by } of holders) {
      const key = employeeKey(rule, e)
      const others = key === null ? [] : (by.get(key) ?? []).filter((h) => h !== self)
      if (key !== null && others.length > 0) {
        results.set(e.externalId, {
          kind: 'duplicate',
          rule: ruleName(rule),
          key,
          others: [...new Set(others)].sort(),
        })
        break
      }
    }
  }
}
