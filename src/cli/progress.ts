import type { Progress } from '../engine/engine.ts'

const count = (n: number) => Math.round(n).toLocaleString('en-US')
const WORDS: Record<Progress['phase'], string> = {
  reading: 'reading employees',
  planning: 'planning',
  applying: 'applying changes',
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?'
  if (seconds < 60) return `${Math.ceil(seconds)}s`
  return `${Math.floor(seconds / 60)}m${String(Math.ceil(seconds % 60)).padStart(2, '0')}s`
}

/**
 * A progress line on a terminal: counts, rate and time left, redrawn in place at most ten times a
 * second. Off (a no-op) when the stream is not a terminal or the output is JSON.
 */
export function progressLine(
  stream: { write(text: string): unknown },
  enabled: boolean,
  now: () => number = () => performance.now(),
): { update(p: Progress): void; end(): void } {
  let phase: Progress['phase'] | null = null
  let started = 0
  // a new phase is drawn at once, whatever the clock reads
  let drawn = -Infinity
  let shown = false
  return {
    update(p) {
      if (!enabled) return
      const t = now()
      if (p.phase !== phase) {
        phase = p.phase
        started = t
        drawn = -Infinity
      }
      const last = p.total !== null && p.done >= p.total
      if (t - drawn < 100 && !last) return
      drawn = t
      const seconds = (t - started) / 1000
      const rate = seconds > 0 ? p.done / seconds : 0
      const parts = [
        p.total === null
          ? `${WORDS[p.phase]}: ${count(p.done)}`
          : `${WORDS[p.phase]}: ${count(p.done)}/${count(p.total)}`,
      ]
      if (rate > 0) parts.push(`${count(rate)}/s`)
      if (p.total !== null && rate > 0 && !last)
        parts.push(`ETA ${duration((p.total - p.done) / rate)}`)
      stream.write(`\r\u001b[2K${parts.join(' · ')}`)
      shown = true
    },
    end() {
      if (shown) stream.write('\r\u001b[2K')
      shown = false
    },
  }
}

/** Progress as one JSON object per line on stderr, for programs that wrap the command. */
export function jsonProgress(stream: { write(text: string): unknown }): {
  update(p: Progress): void
  end(): void
} {
  return {
    update: (p) => stream.write(`${JSON.stringify({ progress: p })}\n`),
    end: () => undefined,
  }
}

/** How progress is shown: on a terminal (`auto`), as JSON lines, or not at all. */
export const PROGRESS_MODES = ['auto', 'json', 'off'] as const
export type ProgressMode = (typeof PROGRESS_MODES)[number]

/**
 * The progress a command shows on `stream` (stderr): `auto` draws a line only on a terminal and
 * never beside `--json` output; `json` writes JSON lines wherever it goes; `off` nothing.
 */
export function progressFor(
  stream: { write(text: string): unknown; readonly isTTY?: boolean },
  options: { mode: ProgressMode; json: boolean; now?: () => number },
): { update(p: Progress): void; end(): void } {
  if (options.mode === 'json') return jsonProgress(stream)
  const enabled = options.mode === 'auto' && stream.isTTY === true && !options.json
  return progressLine(stream, enabled, options.now)
}
