import { useEffect, useState } from 'react'

import { api, ws } from './api.ts'
import type { ConfigView, Connection, FieldInfo, FieldRule, Issue, Transform } from './api-types.ts'
import { useConsole } from './app.tsx'
import { Link } from './router.tsx'
import { NAME_FORMATS, connectorLabel } from './texts.ts'
import { ErrorBox, Loading, Notice, formatValue, issuesOf, useLoad } from './ui.tsx'

const COUNTRIES = [
  'DE',
  'AT',
  'CH',
  'GB',
  'IE',
  'FR',
  'NL',
  'BE',
  'ES',
  'IT',
  'PL',
  'SE',
  'DK',
  'US',
]

/** The source a rule reads, as the select names it. */
function sourceOf(rule: FieldRule | undefined): string {
  if (rule === undefined) return ''
  const first = rule.transforms?.[0]
  if (rule.from === undefined && first?.op === 'name_format') return `name:${first.format}`
  if (rule.from !== undefined) return rule.from
  return 'keep'
}

const phoneCountry = (mapping: Record<string, FieldRule>) => {
  for (const rule of Object.values(mapping)) {
    for (const t of rule.transforms ?? []) if (t.op === 'phone_e164') return t.defaultCountry
  }
  return 'DE'
}

/** Transforms a new rule gets for a directory field of this type. */
function defaultTransforms(
  type: string,
  sourceType: string | undefined,
  country: string,
): Transform[] {
  if (type === 'email') return [{ op: 'trim' }, { op: 'lower' }]
  if (type === 'phone') return [{ op: 'phone_e164', defaultCountry: country }]
  if (type === 'text' && (sourceType === undefined || sourceType === 'text'))
    return [{ op: 'trim' }]
  return []
}

/**
 * Map fields: each directory field (custom ones too) ← a readable source field, with a sample
 * value; who owns it (the HR system overwrites, the application keeps edits); the name format.
 */
export function MappingPanel(props: { connection: Connection }) {
  const { workspace, meta } = useConsole()
  const { connection } = props
  const base = ws(workspace.id, `/connections/${connection.id}`)
  const config = useLoad(() => api.get<ConfigView>(`${base}/config`), [base])
  const fields = useLoad(
    () => api.get<{ fields: FieldInfo[]; issues: Issue[] }>(`${base}/fields`),
    [base],
  )
  const [mapping, setMapping] = useState<Record<string, FieldRule> | null>(null)
  const [country, setCountry] = useState('DE')
  const [customKey, setCustomKey] = useState('')
  const [saved, setSaved] = useState<{ error: unknown; done: boolean; busy: boolean }>({
    error: null,
    done: false,
    busy: false,
  })

  useEffect(() => {
    if (config.data !== null && mapping === null) {
      setMapping(config.data.config.mapping)
      setCountry(phoneCountry(config.data.config.mapping))
    }
  }, [config.data, mapping])

  if (config.data === null || mapping === null) {
    return config.error !== null ? (
      <ErrorBox error={config.error} />
    ) : (
      <Loading label="Loading the mapping…" />
    )
  }
  const readable = fields.data?.fields ?? []
  const byPath = new Map(readable.map((f) => [f.path, f]))
  const customRows = Object.keys(mapping).filter((f) => f.startsWith('custom.'))
  const rows = [
    ...meta.directoryFields,
    ...customRows.map((name) => ({ name, label: `Custom: ${name.slice(7)}`, type: 'text' })),
  ]
  const issues = issuesOf(saved.error)
  const issuesFor = (field: string) =>
    issues.filter((i) => i.path[0] === 'config' && i.path[1] === 'mapping' && i.path[2] === field)

  const setSource = (field: string, type: string, value: string) => {
    setSaved({ error: null, done: false, busy: false })
    setMapping((old) => {
      const rule = old?.[field]
      // not synced: the field leaves the mapping (a sync never touches it)
      const next = Object.fromEntries(Object.entries(old ?? {}).filter(([f]) => f !== field))
      if (value === '') {
        return next
      } else if (value.startsWith('name:')) {
        next[field] = {
          transforms: [{ op: 'name_format', format: value.slice(5) }],
          owner: rule?.owner ?? 'hris',
        }
      } else if (value === 'keep' || value === rule?.from) {
        if (rule) next[field] = rule
      } else {
        const transforms = defaultTransforms(type, byPath.get(value)?.type, country)
        next[field] = { from: value, transforms, owner: rule?.owner ?? 'hris' }
      }
      return next
    })
  }
  const setOwner = (field: string, owner: 'hris' | 'app') => {
    setMapping((old) => {
      const rule = old?.[field]
      return rule ? { ...old, [field]: { ...rule, owner } } : old
    })
  }
  const save = () => {
    const withCountry = Object.fromEntries(
      Object.entries(mapping).map(([field, rule]) => [
        field,
        {
          ...rule,
          transforms: (rule.transforms ?? []).map((t) =>
            t.op === 'phone_e164' ? { ...t, defaultCountry: country } : t,
          ),
        },
      ]),
    )
    setSaved({ error: null, done: false, busy: true })
    api
      .put<ConfigView>(`${base}/config`, {
        config: { ...config.data?.config, mapping: withCountry },
        schedule: config.data?.schedule,
      })
      .then(
        (view) => {
          setMapping(view.config.mapping)
          setSaved({ error: null, done: true, busy: false })
        },
        (error: unknown) => {
          setSaved({ error, done: false, busy: false })
        },
      )
  }
  const system = connectorLabel(connection.connector)

  return (
    <div className="panel">
      <h2>Map fields</h2>
      <p>
        Choose where each directory field comes from. <strong>HR system</strong>: {system} wins on
        every sync (edits in the directory are overwritten). <strong>Application</strong>: set when
        a person is created, then left to you.
      </p>
      {fields.loading && <Loading label={`Loading the fields ${system} can read…`} />}
      <ErrorBox
        error={fields.error}
        title="The readable fields could not be loaded: the mapping shows what is set."
      />
      <div className="field inline">
        <label htmlFor="phone-country">Phone numbers without a country code are in</label>
        <select
          id="phone-country"
          value={country}
          onChange={(e) => {
            setCountry(e.target.value)
          }}
        >
          {[...new Set([country, ...COUNTRIES])].map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
      </div>
      <form
        onSubmit={(e) => {
          e.preventDefault()
          save()
        }}
      >
        <table className="mapping">
          <caption className="visually-hidden">Directory fields and their sources</caption>
          <thead>
            <tr>
              <th scope="col">Directory field</th>
              <th scope="col">Comes from ({system})</th>
              <th scope="col">Sample</th>
              <th scope="col">Owned by</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const rule = mapping[row.name]
              const source = sourceOf(rule)
              const sample = rule?.from === undefined ? undefined : byPath.get(rule.from)?.sample
              const rowIssues = issuesFor(row.name)
              const id = `map-${row.name}`
              return (
                <tr key={row.name} className={rowIssues.length > 0 ? 'has-error' : undefined}>
                  <th scope="row">
                    <label htmlFor={id}>{row.label}</label>
                    {rowIssues.map((i) => (
                      <small key={i.message} className="error-text" role="alert">
                        {i.message}
                      </small>
                    ))}
                  </th>
                  <td>
                    <select
                      id={id}
                      value={source}
                      onChange={(e) => {
                        setSource(row.name, row.type, e.target.value)
                      }}
                    >
                      <option value="">— not synced —</option>
                      {row.name === 'displayName' &&
                        meta.nameFormats.map((f) => (
                          <option key={f} value={`name:${f}`}>
                            Built from the names: {NAME_FORMATS[f] ?? f}
                          </option>
                        ))}
                      {source === 'keep' && (
                        <option value="keep">
                          {rule?.template !== undefined
                            ? `Template ${rule.template}`
                            : 'A fixed value'}
                        </option>
                      )}
                      {rule?.from !== undefined && !byPath.has(rule.from) && (
                        <option value={rule.from}>
                          {rule.from}
                          {fields.data !== null ? ' (not readable)' : ''}
                        </option>
                      )}
                      {readable.map((f) => (
                        <option key={f.path} value={f.path}>
                          {f.label}
                          {f.custom ? ' (custom)' : ''}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td className="sample">{sample === undefined ? '' : formatValue(sample)}</td>
                  <td>
                    <select
                      aria-label={`Who owns ${row.label}`}
                      value={rule?.owner ?? 'hris'}
                      disabled={rule === undefined}
                      onChange={(e) => {
                        setOwner(row.name, e.target.value === 'app' ? 'app' : 'hris')
                      }}
                    >
                      <option value="hris">HR system</option>
                      <option value="app">Application</option>
                    </select>
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
        <div className="field inline">
          <label htmlFor="custom-key">Add a custom directory field</label>
          <input
            id="custom-key"
            placeholder="e.g. shirt_size"
            pattern="[A-Za-z0-9_\-]+"
            value={customKey}
            onChange={(e) => {
              setCustomKey(e.target.value)
            }}
          />
          <button
            type="button"
            disabled={!/^[A-Za-z0-9_-]+$/.test(customKey)}
            onClick={() => {
              const name = `custom.${customKey}`
              const first = readable.find((f) => f.custom) ?? readable[0]
              if (first) setSource(name, 'text', first.path)
              setCustomKey('')
            }}
          >
            Add
          </button>
        </div>
        <ErrorBox error={saved.error} title="The mapping was not saved." />
        {saved.done && (
          <Notice>
            Mapping saved.{' '}
            <Link to={`/connections/${connection.id}/configure`}>Next: configure</Link>
          </Notice>
        )}
        <div className="actions">
          <button type="submit" className="primary" disabled={saved.busy}>
            {saved.busy ? 'Saving…' : 'Save the mapping'}
          </button>
          <Link to={`/connections/${connection.id}/configure`} className="button">
            Next: configure
          </Link>
        </div>
      </form>
    </div>
  )
}
