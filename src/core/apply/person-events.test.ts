import { describe, expect, it } from 'vitest'

import { packPersonEvents, unpackPersonEvents } from './person-events.ts'
import type { PersonEvent } from './person-events.ts'

describe('person events in the outbox', () => {
  const events: PersonEvent[] = [
    { kind: 'person.created', personId: 'p1', identifier: 'ada@acme.example', status: 'active' },
    { kind: 'person.updated', personId: 'p2', identifier: null, status: 'active' },
    {
      kind: 'person.left',
      personId: 'p3',
      identifier: 'cy@acme.example',
      status: 'leaver',
      leaverDate: '2026-10-31',
    },
  ]
  const asWebhooks = events.map(({ kind, ...data }) => ({ kind, data }))

  it('are packed as arrays and read back as each webhook tells them', () => {
    const packed = packPersonEvents(events)
    expect(packed.people[0]).toEqual(['person.created', 'p1', 'ada@acme.example', 'active'])
    expect(JSON.stringify(packed).length).toBeLessThan(JSON.stringify({ events }).length * 0.7)
    expect(unpackPersonEvents(JSON.parse(JSON.stringify(packed)) as never)).toEqual(asWebhooks)
  })

  it('are read the same from a payload queued before they were packed', () => {
    expect(unpackPersonEvents({ events })).toEqual(asWebhooks)
    expect(unpackPersonEvents({ events: [null, { kind: 3 }] })).toEqual([])
    expect(unpackPersonEvents({})).toEqual([])
  })
})
