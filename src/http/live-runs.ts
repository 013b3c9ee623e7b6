import type { Progress } from '../engine/engine.ts'

/**
 * What runs of this process are doing now: a preview reading the HR system, an apply writing
 * the directory. Kept in memory: a run another process works on shows its state, not progress.
 */
export class LiveRuns {
  readonly #progress = new Map<string, Progress>()
  /** Connections with a preview starting or in flight here. */
  readonly #connections = new Set<string>()
  readonly #work = new Set<Promise<unknown>>()

  progress(runId: string): Progress | null {
    return this.#progress.get(runId) ?? null
  }

  update(runId: string, progress: Progress): void {
    this.#progress.set(runId, progress)
  }

  end(runId: string): void {
    this.#progress.delete(runId)
  }

  busy(connectionId: string): boolean {
    return this.#connections.has(connectionId)
  }

  /** Keeps `work` on the books until it settles: the server waits for it before it stops. */
  track<T>(connectionId: string | null, work: Promise<T>): Promise<T> {
    if (connectionId !== null) this.#connections.add(connectionId)
    const settled = work.finally(() => {
      if (connectionId !== null) this.#connections.delete(connectionId)
      this.#work.delete(settled)
    })
    this.#work.add(settled)
    return settled
  }

  /** Waits for everything in flight (its own errors are reported where it was started). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.#work])
  }
}
