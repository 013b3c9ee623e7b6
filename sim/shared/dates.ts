// Calendar helpers for generated HR data. Days are 'YYYY-MM-DD' strings; instants are Dates.
// Local time is Central European time (Europe/Berlin rules), the zone of the simulated company.

const DAY_MS = 86_400_000

const pad = (n: number, width = 2) => String(n).padStart(width, '0')

/** The UTC day of an instant, 'YYYY-MM-DD'. */
export const dayOf = (instant: Date): string => instant.toISOString().slice(0, 10)

export const addDays = (day: string, days: number): string =>
  dayOf(new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS))

export const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS)

const lastSundayUtc = (year: number, month: number): number => {
  const last = new Date(Date.UTC(year, month + 1, 0))
  return Date.UTC(year, month, last.getUTCDate() - last.getUTCDay(), 1)
}

/** Minutes east of UTC in Berlin at an instant: 60, or 120 in summer time. */
export const berlinOffsetMinutes = (instant: Date): number => {
  const year = instant.getUTCFullYear()
  const t = instant.getTime()
  return t >= lastSundayUtc(year, 2) && t < lastSundayUtc(year, 9) ? 120 : 60
}

const offsetText = (minutes: number) => `+${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`

/** An instant as Berlin wall time with its offset: '2020-11-18T17:33:55+01:00'. */
export const formatBerlinInstant = (instant: Date): string => {
  const offset = berlinOffsetMinutes(instant)
  const local = new Date(instant.getTime() + offset * 60_000).toISOString().slice(0, 19)
  return `${local}${offsetText(offset)}`
}

/** A day as Berlin midnight with its offset: '2014-11-09T00:00:00+01:00'. */
export const formatBerlinDay = (day: string): string => {
  const noonUtc = new Date(`${day}T12:00:00Z`)
  return `${day}T00:00:00${offsetText(berlinOffsetMinutes(noonUtc))}`
}

/** An instant in UTC without milliseconds: '2017-07-21T17:32:28Z'. */
export const formatUtcInstant = (instant: Date): string => `${instant.toISOString().slice(0, 19)}Z`

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/
const ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/

/**
 * Reads 'YYYY-MM-DD', 'YYYY-MM-DDTHH:mm[:ss]' (Berlin wall time) or an ISO 8601 instant with an
 * offset; null when it is none of these.
 */
export const parseBerlinTime = (text: string): Date | null => {
  if (ZONED.test(text)) {
    const t = Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'))
    return Number.isNaN(t) ? null : new Date(t)
  }
  const m = LOCAL.exec(text)
  if (!m) return null
  const [, y, mo, d, h = '00', mi = '00', s = '00'] = m
  const asUtc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s))
  if (Number.isNaN(asUtc) || dayOf(new Date(asUtc)) !== `${y}-${mo}-${d}`) return null
  // the offset that applies at that wall time (an hour off only inside the yearly switch)
  return new Date(asUtc - berlinOffsetMinutes(new Date(asUtc - 60 * 60_000)) * 60_000)
}
