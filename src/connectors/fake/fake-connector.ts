import { z } from 'zod'

import { ok } from '../../core/errors.ts'
import { blankEmployee } from '../../core/model/employee.ts'
import type { Employee } from '../../core/model/employee.ts'
import type { Connector, FieldInfo, ReadEnd, ReadPage } from '../connector.ts'
import { SAMPLE_EMPLOYEES } from './sample-company.ts'

/** A company generated from a seed: the same seed and edition always give the same employees. */
export const FakeSourceConfig = z.strictObject({
  /** `sample`: the few hand-made employees of the demo (Acme GmbH); `generated`: from the seed. */
  company: z.enum(['generated', 'sample']).default('generated'),
  seed: z.int().min(0).default(1),
  employees: z.int().min(0).max(1_000_000).default(50),
  /** Each edition changes the job title of every tenth employee: something for a sync to do. */
  edition: z.int().min(0).default(0),
  domain: z
    .string()
    .regex(/^[a-z0-9.-]+$/)
    .default('acme.example'),
})
export type FakeSourceConfig = z.infer<typeof FakeSourceConfig>

const FIRST = ['Jürgen', 'Zoë', 'Ana', 'Łukasz', 'Søren', 'Amélie', 'Ömer', 'Ines', 'Noah', 'Mia']
const LAST = ['Müller', 'García', 'Nowak', 'Øberg', 'Dubois', 'Yılmaz', 'Rossi', 'Smith', 'Kim']
const DEPARTMENTS = ['Engineering', 'Sales', 'Finance', 'People', 'Operations', 'Marketing']
const TITLES = ['Engineer', 'Manager', 'Analyst', 'Specialist', 'Lead']

/** A small deterministic generator (mulberry32): no randomness between runs. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const ascii = (text: string) =>
  text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[łŁ]/g, 'l')
    .replace(/[øØ]/g, 'o')
    .replace(/ı/g, 'i')
    .toLowerCase()

/** The employees of a generated company: departments, a supervisor tree, ~5% terminated. */
export function fakeEmployees(config: FakeSourceConfig): Employee[] {
  if (config.company === 'sample') return structuredClone([...SAMPLE_EMPLOYEES])
  const next = random(config.seed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T
  const out: Employee[] = []
  for (let i = 1; i <= config.employees; i++) {
    const id = String(i)
    const first = pick(FIRST)
    const last = pick(LAST)
    const department = pick(DEPARTMENTS)
    const terminated = next() < 0.05
    const title = pick(TITLES)
    const edited = config.edition > 0 && i % 10 === config.edition % 10
    out.push({
      ...blankEmployee(id, terminated ? 'terminated' : 'active'),
      employeeNumber: `E${String(i).padStart(6, '0')}`,
      firstName: first,
      lastName: last,
      workEmail: `${ascii(first)}.${ascii(last)}.${id}@${config.domain}`,
      hireDate: `20${String(10 + (i % 15)).padStart(2, '0')}-0${1 + (i % 9)}-1${i % 10}`,
      terminationDate: terminated ? '2025-06-30' : null,
      department: { id: ascii(department), name: department },
      position: { id: null, name: edited ? `Senior ${title} (${config.edition})` : title },
      supervisorExternalId: i === 1 ? null : String(Math.max(1, Math.floor(i / 8))),
    })
  }
  return out
}

const PAGE = 1000

/**
 * A connector over a generated company, for tests, benchmarks and trying hris-sync without an HR
 * system. It needs no credentials and always reads completely.
 */
export const fakeConnector: Connector<FakeSourceConfig, null> = {
  id: 'fake',
  configSchema: FakeSourceConfig,
  secretSchema: null,
  capabilities: { incremental: false, includesTerminated: true, customFields: false },
  check: () => Promise.resolve(ok(undefined)),
  discoverFields(config) {
    const [first] = fakeEmployees({ ...config, employees: Math.min(config.employees, 1) })
    const fields: FieldInfo[] = (
      [
        ['externalId', 'Employee id'],
        ['employeeNumber', 'Employee number'],
        ['firstName', 'First name'],
        ['lastName', 'Last name'],
        ['workEmail', 'Work email'],
        ['status', 'Status'],
        ['hireDate', 'Hire date'],
        ['terminationDate', 'Termination date'],
        ['department', 'Department'],
        ['position', 'Position'],
        ['supervisorExternalId', 'Supervisor'],
      ] as const
    ).map(([path, label]) => {
      const value = first?.[path] ?? null
      return {
        path,
        key: path,
        label,
        custom: false,
        type: path.endsWith('Date') ? 'date' : 'text',
        sample: value !== null && typeof value === 'object' ? value.name : value,
      }
    })
    return Promise.resolve(ok(fields))
  },
  async *read(config, _secret, ctx): AsyncGenerator<ReadPage, ReadEnd> {
    const employees = fakeEmployees(config)
    for (let i = 0; i < employees.length; i += PAGE) {
      await Promise.resolve()
      ctx.progress?.({ read: Math.min(i + PAGE, employees.length), total: employees.length })
      yield { records: employees.slice(i, i + PAGE) }
    }
    return { complete: true, readableFields: null, watermark: null, issues: [] }
  },
}
