import { z } from 'zod'

import type { Employee } from '../model/employee.ts'
import type { Person } from '../model/person.ts'

/**
 * How an employee is found among existing people, tried in order: by work email, employee number,
 * personal email, a custom field (`{ custom: "dynamic_123" }`), or by name (opt-in: names repeat).
 */
export const IdentifierRule = z.union([
  z.enum(['work_email', 'employee_number', 'personal_email', 'name']),
  z.strictObject({ custom: z.string().regex(/^[A-Za-z0-9_-]+$/) }),
])
export type IdentifierRule = z.infer<typeof IdentifierRule>

export function ruleName(rule: IdentifierRule): string {
  return typeof rule === 'string' ? rule : `custom.${rule.custom}`
}

/** Emails compare trimmed and case-insensitively. */
const emailKey = (value: string | null): string | null => {
  const key = value?.trim().toLowerCase()
  return key ? key : null
}

/** Other identifiers compare trimmed and case-insensitively too, as the directory holds them. */
const plainKey = (value: string | null): string | null => plainValue(value)?.toLowerCase() ?? null

const plainValue = (value: string | null): string | null => {
  const key = value?.trim()
  return key ? key : null
}

/** Names compare ignoring case, accents, word order and commas: "Müller, Jürgen" = "jurgen muller". */
/** Letters that are not a base letter plus accents, so NFKD leaves them as they are. */
const FOLD: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
}

export function nameKey(...parts: (string | null)[]): string | null {
  const words = parts
    .join(' ')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[ßæœøłđðþı]/g, (c) => FOLD[c] ?? c)
    .split(/[\s,]+/)
    .filter((w) => w !== '')
  return words.length === 0 ? null : words.sort().join(' ')
}

/** The employee's key under a rule, or null when the employee has no value for it. */
export function employeeKey(rule: IdentifierRule, e: Employee): string | null {
  if (typeof rule !== 'string') {
    const value = e.custom[rule.custom]?.value
    return typeof value === 'string' || typeof value === 'number' ? plainKey(String(value)) : null
  }
  switch (rule) {
    case 'work_email':
      return emailKey(e.workEmail)
    case 'personal_email':
      return emailKey(e.personalEmail)
    case 'employee_number':
      return plainKey(e.employeeNumber)
    case 'name':
      return e.firstName === null || e.lastName === null ? null : nameKey(e.firstName, e.lastName)
  }
}

/**
 * The identifier a person gets from the employee under a rule: its key, but an employee number or
 * custom value keeps its case (`E-7`, matched as `e-7`). Null when the employee has no value.
 */
export function employeeIdentifier(rule: IdentifierRule, e: Employee): string | null {
  if (typeof rule !== 'string') {
    const value = e.custom[rule.custom]?.value
    return typeof value === 'string' || typeof value === 'number' ? plainValue(String(value)) : null
  }
  return rule === 'employee_number' ? plainValue(e.employeeNumber) : employeeKey(rule, e)
}

/** The key an identifier is compared by (the directory's uniqueness ignores case). */
export const identifierKey = (identifier: string | null): string | null =>
  identifier === null ? null : identifier.toLowerCase()

/** A directory value as key text: numbers count too (an employee number stored as 1234). */
const text = (v: unknown): string | null =>
  typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : null

/**
 * The keys a person can be found by under a rule: its `identifier` (set by the identifier import
 * or a previous sync) and the directory field the rule corresponds to.
 */
export function personKeys(rule: IdentifierRule, p: Person): string[] {
  const keys = new Set<string>()
  const add = (key: string | null) => {
    if (key !== null) keys.add(key)
  }
  const f = p.fields
  if (typeof rule !== 'string') {
    add(plainKey(p.identifier))
    add(plainKey(text(f[`custom.${rule.custom}`])))
    return [...keys]
  }
  switch (rule) {
    case 'work_email':
      add(emailKey(p.identifier))
      add(emailKey(text(f['email'])))
      break
    case 'personal_email':
      add(emailKey(p.identifier))
      add(emailKey(text(f['personalEmail'])))
      break
    case 'employee_number':
      add(plainKey(p.identifier))
      add(plainKey(text(f['employeeNumber'])))
      break
    case 'name': {
      const first = text(f['firstName'])
      const last = text(f['lastName'])
      if (first !== null && last !== null) add(nameKey(first, last))
      add(nameKey(text(f['displayName'])))
      break
    }
  }
  return [...keys]
}
