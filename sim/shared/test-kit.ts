// Helpers for tests that talk to a running simulator over 127.0.0.1.

/** A clock that moves only when told to. */
export interface FakeClock {
  readonly now: () => Date
  advance(ms: number): void
}

export const fakeClock = (start = '2026-03-02T09:00:00Z'): FakeClock => {
  let t = Date.parse(start)
  return {
    now: () => new Date(t),
    advance: (ms) => {
      t += ms
    },
  }
}

/** An answer read whole: the body parsed as JSON when it is JSON (else null), and its text. */
export interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly body: unknown
  readonly text: string
}

export const request = async (url: string, init: RequestInit = {}): Promise<Answer> => {
  const response = await fetch(url, init)
  const text = await response.text()
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    body = null
  }
  return { status: response.status, headers: response.headers, body, text }
}

/** The answer's media type, without parameters ('application/json'). */
export const mediaType = (answer: Answer): string =>
  (answer.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? ''
