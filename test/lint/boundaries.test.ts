import { existsSync } from 'node:fs'

import { ESLint } from 'eslint'
import tseslint from 'typescript-eslint'

import { unitOf } from '../../eslint/layers.js'
import { describe, expect, it } from 'vitest'

// The folder table of DESIGN.md is enforced by lint; these cases prove the rules fire.
const eslint = new ESLint({ cwd: process.cwd() })
// for files that do not exist the project service has no types; the path rules need none
const untyped = new ESLint({
  cwd: process.cwd(),
  overrideConfig: tseslint.configs.disableTypeChecked,
})

async function problems(filePath: string, code: string): Promise<string[]> {
  const linter = existsSync(filePath) ? eslint : untyped
  const [result] = await linter.lintText(code, { filePath })
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`)
}

const boundary = (list: string[]) =>
  list.filter((p) => p.startsWith('no-restricted-imports') || p.startsWith('hris/layers'))

const core = 'src/core/plan/plan.ts'
const engine = 'src/engine/apply-plan.ts'
const adapter = 'src/targets/memory/memory-target.ts'

// the first lint of a run starts the TypeScript project service: seconds on a busy machine
describe('import boundaries', { timeout: 60_000 }, () => {
  it.each([
    [core, "import { applyPlan } from '../../engine/apply-plan.ts'", 'core/ is pure'],
    [core, "import { readFileSync } from 'node:fs'", 'core/ is pure'],
    [core, "import { MemoryTarget } from '../../targets/memory/memory-target.ts'", 'core/ is pure'],
    [core, "import { world } from '../../../test/helpers/arbitraries.ts'", 'does not import tests'],
    [
      engine,
      "import { MemoryTarget } from '../targets/memory/memory-target.ts'",
      'never an adapter',
    ],
    [adapter, "import { applyPlan } from '../../engine/apply-plan.ts'", 'an adapter imports'],
    // other spellings of the same paths (found in review)
    [adapter, "import { applyPlan } from './../../engine/apply-plan.ts'", 'an adapter imports'],
    [
      adapter,
      "import { applyPlan } from '../../core/../engine/apply-plan.ts'",
      'an adapter imports',
    ],
    [
      engine,
      "import { MemoryTarget } from './../targets/memory/memory-target.ts'",
      'never an adapter',
    ],
    [
      engine,
      "export const m = await import('../targets/memory/memory-target.ts')",
      'never an adapter',
    ],
    [core, "export type M = typeof import('../../engine/apply-plan.ts')", 'core/ is pure'],
    [
      'src/wiring.ts',
      "export { MemoryTarget } from './targets/memory/memory-target.ts'",
      'only src/main.ts wires',
    ],
    [
      'src/cli/cli.ts',
      "import { startPersonioSim } from '../../sim/personio/start-personio-sim.ts'",
      'product code does not import tests, simulators',
    ],
  ])('%s may not %s', async (file, code, message) => {
    const found = boundary(await problems(file, `${code}\nexport const x = 1\n`))
    expect(found).toHaveLength(1)
    expect(found[0]).toContain(message)
  })

  it.each([
    [core, "import { createHash } from 'node:crypto'"],
    [core, "import { z } from 'zod'"],
    [core, "import { guard } from '../guard/guard.ts'"],
    [engine, "import type { Target } from '../targets/target.ts'"],
    [engine, "import { guard } from '../core/guard/guard.ts'"],
    [adapter, "import type { Target } from '../target.ts'"],
    ['src/storage/repos/people.ts', "import type { Store } from '../store.ts'"],
    ['src/main.ts', "import { MemoryTarget } from './targets/memory/memory-target.ts'"],
    // the sandbox of npm start runs the Personio simulator
    ['src/main.ts', "import { startPersonioSim } from '../sim/personio/start-personio-sim.ts'"],
  ])('%s may %s', async (file, code) => {
    expect(boundary(await problems(file, `${code}\nexport const x = 1\n`))).toEqual([])
  })

  it('checks files of every TypeScript ending, and import() of a computed path', async () => {
    const mts = await problems(
      'src/engine/other.mts',
      "import { MemoryTarget } from '../targets/memory/memory-target.ts'\nexport const x = MemoryTarget\n",
    )
    expect(boundary(mts)).toHaveLength(1)
    const computed = await problems(
      engine,
      "const where = '../targets/memory/memory-target.ts'\nexport const m: unknown = await import(where)\n",
    )
    expect(computed).toContain('no-restricted-syntax: import() takes a literal path here')
  })

  it('keeps console out of everything but cli/', async () => {
    expect(await problems(core, "console.log('x')\n")).toContain(
      'no-console: Unexpected console statement.',
    )
  })

  it('catches a floating promise', async () => {
    const found = await problems(
      engine,
      'async function f(): Promise<void> {}\nexport function g(): void {\n  f()\n}\n',
    )
    expect(found.some((p) => p.startsWith('@typescript-eslint/no-floating-promises'))).toBe(true)
  })

  it.each([
    ['src/core/plan/plan.ts', 'core'],
    ['src/connectors/personio/client.ts', 'connectors/personio'],
    ['src/connectors/connector.ts', 'connectors/connector.ts'],
    ['src/connectors/http.ts', 'connectors/http.ts'],
    ['src/targets/memory/memory-target.ts', 'targets/memory'],
    ['src/storage/store.ts', 'storage/store.ts'],
    ['src/storage/db.ts', 'storage'],
    ['src/storage/repos/people.ts', 'storage'],
    ['src/main.ts', 'main.ts'],
    ['test/helpers/factories.ts', 'test'],
  ])('%s is in %s', (file, unit) => {
    expect(unitOf(`${process.cwd()}/${file}`)).toBe(unit)
  })
})
