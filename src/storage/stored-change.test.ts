import { describe, expect, it } from 'vitest'

import { plan } from '../core/plan/plan.ts'
import type { Change } from '../core/plan/sync-plan.ts'
import {
  CONNECTION,
  NOW,
  config,
  employee,
  person,
  ref,
  source,
} from '../../test/helpers/factories.ts'
import { compact, expand } from './stored-change.ts'

const columns = (c: Change) => ({
  change_id: c.id,
  kind: c.kind,
  action: c.action,
  reason: c.reason,
})
/** Through the database: a body is stored as JSON text. */
const roundTrip = (c: Change) =>
  expand(columns(c), JSON.parse(JSON.stringify(compact(c))) as ReturnType<typeof compact>)

describe('a change as plan_changes stores it', () => {
  const eng = ref('Engineering', 'd1')
  const planned = plan({
    connectionId: CONNECTION,
    source: source([
      employee('1', { firstName: 'Ada', workEmail: 'ada@acme.example', department: eng }),
      employee('2', {
        firstName: 'Bob',
        workEmail: 'bob@acme.example',
        department: eng,
        supervisorExternalId: '1',
        position: { id: null, name: 'Lead' },
      }),
      employee('3', { firstName: 'Cy', terminationDate: '2020-01-31' }),
    ]),
    target: {
      people: [
        person('p-bob', {
          fields: { email: 'bob@acme.example', firstName: 'Bob' },
          identifier: 'bob@acme.example',
          teamIds: [],
        }),
        person('p-old', {
          fields: { email: 'old@acme.example' },
          sourceKey: { connectionId: CONNECTION, externalId: '9' },
        }),
      ],
      teams: [],
    },
    config: config({ mapping: { jobTitle: { from: 'position' } } }),
    now: NOW,
  })

  it('reads back as the planner made it, every kind and action', () => {
    const kinds = new Set(planned.changes.map((c) => `${c.kind}.${c.action}`))
    expect(kinds).toEqual(
      new Set([
        'person.create',
        'person.update',
        'person.mark_leaver',
        'person.skip',
        'team.create',
        'membership.join',
        'manager.update',
      ]),
    )
    for (const change of planned.changes) expect(roundTrip(change)).toEqual(change)
  })

  it('leaves out what the row holds, the defaults of its kind and a diff it can derive', () => {
    const create = planned.changes.find((c) => c.kind === 'person' && c.action === 'create')
    const body = compact(create as Change)
    expect(Object.keys(body).sort()).toEqual(['after', 'externalId', 'label'])
    const update = planned.changes.find((c) => c.kind === 'person' && c.action === 'update')
    expect(compact(update as Change)).toMatchObject({ personId: 'p-bob', matchedBy: 'work_email' })
  })

  it('keeps what is not a default: issues, a diff it cannot derive, an invitation', () => {
    const create = planned.changes.find((c) => c.kind === 'person' && c.action === 'create')
    if (create?.kind !== 'person') throw new Error('no create')
    const unusual: Change = {
      ...create,
      invite: true,
      issues: [{ code: 'x', severity: 'warning', message: 'm', path: ['p'] }],
      diff: [{ field: 'note', before: null, after: 'hand-made' }],
    }
    expect(compact(unusual)).toMatchObject({ invite: true, diff: unusual.diff })
    expect(roundTrip(unusual)).toEqual(unusual)
  })

  it('reads a body stored whole, before bodies were compacted, the same way', () => {
    // every key, a person change's derivable diff left out (or, earlier still, kept)
    const withoutDiff = (c: Change) =>
      Object.fromEntries(Object.entries(c).filter(([k]) => k !== 'diff'))
    for (const change of planned.changes) {
      for (const old of [withoutDiff(change), change]) {
        expect(expand(columns(change), JSON.parse(JSON.stringify(old)) as never)).toEqual(change)
      }
    }
  })
})
