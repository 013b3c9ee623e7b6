import { formatPath, issuesFromZod } from '../errors.ts'
import { Employee } from './employee.ts'
import type { InvalidRecord } from './employee.ts'

/**
 * Checks what a normalizer produced, record by record: every valid one is an `Employee`, every
 * other an `InvalidRecord` whose issues name the record and the field ("employee 42: hireDate:
 * Invalid ISO date"). One bad record never stops the others; the plan skips it as
 * `invalid_record` and never mistakes it for a leaver.
 */
export function validateEmployees(records: readonly unknown[]): {
  employees: Employee[]
  invalid: InvalidRecord[]
} {
  const employees: Employee[] = []
  const invalid: InvalidRecord[] = []
  records.forEach((record, index) => {
    const parsed = Employee.safeParse(record)
    if (parsed.success) {
      employees.push(parsed.data)
      return
    }
    const id = (record as { externalId?: unknown } | null)?.externalId
    const externalId = typeof id === 'string' && id.trim() !== '' ? id : null
    const name = externalId === null ? `record ${index + 1}` : `employee ${externalId}`
    invalid.push({
      externalId,
      issues: issuesFromZod(parsed.error, [], externalId ?? `#${index + 1}`).map((issue) => ({
        ...issue,
        message: `${name}: ${formatPath(issue.path) || 'record'}: ${issue.message}`,
      })),
    })
  })
  return { employees, invalid }
}
