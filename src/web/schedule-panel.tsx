import { useEffect, useState } from 'react'

import { api, ws } from './api.ts'
import type { Connection, Schedule, ScheduleView } from './api-types.ts'
import { useConsole } from './app.tsx'
import { Link } from './router.tsx'
import { ErrorBox, Loading, Notice, TextField, formatTime, plural, useLoad } from './ui.tsx'
import { useAction } from './use-action.ts'

const HEALTH: Readonly<Record<ScheduleView['health']['status'], string>> = {
  active: 'Healthy',
  quarantined: 'Quarantined',
  needs_reauth: 'Credentials refused',
}

/** Above every step of a connection that is not healthy: what is wrong, and where to fix it. */
export function HealthBanner(props: { connection: Connection }) {
  const { status, id } = props.connection
  if (status !== 'quarantined' && status !== 'needs_reauth') return null
  return (
    <div className="box warning" role="status">
      <p>
        <strong>
          {status === 'quarantined'
            ? 'This connection is quarantined: its syncs failed too many times in a row.'
            : 'The HR system refused this connection’s credentials.'}
        </strong>{' '}
        {status === 'quarantined' ? (
          <>
            Scheduled syncs run at most once an hour.{' '}
            <Link to={`/connections/${id}/schedule`}>See why, or clear it</Link>
          </>
        ) : (
          <>
            No scheduled syncs until new ones are stored:{' '}
            <Link to={`/connections/${id}/fields`}>replace the credentials</Link>
          </>
        )}
      </p>
    </div>
  )
}

/**
 * A connection's schedule and health: when it runs next (incremental and full reads), the
 * failures in a row and a quarantine (cleared here by hand), and the crons, edited in place.
 */
export function SchedulePanel(props: { connection: Connection; onChanged: () => void }) {
  const { workspace } = useConsole()
  const base = ws(workspace.id, `/connections/${props.connection.id}`)
  const path = `${base}/schedule`
  const loaded = useLoad(() => api.get<ScheduleView>(path), [path])
  const [form, setForm] = useState<Schedule | null>(null)
  const clear = useAction()
  const save = useAction()
  useEffect(() => {
    if (loaded.data !== null) setForm(loaded.data.schedule)
  }, [loaded.data])

  if (loaded.data === null || form === null) {
    return loaded.error !== null ? (
      <ErrorBox error={loaded.error} />
    ) : (
      <Loading label="Loading the schedule…" />
    )
  }
  const view = loaded.data
  const { health } = view
  const changed = JSON.stringify(form) !== JSON.stringify(view.schedule)
  return (
    <div className="panel">
      <h2>Health</h2>
      <dl className="pairs">
        <div>
          <dt>Status</dt>
          <dd>
            <span className={`badge ${health.status}`}>{HEALTH[health.status]}</span>
          </dd>
        </div>
        <div>
          <dt>Failed runs in a row</dt>
          <dd>{health.consecutiveFailures}</dd>
        </div>
        <div>
          <dt>Last run by the workers</dt>
          <dd>{formatTime(health.lastAttemptAt)}</dd>
        </div>
        {health.lastError !== null && (
          <div>
            <dt>Last error</dt>
            <dd>{health.lastError.message}</dd>
          </div>
        )}
        {health.quarantinedAt !== null && (
          <div>
            <dt>Quarantined since</dt>
            <dd>{formatTime(health.quarantinedAt)}</dd>
          </div>
        )}
      </dl>
      {health.status === 'quarantined' && (
        <div className="actions">
          <button
            type="button"
            disabled={clear.state.busy}
            onClick={() => {
              clear.run(async () => {
                await api.delete(`${base}/quarantine`)
                loaded.reload()
                props.onChanged()
                return 'Cleared: the connection runs on its schedule again.'
              })
            }}
          >
            Clear the quarantine
          </button>
          <span className="muted small">
            After {plural(health.consecutiveFailures, 'failed run')}; a run that succeeds clears it
            too.
          </span>
        </div>
      )}
      {health.status === 'needs_reauth' && (
        <p>
          Store new credentials to let it run again:{' '}
          <Link to={`/connections/${props.connection.id}/fields`}>replace the credentials</Link>.
        </p>
      )}
      <ErrorBox error={clear.state.error} title="Not cleared." />
      {clear.state.done !== null && <Notice>{clear.state.done}</Notice>}

      <h2>Schedule</h2>
      {view.held !== null && <p className="muted">{view.held}.</p>}
      <dl className="pairs">
        <div>
          <dt>Next incremental read</dt>
          <dd>{formatTime(view.next.incremental)}</dd>
        </div>
        <div>
          <dt>Next full read</dt>
          <dd>{formatTime(view.next.full)}</dd>
        </div>
      </dl>
      <form
        onSubmit={(e) => {
          e.preventDefault()
          save.run(async () => {
            await api.put<ScheduleView>(path, form)
            loaded.reload()
            return 'Schedule saved.'
          })
        }}
      >
        <div className="field checkbox">
          <input
            type="checkbox"
            id="schedule-on"
            checked={form.enabled}
            onChange={(e) => {
              setForm({ ...form, enabled: e.target.checked })
            }}
          />
          <label htmlFor="schedule-on">Sync on a schedule (otherwise only when started)</label>
        </div>
        <TextField
          id="schedule-incremental"
          label="Incremental read (what changed), as a cron expression"
          value={form.incremental}
          onChange={(incremental) => {
            setForm({ ...form, incremental })
          }}
        />
        <TextField
          id="schedule-full"
          label="Full read (finds people who disappeared), as a cron expression"
          value={form.full}
          onChange={(full) => {
            setForm({ ...form, full })
          }}
        />
        <p className="muted small">
          Five fields (minute hour day month weekday), in the time zone {view.timeZone} (set in
          Configure). Every 15 minutes is <code>*/15 * * * *</code>; 03:00 each night is{' '}
          <code>0 3 * * *</code>.
        </p>
        <ErrorBox error={save.state.error} title="Not saved." />
        {save.state.done !== null && <Notice>{save.state.done}</Notice>}
        <div className="actions">
          <button type="submit" className="primary" disabled={!changed || save.state.busy}>
            Save the schedule
          </button>
        </div>
      </form>
    </div>
  )
}
