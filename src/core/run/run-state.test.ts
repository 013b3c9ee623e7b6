import { describe, expect, it } from 'vitest'

import {
  OPEN_RUN_STATES,
  RUN_STATES,
  RUN_TRANSITIONS,
  canTransition,
  isFinished,
} from './run-state.ts'
import type { RunState } from './run-state.ts'

describe('run states', () => {
  it('follows the table, and nothing else', () => {
    const allowed = RUN_STATES.flatMap((from) =>
      RUN_STATES.filter((to) => canTransition(from, to)).map((to) => `${from} → ${to}`),
    )
    expect(allowed).toEqual([
      'queued → reading',
      'queued → failed',
      'queued → cancelled',
      'reading → planned',
      'reading → failed',
      'reading → cancelled',
      'planned → awaiting_approval',
      'planned → applying',
      'planned → succeeded',
      'planned → failed',
      'planned → cancelled',
      'awaiting_approval → applying',
      'awaiting_approval → failed',
      'awaiting_approval → cancelled',
      'applying → planned',
      'applying → awaiting_approval',
      'applying → succeeded',
      'applying → failed',
      'failed → applying',
    ])
  })

  it('never leaves succeeded or cancelled, and never goes back to reading', () => {
    expect(RUN_TRANSITIONS.succeeded).toEqual([])
    expect(RUN_TRANSITIONS.cancelled).toEqual([])
    const back: RunState[] = ['planned', 'awaiting_approval', 'applying', 'failed']
    for (const from of back) expect(canTransition(from, 'reading')).toBe(false)
  })

  it('reaches a finished state from every state', () => {
    for (const start of RUN_STATES) {
      const seen = new Set<RunState>([start])
      const queue = [start]
      for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
        for (const next of RUN_TRANSITIONS[s]) {
          if (seen.has(next)) continue
          seen.add(next)
          queue.push(next)
        }
      }
      expect([...seen].some(isFinished), start).toBe(true)
    }
  })

  it('calls exactly the waiting and working states open', () => {
    expect(RUN_STATES.filter((s) => !isFinished(s))).toEqual(OPEN_RUN_STATES)
    expect(isFinished('failed')).toBe(true)
  })
})
