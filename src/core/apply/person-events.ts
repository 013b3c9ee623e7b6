/** What happened to a person, as the application's webhooks are told: created, updated or left. */
export interface PersonEvent {
  readonly kind: 'person.created' | 'person.updated' | 'person.left'
  readonly personId: string
  readonly identifier: string | null
  readonly status: string
  /** `person.left` only. */
  readonly leaverDate?: string | null
}

type Packed = [PersonEvent['kind'], string, string | null, string, (string | null)?]

/**
 * A batch's person events as one `people.changed` outbox payload: each event an array
 * (`[kind, personId, identifier, status, leaverDate?]`), not an object repeating its key names:
 * a batch of a thousand people is one payload, written with the batch.
 */
export function packPersonEvents(events: readonly PersonEvent[]): { people: Packed[] } {
  return {
    people: events.map((e): Packed => {
      const packed: Packed = [e.kind, e.personId, e.identifier, e.status]
      if (e.leaverDate !== undefined) packed.push(e.leaverDate)
      return packed
    }),
  }
}

/**
 * The events of a `people.changed` payload, one by one, each its kind and its webhook data; a
 * payload queued before events were packed (`{ events: [{ kind, … }] }`) reads the same way.
 */
export function unpackPersonEvents(
  payload: Readonly<Record<string, unknown>>,
): { kind: string; data: Record<string, unknown> }[] {
  const { people, events } = payload
  if (Array.isArray(people)) {
    return people.flatMap((p: unknown) => {
      if (!Array.isArray(p) || typeof p[0] !== 'string') return []
      const [kind, personId, identifier, status] = p as Packed
      const data: Record<string, unknown> = { personId, identifier, status }
      if (p.length > 4) data['leaverDate'] = p[4] as unknown
      return [{ kind, data }]
    })
  }
  if (!Array.isArray(events)) return []
  return events.flatMap((e: unknown) => {
    if (e === null || typeof e !== 'object') return []
    const { kind, ...data } = e as Record<string, unknown>
    return typeof kind === 'string' ? [{ kind, data }] : []
  })
}
