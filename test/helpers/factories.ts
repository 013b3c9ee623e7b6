import type { Employee, Ref } from '../../src/core/model/employee.ts'
import { blankEmployee } from '../../src/core/model/employee.ts'
import type { Person, PersonContent, Team } from '../../src/core/model/person.ts'
import { personHash, teamHash } from '../../src/core/model/person.ts'
import type { SyncConfig } from '../../src/core/plan/sync-config.ts'
import { SyncConfig as SyncConfigSchema } from '../../src/core/plan/sync-config.ts'
import type { SourceSnapshot } from '../../src/core/plan/plan.ts'

export const CONNECTION = 'personio-acme'
export const NOW = '2026-11-21T10:00:00Z'

export const ref = (name: string, id: string | null = name.toLowerCase()): Ref => ({ id, name })

export function employee(externalId: string, values: Partial<Employee> = {}): Employee {
  return { ...blankEmployee(externalId), ...values }
}

/** A person as the directory holds it, with its hash computed from its content. */
export function person(id: string, values: Partial<Omit<Person, 'hash' | 'id'>> = {}): Person {
  const content: PersonContent = {
    fields: values.fields ?? {},
    identifier: values.identifier ?? null,
    sourceKey: values.sourceKey ?? null,
    status: values.status ?? 'active',
    leaverDate: values.leaverDate ?? null,
    groups: values.groups ?? [],
  }
  return {
    ...content,
    id,
    managerId: values.managerId ?? null,
    teamIds: values.teamIds ?? [],
    inviteStatus: values.inviteStatus ?? 'not_invited',
    hash: personHash(content),
  }
}

export const linked = (externalId: string, connectionId = CONNECTION) => ({
  connectionId,
  externalId,
})

export function team(id: string, name: string, sourceKey: Team['sourceKey'] = null): Team {
  return { id, name, sourceKey, hash: teamHash({ name, sourceKey }) }
}

export function config(input: unknown = {}): SyncConfig {
  return SyncConfigSchema.parse(input)
}

export function source(
  employees: Employee[],
  values: Partial<SourceSnapshot> = {},
): SourceSnapshot {
  return { employees, invalid: [], complete: true, readAt: NOW, readableFields: null, ...values }
}
