import cronParser from 'cron-parser'

/** The first time after `after` that a five-field cron expression names, in `timeZone`. */
export function nextCronTime(cron: string, after: Date, timeZone: string): Date {
  return cronParser.parseExpression(cron, { currentDate: after, tz: timeZone }).next().toDate()
}
