import type { Migration } from 'kysely'

import { initial } from './0001-initial.ts'

/** Every migration, in order; names never change once released. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-initial': initial,
}
