import type { Migration } from 'kysely'

import { initial } from './0001-initial.ts'
import { http } from './0002-http.ts'
import { jobs } from './0003-jobs.ts'
import { workspaceIndexes } from './0004-workspace-indexes.ts'
import { identifierCase } from './0005-identifier-case.ts'
import { webhookAttempts } from './0006-webhook-attempts.ts'
import { applies } from './0007-applies.ts'
import { connectorTokens } from './0008-connector-tokens.ts'

/** Every migration, in order; names never change once released. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-initial': initial,
  '0002-http': http,
  '0003-jobs': jobs,
  '0004-workspace-indexes': workspaceIndexes,
  '0005-identifier-case': identifierCase,
  '0006-webhook-attempts': webhookAttempts,
  '0007-applies': applies,
  '0008-connector-tokens': connectorTokens,
}
