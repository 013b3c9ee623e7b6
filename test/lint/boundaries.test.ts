import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

// The folder table of DESIGN.md is enforced by lint; these cases prove the rules fire.
const eslint = new ESLint({ cwd: process.cwd() })

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath })
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`)
}

const restricted = (list: string[]) => list.filter((p) => p.startsWith('no-restricted-imports'))

describe('import boundaries', () => {
  it.each([
    [
      'src/core/plan/plan.ts',
      "import { applyPlan } from '../../engine/apply-plan.ts'",
      'core/ is pure',
    ],
    ['src/core/plan/plan.ts', "import { readFileSync } from 'node:fs'", 'core/ is pure'],
    [
      'src/core/plan/plan.ts',
      "import { MemoryTarget } from '../../targets/memory/memory-target.ts'",
      'core/ is pure',
    ],
    [
      'src/engine/apply-plan.ts',
      "import { MemoryTarget } from '../targets/memory/memory-target.ts'",
      'never an adapter',
    ],
    [
      'src/targets/memory/memory-target.ts',
      "import { applyPlan } from '../../engine/apply-plan.ts'",
      'an adapter imports',
    ],
  ])('%s may not %s', async (file, code, message) => {
    const found = restricted(await problems(file, `${code}\nexport const x = 1\n`))
    expect(found).toHaveLength(1)
    expect(found[0]).toContain(message)
  })

  it.each([
    ['src/core/plan/plan.ts', "import { createHash } from 'node:crypto'"],
    ['src/core/plan/plan.ts', "import { z } from 'zod'"],
    ['src/core/plan/plan.ts', "import { guard } from '../guard/guard.ts'"],
    ['src/engine/apply-plan.ts', "import type { Target } from '../targets/target.ts'"],
    ['src/targets/memory/memory-target.ts', "import type { Target } from '../target.ts'"],
  ])('%s may %s', async (file, code) => {
    expect(restricted(await problems(file, `${code}\nexport const x = 1\n`))).toEqual([])
  })

  it('keeps console out of everything but cli/', async () => {
    expect(await problems('src/core/plan/plan.ts', "console.log('x')\n")).toContain(
      'no-console: Unexpected console statement.',
    )
  })

  it('catches a floating promise', async () => {
    const found = await problems(
      'src/engine/apply-plan.ts',
      'async function f(): Promise<void> {}\nexport function g(): void {\n  f()\n}\n',
    )
    expect(found.some((p) => p.startsWith('@typescript-eslint/no-floating-promises'))).toBe(true)
  })
})
