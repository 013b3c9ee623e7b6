import { describe, expect, it } from 'vitest'

import {
  CONNECTION,
  NOW,
  config,
  employee,
  linked,
  person,
  ref,
  source,
} from '../../../test/helpers/factories.ts'
import { guard } from '../guard/guard.ts'
import { plan } from '../plan/plan.ts'
import { renderPlan, renderPlanJson } from './render-plan.ts'

const cfg = config({
  mapping: {
    displayName: { transforms: [{ op: 'name_format', format: 'first_last' }] },
    jobTitle: { from: 'position' },
    email: { from: 'workEmail' },
  },
  policy: { managersFromSupervisors: false },
})
const result = guard(
  plan({
    connectionId: CONNECTION,
    source: source([
      employee('1', {
        firstName: 'Anna',
        lastName: 'Müller',
        workEmail: 'anna@acme.de',
        department: ref('Sales', 's'),
      }),
      employee('2', { firstName: 'Ben', lastName: 'Braun', position: ref('Lead') }),
      employee('3', { firstName: 'Cleo', lastName: 'Clausen', terminationDate: '2026-10-31' }),
      employee('4', { firstName: 'Dan', lastName: 'Dorn' }),
    ]),
    target: {
      people: [
        person('p2', {
          sourceKey: linked('2'),
          fields: { displayName: 'Ben Braun', jobTitle: 'Engineer', email: null },
        }),
        person('p3', {
          sourceKey: linked('3'),
          fields: { displayName: 'Cleo Clausen', jobTitle: null, email: null },
        }),
        person('p4', {
          sourceKey: linked('4'),
          fields: { displayName: 'Dan Dorn', jobTitle: null, email: null },
        }),
      ],
      teams: [],
    },
    config: cfg,
    now: NOW,
  }),
  cfg.policy,
)

describe('renderPlan', () => {
  it('shows a line per change, the changed fields only, issues and a summary', () => {
    expect(renderPlan(result)).toBe(
      [
        'Plan for connection personio-acme: complete read of 4 employees against 3 people, 2026-11-21',
        'NEEDS APPROVAL',
        '  leaver_threshold: 1 of 3 active people (33.3%) would become leavers, more than the threshold of 20%',
        '',
        '~ Ben Braun  update · fields_changed',
        '    jobTitle: "Engineer" → "Lead"',
        '- Cleo Clausen  mark_leaver · terminated_in_source',
        '    status: "active" → "leaver"',
        '    leaverDate: — → "2026-10-31"',
        '    groups: [] → ["Ex-employees"]',
        '+ Anna Müller  create · new_in_source',
        '    displayName: "Anna Müller"',
        '    email: "anna@acme.de"',
        '    identifier: "anna@acme.de"',
        '    sourceKey: "personio-acme/1"',
        '    status: "active"',
        '    groups: []',
        '+ team Sales  create · new_department',
        '+ Anna Müller joins team Sales (new)  · new_in_source',
        '  (1 unchanged or filtered out, not shown)',
        '',
        'Summary: 1 to create, 1 to update, 1 leavers, 0 reactivated, 1 unchanged, 0 skipped',
        '         teams 1 new, 0 changed; 1 joins, 0 leaves; 0 manager changes',
        '',
      ].join('\n'),
    )
  })

  it('lists unchanged people when asked', () => {
    expect(renderPlan(result, { verbose: true })).toContain('  Dan Dorn  noop · up_to_date')
  })

  it('gives JSON that reads back as the same plan', () => {
    expect(JSON.parse(renderPlanJson(result))).toEqual(JSON.parse(JSON.stringify(result)))
  })

  it('shows an unchanged person who carries a warning', () => {
    const warned = plan({
      connectionId: CONNECTION,
      source: source([employee('5', { firstName: 'Ann', lastName: 'A', mobilePhone: '12' })]),
      target: {
        people: [person('p5', { sourceKey: linked('5'), fields: { displayName: 'Ann A' } })],
        teams: [],
      },
      config: config({
        mapping: {
          displayName: { transforms: [{ op: 'name_format', format: 'first_last' }] },
          phone: { from: 'mobilePhone', transforms: [{ op: 'phone_e164', defaultCountry: 'DE' }] },
        },
      }),
      now: NOW,
    })
    expect(renderPlan(warned)).toContain(
      '  Ann A  noop · up_to_date\n    warning: Mobile phone: "12" is not a valid phone number',
    )
  })
})
