import { createRoute, z } from '@hono/zod-openapi'
import type { OpenAPIHono } from '@hono/zod-openapi'

import { SyncError } from '../../core/errors.ts'
import { ApiError } from '../api-error.ts'
import { recentlyConfirmed, requireApprover } from '../auth.ts'
import type { ApplyRecord, PlanHeader, Run } from '../../storage/store.ts'
import { actorName, audited } from '../http-deps.ts'
import type { Actor, AppEnv, HttpDeps } from '../http-deps.ts'
import type { LiveRuns } from '../live-runs.ts'
import { ERRORS, body, json } from '../responses.ts'
import {
  ChangeSchema,
  IssueSchema,
  List,
  Paging,
  ProgressSchema,
  ResultSchema,
  RunSchema,
} from '../schemas.ts'
import { secureRoute } from '../secure-route.ts'
import { confirm } from './auth-routes.ts'

const PlanParams = z.object({ workspaceId: z.string(), planId: z.string() })
const RunParams = z.object({ workspaceId: z.string(), runId: z.string() })

const PlanHeaderSchema = z
  .object({
    id: z.string(),
    runId: z.string(),
    connectionId: z.string(),
    createdAt: z.string(),
    plan: z
      .looseObject({
        complete: z.boolean(),
        basis: z.record(z.string(), z.unknown()),
        summary: z.record(z.string(), z.unknown()),
        issues: z.array(IssueSchema),
        approval: z.object({
          required: z.boolean(),
          findings: z.array(z.object({ code: z.string(), message: z.string() })),
        }),
      })
      .openapi({ description: 'The plan without its changes.' }),
    counts: z.array(
      z.object({ kind: z.string(), action: z.string(), reason: z.string(), count: z.number() }),
    ),
    results: z.record(z.string(), z.number()),
  })
  .openapi('PlanHeader')

const ApplyEntry = z
  .object({
    seq: z
      .number()
      .openapi({ description: 'Its number in the run: 1, 2… (0: before applies were kept).' }),
    state: z.enum(['applying', 'succeeded', 'failed']),
    selection: z.union([z.literal('all'), z.number()]),
    approved: z.boolean(),
    actor: z
      .string()
      .nullable()
      .openapi({ description: 'Who applied it; null: the command or a schedule.' }),
    counts: z.record(z.string(), z.number()).nullable(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi('Apply', {
    description:
      'One apply of the run’s plan ("Sync selected", "Sync all"): what was selected, who applied it, and what its own changes came to (`counts`; a change an earlier apply made is not counted again). Its results are at …/runs/{runId}/results?apply={seq}.',
  })

/** Plans (paged changes, apply) and runs (history, progress, per-change results). */
export function planRoutes(app: OpenAPIHono<AppEnv>, deps: HttpDeps, live: LiveRuns) {
  const { store, views } = deps
  const now = deps.now ?? (() => new Date())

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'get',
        path: '/api/v1/workspaces/{workspaceId}/plans/{planId}',
        tags: ['Previews'],
        summary:
          'A plan: summary, approval, issues, and how many changes of each action and reason',
        request: { params: PlanParams },
        responses: { 200: json(PlanHeaderSchema, 'The plan.'), 401: ERRORS[401], 404: ERRORS[404] },
      }),
    ),
    async (c) => {
      const { workspaceId, planId } = c.req.valid('param')
      const header = await views.planHeader(workspaceId, planId)
      if (!header) throw new SyncError('not_found', `plan ${planId} not found`)
      const plan = {
        ...header.plan,
        issues: header.plan.issues.map((i) => ({ ...i, path: [...i.path] })),
        approval: { ...header.plan.approval, findings: [...header.plan.approval.findings] },
      }
      return c.json({ ...header, plan, counts: [...header.counts] }, 200)
    },
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'get',
        path: '/api/v1/workspaces/{workspaceId}/plans/{planId}/changes',
        tags: ['Previews'],
        summary: 'The changes of a plan, paged and filtered',
        description:
          'Each filter takes one value or several (comma-separated). `status` is what applying came to: pending (not applied), applied, stale, skipped, failed.',
        request: {
          params: PlanParams,
          query: z.object({
            kind: List,
            action: List,
            reason: List,
            status: List,
            ...Paging,
          }),
        },
        responses: {
          200: json(
            z.object({
              total: z.number(),
              items: z.array(z.object({ change: ChangeSchema, result: ResultSchema.nullable() })),
            }),
            'A page of changes, in plan order.',
          ),
          400: ERRORS[400],
          401: ERRORS[401],
          404: ERRORS[404],
        },
      }),
    ),
    async (c) => {
      const { workspaceId, planId } = c.req.valid('param')
      const q = c.req.valid('query')
      const page = await views.planChanges(workspaceId, planId, {
        ...(q.kind ? { kinds: q.kind } : {}),
        ...(q.action ? { actions: q.action } : {}),
        ...(q.reason ? { reasons: q.reason } : {}),
        ...(q.status ? { statuses: q.status } : {}),
        offset: q.offset,
        limit: q.limit,
      })
      return c.json({ total: page.total, items: [...page.items] }, 200)
    },
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'post',
        path: '/api/v1/workspaces/{workspaceId}/plans/{planId}/apply',
        tags: ['Previews'],
        summary: 'Apply a plan: all of it, or the changes selected',
        description:
          'Starts the apply and answers at once (202) with its run, once the approval and the password are checked (what fails before anything is applied answers here: `approval_required`, `password_required`, `conflict`, `stale_plan`). A selection brings along what it needs (the selected people’s teams, memberships and manager links). A plan the guard holds needs `approve: true` (unless the selection makes nobody a leaver), else 409 `approval_required` with the guard’s findings as issues; only a signed-in admin who gave their password in the last 5 minutes may approve (an API token, or a member, gets 403 `forbidden`). A signed-in user must have given their password in the last 5 minutes: give it as `password`, or at POST /auth/confirm; else 403 `password_required`. Stale changes (the person changed since the plan) are refused one by one.',
        request: {
          params: PlanParams,
          body: body(
            z.object({
              selection: z
                .union([z.literal('all'), z.array(z.string().min(1).max(300)).min(1).max(100_000)])
                .default('all'),
              approve: z.boolean().default(false),
              password: z.string().min(1).max(200).optional(),
            }),
          ),
        },
        responses: {
          202: json(
            z.object({ run: RunSchema, apply: ApplyEntry }),
            'Started: the run is `applying`, and `apply` is this apply (the last of the run’s `applies`). Follow it at GET …/runs/{runId} (progress while it applies here); once the run is no longer `applying`, that entry says what this apply did, and …/runs/{runId}/results?apply={seq} what each of its changes came to.',
          ),
          400: ERRORS[400],
          401: ERRORS[401],
          403: ERRORS[403],
          404: ERRORS[404],
          409: ERRORS[409],
          429: ERRORS[429],
        },
      }),
    ),
    async (c) => {
      const { workspaceId, planId } = c.req.valid('param')
      const input = c.req.valid('json')
      const actor = c.get('actor')
      if (actor.kind === 'user') {
        if (input.password !== undefined) {
          await confirm(c, deps, actor.user, actor.session, input.password)
        } else if (!recentlyConfirmed(actor.session, now())) {
          throw new ApiError(
            'password_required',
            'applying changes the directory: give your password again to approve it',
          )
        }
      }
      // the password rule above holds for approving too
      if (input.approve) requireApprover(actor, c.get('role'))
      const header = await views.planHeader(workspaceId, planId)
      if (!header) throw new SyncError('not_found', `plan ${planId} not found`)
      const started = await startApply(deps, live, header, {
        workspaceId,
        selection: input.selection,
        approved: input.approve,
        actor,
      })
      return c.json({ run: { ...started.run }, apply: applyEntry(started.apply) }, 202)
    },
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'get',
        path: '/api/v1/workspaces/{workspaceId}/runs',
        tags: ['Runs'],
        summary: 'Run history, newest first',
        request: {
          params: z.object({ workspaceId: z.string() }),
          query: z.object({
            connectionId: z.string().optional(),
            limit: z.coerce.number().int().min(1).max(200).default(50),
          }),
        },
        responses: {
          200: json(z.object({ runs: z.array(RunSchema) }), 'Runs.'),
          400: ERRORS[400],
          401: ERRORS[401],
          404: ERRORS[404],
        },
      }),
    ),
    async (c) => {
      const { workspaceId } = c.req.valid('param')
      const { connectionId, limit } = c.req.valid('query')
      return c.json({ runs: await store.listRuns(workspaceId, connectionId ?? null, limit) }, 200)
    },
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'get',
        path: '/api/v1/workspaces/{workspaceId}/runs/{runId}',
        tags: ['Runs'],
        summary: 'A run: its state, progress while it reads or applies here, and its applies',
        request: { params: RunParams },
        responses: {
          200: json(
            z.object({
              run: RunSchema,
              progress: ProgressSchema.nullable(),
              applies: z.array(ApplyEntry),
            }),
            'The run.',
          ),
          401: ERRORS[401],
          404: ERRORS[404],
        },
      }),
    ),
    async (c) => {
      const { workspaceId, runId } = c.req.valid('param')
      const run = await store.run(workspaceId, runId)
      if (!run) throw new SyncError('not_found', `run ${runId} not found`)
      const applies = (await store.applies(workspaceId, runId)).map(applyEntry)
      return c.json({ run, progress: live.progress(runId), applies }, 200)
    },
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'get',
        path: '/api/v1/workspaces/{workspaceId}/runs/{runId}/results',
        tags: ['Runs'],
        summary: 'What each change of a run came to, paged',
        description:
          'With `apply`, what the changes of that apply of the run came to; without, each change’s latest result.',
        request: {
          params: RunParams,
          query: z.object({
            status: List,
            apply: z.coerce.number().int().min(0).max(1_000_000).optional(),
            ...Paging,
          }),
        },
        responses: {
          200: json(
            z.object({
              total: z.number(),
              items: z.array(
                ResultSchema.extend({
                  apply: z.number(),
                  kind: z.string(),
                  action: z.string(),
                  reason: z.string(),
                  label: z.string(),
                }),
              ),
            }),
            'Results, in plan order.',
          ),
          400: ERRORS[400],
          401: ERRORS[401],
          404: ERRORS[404],
        },
      }),
    ),
    async (c) => {
      const { workspaceId, runId } = c.req.valid('param')
      const q = c.req.valid('query')
      const page = await views.runResults(workspaceId, runId, {
        ...(q.status ? { statuses: q.status } : {}),
        ...(q.apply === undefined ? {} : { apply: q.apply }),
        offset: q.offset,
        limit: q.limit,
      })
      return c.json({ total: page.total, items: [...page.items] }, 200)
    },
  )
}

/**
 * Starts applying a plan and answers with its run once it is `applying` (the approval checked);
 * the changes go on in the background, their progress kept for GET …/runs/{runId}, and the apply
 * is written to the audit log when it ends. What fails before the first change is thrown here.
 */
async function startApply(
  deps: HttpDeps,
  live: LiveRuns,
  header: PlanHeader,
  input: { workspaceId: string; selection: 'all' | string[]; approved: boolean; actor: Actor },
): Promise<{ run: Run; apply: ApplyRecord }> {
  const { runId, connectionId } = header
  const { workspaceId } = input
  let started!: (value: { run: Run; apply: ApplyRecord }) => void
  const begun = new Promise<{ run: Run; apply: ApplyRecord }>((resolve) => {
    started = resolve
  })
  const work = live.track(
    connectionId,
    deps.engine
      .apply(workspaceId, header.id, {
        selection: input.selection,
        approved: input.approved,
        by: actorName(input.actor),
        onStart: (run, apply) => {
          live.update(runId, { phase: 'applying', done: 0, total: null })
          started({ run, apply })
        },
        onProgress: (p) => {
          live.update(runId, p)
        },
      })
      .then(async (result) => {
        await audited(
          deps,
          { workspaceId, actor: input.actor },
          {
            action: 'plan.applied',
            entityType: 'run',
            entityId: runId,
            details: {
              planId: header.id,
              apply: result.apply?.seq ?? null,
              selection: input.selection === 'all' ? 'all' : input.selection.length,
              approved: input.approved,
              counts: { ...result.apply?.counts },
            },
          },
        )
        return result
      }),
  )
  // the apply starts before it ends: an answer without an error is the start
  const first = await Promise.race([
    begun,
    work.then(
      () => begun,
      (error: unknown) => ({ error }),
    ),
  ])
  void work
    .catch((error: unknown) => {
      deps.logger.warn(
        { run: runId, code: error instanceof SyncError ? error.code : 'internal' },
        'apply failed',
      )
    })
    .finally(() => {
      live.end(runId)
    })
  if ('error' in first) throw first.error
  return first
}

const applyEntry = (a: ApplyRecord) => ({
  seq: a.seq,
  state: a.state,
  selection: a.selection ?? ('all' as const),
  approved: a.approved,
  actor: a.actor,
  counts: a.counts === null ? null : { ...a.counts },
  error: a.error,
  startedAt: a.startedAt,
  finishedAt: a.finishedAt,
})
