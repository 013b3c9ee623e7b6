import { useEffect, useState } from 'react'

import { api, ws } from './api.ts'
import type {
  ConfigView,
  Connection,
  FieldInfo,
  FilterCondition,
  FilterRule,
  IdentifierRule,
  Issue,
  Schedule,
  SyncConfig,
} from './api-types.ts'
import { useConsole } from './app.tsx'
import { Link } from './router.tsx'
import { FILTER_OPS, IDENTIFIERS } from './texts.ts'
import { ErrorBox, Loading, Notice, TextField, useLoad } from './ui.tsx'

const NO_VALUE = new Set(['exists', 'not_exists'])
const LISTS = new Set(['in', 'not_in'])

/** The sync-if rule as the form edits it: conditions, all or any of them. */
interface Conditions {
  mode: 'all' | 'any'
  rows: { field: string; op: string; value: string }[]
  /** A rule the form cannot show (nested groups): kept as it is. */
  other: FilterRule | null
}

/** A condition's value as the form's text box shows it. */
const text = (value: unknown) =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : ''

const isCondition = (r: FilterRule): r is FilterCondition => 'field' in r

function toForm(filter: FilterRule | null): Conditions {
  const row = (c: FilterCondition) => ({
    field: c.field,
    op: c.op,
    value: Array.isArray(c.value) ? c.value.map(text).join(', ') : text(c.value),
  })
  if (filter === null) return { mode: 'all', rows: [], other: null }
  if (isCondition(filter)) return { mode: 'all', rows: [row(filter)], other: null }
  const mode = 'all' in filter ? 'all' : 'any'
  const list = 'all' in filter ? filter.all : filter.any
  if (!list.every(isCondition)) return { mode, rows: [], other: filter }
  return { mode, rows: list.map(row), other: null }
}

function fromForm(form: Conditions): FilterRule | null {
  if (form.other !== null) return form.other
  const rules = form.rows
    .filter((r) => r.field !== '')
    .map((r): FilterCondition => {
      if (NO_VALUE.has(r.op)) return { field: r.field, op: r.op }
      if (LISTS.has(r.op)) {
        return {
          field: r.field,
          op: r.op,
          value: r.value
            .split(',')
            .map((v) => v.trim())
            .filter((v) => v !== ''),
        }
      }
      return { field: r.field, op: r.op, value: r.value.trim() }
    })
  if (rules.length === 0) return null
  return form.mode === 'all' ? { all: rules } : { any: rules }
}

/** The first identifier, then each fallback in turn. */
const identifierLabel = (at: number) =>
  at === 0
    ? 'Identifier'
    : at === 1
      ? 'Then, when nobody has it'
      : `Then, when nobody has those (rule ${String(at + 1)})`

const ruleKey = (rule: IdentifierRule) =>
  typeof rule === 'string' ? rule : `custom:${rule.custom}`
const fromKey = (key: string): IdentifierRule | null =>
  key === '' ? null : key.startsWith('custom:') ? { custom: key.slice(7) } : key

/**
 * Configure: how people are matched (identifier), which email is the primary one, who is synced
 * (sync-if conditions), what happens to leavers, invitations, and the schedule.
 */
export function ConfigurePanel(props: { connection: Connection }) {
  const { workspace, meta } = useConsole()
  const base = ws(workspace.id, `/connections/${props.connection.id}`)
  const loaded = useLoad(() => api.get<ConfigView>(`${base}/config`), [base])
  const fields = useLoad(
    () => api.get<{ fields: FieldInfo[]; issues: Issue[] }>(`${base}/fields`),
    [base],
  )
  const [config, setConfig] = useState<SyncConfig | null>(null)
  const [schedule, setSchedule] = useState<Schedule | null>(null)
  const [conditions, setConditions] = useState<Conditions>({ mode: 'all', rows: [], other: null })
  const [state, setState] = useState<{ busy: boolean; error: unknown; done: boolean }>({
    busy: false,
    error: null,
    done: false,
  })

  useEffect(() => {
    if (loaded.data !== null && config === null) {
      setConfig(loaded.data.config)
      setSchedule(loaded.data.schedule)
      setConditions(toForm(loaded.data.config.filter))
    }
  }, [loaded.data, config])

  if (config === null || schedule === null) {
    return loaded.error !== null ? (
      <ErrorBox error={loaded.error} />
    ) : (
      <Loading label="Loading the settings…" />
    )
  }
  const custom = (fields.data?.fields ?? []).filter((f) => f.custom)
  const filterFields = [
    ...meta.sourceFields.map((f) => ({ path: f.path, label: f.label })),
    ...custom.map((f) => ({ path: f.path, label: `${f.label} (custom)` })),
  ]
  const identifierOptions = [
    ...meta.identifierRules.map((r) => ({ key: r, label: IDENTIFIERS[r] ?? r })),
    ...custom.map((f) => ({ key: `custom:${f.path.slice(7)}`, label: `Custom: ${f.label}` })),
  ]
  const levels = config.identifiers.map(ruleKey)
  // every level the config has, and one more to add while rules are left
  const shownLevels = levels.length < identifierOptions.length ? [...levels, ''] : levels
  const setLevel = (at: number, key: string) => {
    const keys = [...levels]
    if (key === '') keys.splice(at, 1)
    else keys[at] = key
    const rules = keys.map(fromKey).filter((r): r is IdentifierRule => r !== null)
    const unique = rules.filter((r, i) => rules.findIndex((x) => ruleKey(x) === ruleKey(r)) === i)
    setConfig({ ...config, identifiers: unique.length > 0 ? unique : ['work_email'] })
  }
  const policy = config.policy
  const setPolicy = (patch: Partial<SyncConfig['policy']>) => {
    setConfig({ ...config, policy: { ...policy, ...patch } })
  }
  const primaryEmail = config.mapping['email']?.from ?? 'workEmail'
  const setPrimaryEmail = (from: string) => {
    const rule = config.mapping['email']
    setConfig({
      ...config,
      mapping: {
        ...config.mapping,
        email: { ...(rule ?? { transforms: [{ op: 'trim' }, { op: 'lower' }] }), from },
      },
    })
  }
  const save = () => {
    setState({ busy: true, error: null, done: false })
    api
      .put<ConfigView>(`${base}/config`, {
        config: { ...config, filter: fromForm(conditions) },
        schedule,
      })
      .then(
        (view) => {
          setConfig(view.config)
          setSchedule(view.schedule)
          setConditions(toForm(view.config.filter))
          setState({ busy: false, error: null, done: true })
        },
        (error: unknown) => {
          setState({ busy: false, error, done: false })
        },
      )
  }
  const updateRow = (i: number, patch: Partial<Conditions['rows'][number]>) => {
    setConditions({
      ...conditions,
      rows: conditions.rows.map((r, k) => (k === i ? { ...r, ...patch } : r)),
    })
  }

  return (
    <form
      className="panel configure"
      onSubmit={(e) => {
        e.preventDefault()
        save()
      }}
    >
      <h2>Configure</h2>
      <fieldset>
        <legend>Matching</legend>
        <p className="muted">
          How an employee is found among the people already in the directory. Existing people need
          this identifier (export and import it under People) or they are created again.
        </p>
        {shownLevels.map((key, at) => (
          <div className="field" key={at}>
            <label htmlFor={at === 0 ? 'identifier' : `identifier-${String(at + 1)}`}>
              {identifierLabel(at)}
            </label>
            <select
              id={at === 0 ? 'identifier' : `identifier-${String(at + 1)}`}
              value={key}
              onChange={(e) => {
                setLevel(at, e.target.value)
              }}
            >
              {at > 0 && <option value="">Nothing else (create the person)</option>}
              {identifierOptions
                // a rule is used once: the ones of other levels are not offered here
                .filter((o) => o.key === key || !levels.includes(o.key))
                .map((o) => (
                  <option key={o.key} value={o.key}>
                    {o.label}
                  </option>
                ))}
            </select>
          </div>
        ))}
        <div className="field">
          <label htmlFor="primary-email">Primary email</label>
          <select
            id="primary-email"
            value={primaryEmail}
            onChange={(e) => {
              setPrimaryEmail(e.target.value)
            }}
          >
            <option value="workEmail">Work email</option>
            <option value="personalEmail">Personal email</option>
          </select>
        </div>
      </fieldset>

      <fieldset>
        <legend>Sync if</legend>
        {conditions.other !== null ? (
          <p>
            This connection’s condition has nested groups the console cannot show; it is kept as it
            is (change it through the API or hris-sync.yaml).
          </p>
        ) : (
          <>
            <p className="muted">
              Only employees for whom the conditions hold are synced. No condition: everyone. A
              linked person who leaves still becomes a leaver.
            </p>
            {conditions.rows.length > 1 && (
              <div className="field inline">
                <label htmlFor="filter-mode">Employees must match</label>
                <select
                  id="filter-mode"
                  value={conditions.mode}
                  onChange={(e) => {
                    setConditions({ ...conditions, mode: e.target.value === 'any' ? 'any' : 'all' })
                  }}
                >
                  <option value="all">all of these</option>
                  <option value="any">any of these</option>
                </select>
              </div>
            )}
            {conditions.rows.map((row, i) => (
              <div
                className="condition"
                key={i}
                role="group"
                aria-label={`Condition ${String(i + 1)}`}
              >
                <select
                  aria-label="Field"
                  value={row.field}
                  onChange={(e) => {
                    updateRow(i, { field: e.target.value })
                  }}
                >
                  {filterFields.map((f) => (
                    <option key={f.path} value={f.path}>
                      {f.label}
                    </option>
                  ))}
                </select>
                <select
                  aria-label="Condition"
                  value={row.op}
                  onChange={(e) => {
                    updateRow(i, { op: e.target.value })
                  }}
                >
                  {meta.filterOps.map((op) => (
                    <option key={op} value={op}>
                      {FILTER_OPS[op] ?? op}
                    </option>
                  ))}
                </select>
                {!NO_VALUE.has(row.op) && (
                  <input
                    aria-label="Value"
                    placeholder={
                      LISTS.has(row.op)
                        ? 'a, b, c'
                        : row.op === 'before' || row.op === 'after'
                          ? 'YYYY-MM-DD or today'
                          : 'value'
                    }
                    value={row.value}
                    onChange={(e) => {
                      updateRow(i, { value: e.target.value })
                    }}
                  />
                )}
                <button
                  type="button"
                  onClick={() => {
                    setConditions({
                      ...conditions,
                      rows: conditions.rows.filter((_, k) => k !== i),
                    })
                  }}
                >
                  Remove
                </button>
              </div>
            ))}
            <button
              type="button"
              onClick={() => {
                setConditions({
                  ...conditions,
                  rows: [...conditions.rows, { field: 'status', op: 'eq', value: 'active' }],
                })
              }}
            >
              Add a condition
            </button>
          </>
        )}
      </fieldset>

      <fieldset>
        <legend>Leavers</legend>
        <TextField
          id="leaver-group"
          label="Group leavers join (empty: none)"
          value={policy.leaverGroup ?? ''}
          onChange={(group) => {
            setPolicy({ leaverGroup: group.trim() === '' ? null : group })
          }}
        />
        <div className="field">
          <label htmlFor="leaver-threshold">
            Ask for approval when more than this share of people would leave (%)
          </label>
          <input
            id="leaver-threshold"
            type="number"
            min={0}
            max={100}
            value={Math.round(policy.leaverThreshold * 100)}
            onChange={(e) => {
              setPolicy({
                leaverThreshold: Math.min(100, Math.max(0, Number(e.target.value))) / 100,
              })
            }}
          />
        </div>
        <div className="field">
          <label htmlFor="never-imported">Employees who left before they were ever synced</label>
          <select
            id="never-imported"
            value={policy.terminatedNeverImported}
            onChange={(e) => {
              setPolicy({
                terminatedNeverImported:
                  e.target.value === 'create_as_leaver' ? 'create_as_leaver' : 'skip',
              })
            }}
          >
            <option value="skip">Leave them out</option>
            <option value="create_as_leaver">Create them as leavers</option>
          </select>
        </div>
      </fieldset>

      <fieldset>
        <legend>Teams, managers and invitations</legend>
        {(
          [
            ['teamsFromDepartments', 'One team per department; people follow their department'],
            ['managersFromSupervisors', 'A person’s manager is their supervisor'],
            ['inviteNewPeople', 'Invite new people automatically when they are created'],
          ] as const
        ).map(([key, label]) => (
          <div className="field checkbox" key={key}>
            <input
              id={key}
              type="checkbox"
              checked={policy[key]}
              onChange={(e) => {
                setPolicy({ [key]: e.target.checked })
              }}
            />
            <label htmlFor={key}>{label}</label>
          </div>
        ))}
      </fieldset>

      <fieldset>
        <legend>Schedule</legend>
        <div className="field checkbox">
          <input
            id="schedule-enabled"
            type="checkbox"
            checked={schedule.enabled}
            onChange={(e) => {
              setSchedule({ ...schedule, enabled: e.target.checked })
            }}
          />
          <label htmlFor="schedule-enabled">
            Sync on a schedule (otherwise only when started here)
          </label>
        </div>
        <TextField
          id="cron-incremental"
          label="Read what changed (cron)"
          value={schedule.incremental}
          onChange={(incremental) => {
            setSchedule({ ...schedule, incremental })
          }}
        />
        <TextField
          id="cron-full"
          label="Read everyone (cron; only a full read finds who disappeared)"
          value={schedule.full}
          onChange={(full) => {
            setSchedule({ ...schedule, full })
          }}
        />
        <TextField
          id="time-zone"
          label="Time zone (when a termination date has passed, when crons run)"
          value={config.timeZone}
          onChange={(timeZone) => {
            setConfig({ ...config, timeZone })
          }}
        />
      </fieldset>

      <ErrorBox error={state.error} title="The settings were not saved." />
      {state.done && (
        <Notice>
          Settings saved.{' '}
          <Link to={`/connections/${props.connection.id}/preview`}>Next: preview</Link>
        </Notice>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={state.busy}>
          {state.busy ? 'Saving…' : 'Save the settings'}
        </button>
        <Link to={`/connections/${props.connection.id}/preview`} className="button">
          Next: preview
        </Link>
      </div>
    </form>
  )
}
