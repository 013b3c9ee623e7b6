import { describe, expect, it } from 'vitest'

import { MemoryTarget } from '../targets/memory/memory-target.ts'
import { runDemo } from './demo.ts'
import { SAMPLE_DIRECTORY } from './sample-company.ts'

describe('npm start (the demo)', () => {
  it('previews, syncs one person as a test, syncs the rest after approval, and ends in step', async () => {
    const target = new MemoryTarget(structuredClone(SAMPLE_DIRECTORY))
    const lines: string[] = []
    await runDemo(target, (text) => lines.push(text))
    const out = lines.join('\n')
    expect(out).toContain('~ Zoë Saldaña  update · linked (matched by work_email)')
    expect(out).toContain('- Former Colleague  mark_leaver · missing_from_source')
    expect(out).toContain('! Ben Braun  skip · terminated_never_imported')
    expect(out).toContain('2. Sync selected: Mehmet Öztürk only, as a test')
    expect(out).toContain(
      '3. The guard asks for approval: 1 of 4 active people (25%) would become leavers',
    )
    expect(out).toContain('5. Plan again: nothing left to do')
    expect(target.people.size).toBe(7)
    expect([...target.people.values()].filter((p) => p.inviteStatus === 'pending')).toHaveLength(3)
    expect(target.people.get('u-4')).toEqual(SAMPLE_DIRECTORY.people[3])
  })
})
