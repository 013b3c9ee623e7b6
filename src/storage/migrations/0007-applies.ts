import { sql } from 'kysely'
import type { Kysely, Migration } from 'kysely'

/**
 * Each apply of a plan ("Sync selected", then "Sync all") is an entry of its own, with its own
 * results: a run stays one per plan (its state machine is the plan's), and its applies are
 * numbered 1, 2… within it. A change tried again by a later apply keeps the earlier result too.
 * What was applied before this migration becomes apply 0 of its run.
 */
export const applies: Migration = {
  async up(db: Kysely<unknown>) {
    for (const statement of SCHEMA.split(/;\s*\n/)) {
      if (statement.trim() !== '') await sql.raw(statement).execute(db)
    }
  },
}

const SCHEMA = `
      create table applies (
        run_id text not null,
        seq integer not null,
        workspace_id text not null,
        plan_id text not null,
        -- how many change ids were selected; null: all
        selection integer,
        approved boolean not null,
        actor text,
        state text not null check (state in ('applying', 'succeeded', 'failed')),
        counts jsonb,
        error jsonb,
        started_at timestamptz not null default now(),
        finished_at timestamptz,
        primary key (run_id, seq)
      );

      alter table change_results add column apply_seq integer not null default 0;
      alter table change_results drop constraint change_results_pkey;
      alter table change_results add primary key (plan_id, change_id, apply_seq);

      insert into applies (run_id, seq, workspace_id, plan_id, selection, approved, actor, state,
        counts, started_at, finished_at)
      select r.run_id, 0, p.workspace_id, r.plan_id, null, false, null,
        case when bool_or(r.status = 'failed') then 'failed' else 'succeeded' end,
        jsonb_build_object(
          'applied', count(*) filter (where r.status = 'applied'),
          'stale', count(*) filter (where r.status = 'stale'),
          'skipped', count(*) filter (where r.status = 'skipped'),
          'failed', count(*) filter (where r.status = 'failed')),
        min(r.at), max(r.at)
      from change_results r join plans p on p.id = r.plan_id
      group by r.run_id, r.plan_id, p.workspace_id
`
