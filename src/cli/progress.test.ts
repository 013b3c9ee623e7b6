import { Writable } from 'node:stream'

import { describe, expect, it } from 'vitest'

import { progressFor } from './progress.ts'

/** stderr as a terminal (or not): every write kept, in order. */
function stderr(isTTY: boolean) {
  const writes: string[] = []
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        writes.push(chunk.toString())
        done()
      },
    }),
    { isTTY },
  )
  return { stream, writes }
}

/** A clock the test moves, in milliseconds. */
function clock() {
  let t = 0
  return { now: () => t, at: (ms: number) => (t = ms) }
}

const CLEAR = '\r\u001b[2K'

describe('progress on stderr', () => {
  it('draws counts, rate and time left on a terminal, at most ten times a second', () => {
    const { stream, writes } = stderr(true)
    const time = clock()
    const progress = progressFor(stream, { mode: 'auto', json: false, now: time.now })
    progress.update({ phase: 'applying', done: 0, total: 10_000 })
    time.at(50)
    // within 100 ms of the last line: not drawn again
    progress.update({ phase: 'applying', done: 100, total: 10_000 })
    time.at(2_000)
    progress.update({ phase: 'applying', done: 2_500, total: 10_000 })
    time.at(4_000)
    progress.update({ phase: 'applying', done: 4_000, total: 10_000 })
    time.at(4_010)
    // the last count is always drawn, without a time left
    progress.update({ phase: 'applying', done: 10_000, total: 10_000 })
    progress.end()
    expect(writes).toEqual([
      `${CLEAR}applying changes: 0/10,000`,
      `${CLEAR}applying changes: 2,500/10,000 · 1,250/s · ETA 6s`,
      `${CLEAR}applying changes: 4,000/10,000 · 1,000/s · ETA 6s`,
      `${CLEAR}applying changes: 10,000/10,000 · 2,494/s`,
      CLEAR,
    ])
  })

  it('counts a read without a total, and starts the rate again at each phase', () => {
    const { stream, writes } = stderr(true)
    const time = clock()
    const progress = progressFor(stream, { mode: 'auto', json: false, now: time.now })
    progress.update({ phase: 'reading', done: 0, total: null })
    time.at(90_000)
    progress.update({ phase: 'reading', done: 45_000, total: null })
    progress.update({ phase: 'applying', done: 0, total: 600 })
    time.at(93_000)
    progress.update({ phase: 'applying', done: 100, total: 600 })
    expect(writes).toEqual([
      `${CLEAR}reading employees: 0`,
      `${CLEAR}reading employees: 45,000 · 500/s`,
      `${CLEAR}applying changes: 0/600`,
      `${CLEAR}applying changes: 100/600 · 33/s · ETA 15s`,
    ])
    time.at(400_000)
    progress.update({ phase: 'applying', done: 200, total: 600 })
    expect(writes.at(-1)).toBe(`${CLEAR}applying changes: 200/600 · 1/s · ETA 10m20s`)
  })

  it('writes nothing when stderr is not a terminal, beside --json, or when turned off', () => {
    const cases = [
      { isTTY: false, mode: 'auto', json: false },
      { isTTY: true, mode: 'auto', json: true },
      { isTTY: true, mode: 'off', json: false },
    ] as const
    for (const { isTTY, mode, json } of cases) {
      const { stream, writes } = stderr(isTTY)
      const time = clock()
      const progress = progressFor(stream, { mode, json, now: time.now })
      for (let i = 0; i <= 10; i++) {
        time.at(i * 1_000)
        progress.update({ phase: 'applying', done: i * 100, total: 1_000 })
      }
      progress.end()
      expect(writes, JSON.stringify({ isTTY, mode, json })).toEqual([])
    }
  })

  it('writes JSON lines when asked to, terminal or not', () => {
    const { stream, writes } = stderr(false)
    const progress = progressFor(stream, { mode: 'json', json: true })
    progress.update({ phase: 'reading', done: 3, total: null })
    progress.end()
    expect(writes).toEqual(['{"progress":{"phase":"reading","done":3,"total":null}}\n'])
  })
})
