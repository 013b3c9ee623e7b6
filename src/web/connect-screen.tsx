import { useMemo, useState } from 'react'

import { api, ws } from './api.ts'
import type { ConnectionView } from './api-types.ts'
import { useConsole } from './app.tsx'
import { navigate } from './router.tsx'
import { SchemaField, formFields, formValues } from './schema-form.tsx'
import { CONNECTOR_HELP, CONNECTOR_LABELS, connectorLabel } from './texts.ts'
import { ErrorBox, PageTitle } from './ui.tsx'

/**
 * Connect: choose the HR system, give its credentials (with where to find them), and see at
 * once what it can read. The form comes from the connector's own schemas.
 */
export function ConnectScreen() {
  const { workspace, meta } = useConsole()
  // the HR systems with an API first, in the order of CONNECTOR_LABELS, then any other
  const order = Object.keys(CONNECTOR_LABELS)
  const rank = (id: string) => (order.includes(id) ? order.indexOf(id) : order.length)
  const connectors = [...meta.connectors].sort((a, b) => rank(a.id) - rank(b.id))
  const [connector, setConnector] = useState(connectors[0]?.id ?? '')
  const [name, setName] = useState(connectors[0]?.id ?? '')
  const [named, setNamed] = useState(false)
  const [values, setValues] = useState<Record<string, string | boolean>>({})
  const [file, setFile] = useState<File | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState<string | null>(null)

  const chosen = meta.connectors.find((c) => c.id === connector)
  const isFile = connector === 'file'
  const configFields = useMemo(
    () => formFields(chosen?.config ?? null, false).filter((f) => !(isFile && f.name === 'path')),
    [chosen, isFile],
  )
  const secretFields = useMemo(() => formFields(chosen?.secret ?? null, true), [chosen])
  const help = CONNECTOR_HELP[connector]

  const choose = (id: string) => {
    setConnector(id)
    setValues({})
    setError(null)
    if (!named) setName(id)
  }

  const submit = async () => {
    let config = formValues(configFields, values)
    if (isFile) {
      if (file === null) throw new Error('Choose the file to upload.')
      setBusy('Uploading the file…')
      const uploaded = await api.upload<{ upload: { path: string } }>(
        ws(workspace.id, '/uploads'),
        file,
        { name: file.name },
      )
      config = { ...config, path: uploaded.upload.path }
    }
    setBusy(
      chosen?.needsSecret === true
        ? `Checking the credentials with ${connectorLabel(connector)}…`
        : 'Reading the file…',
    )
    const secret = chosen?.needsSecret === true ? formValues(secretFields, values) : null
    const made = await api.post<ConnectionView>(ws(workspace.id, '/connections'), {
      name: name.trim(),
      connector,
      config,
      secret,
    })
    navigate(`/connections/${made.connection.id}/fields`)
  }

  const field = (f: (typeof configFields)[number], prefix: string) => (
    <SchemaField
      key={f.name}
      idPrefix={prefix}
      field={f}
      value={values[f.name]}
      onChange={(v) => {
        setValues((old) => ({ ...old, [f.name]: v }))
      }}
    />
  )

  return (
    <section>
      <PageTitle sub="Credentials are checked with the HR system first, then kept encrypted; they are never shown again.">
        Connect an HR system
      </PageTitle>
      <form
        className="connect"
        onSubmit={(e) => {
          e.preventDefault()
          setError(null)
          submit()
            .catch(setError)
            .finally(() => {
              setBusy(null)
            })
        }}
      >
        <fieldset>
          <legend>HR system</legend>
          <div className="choices">
            {connectors.map((c) => (
              <label key={c.id} className={`choice ${c.id === connector ? 'chosen' : ''}`}>
                <input
                  type="radio"
                  name="connector"
                  value={c.id}
                  checked={c.id === connector}
                  onChange={() => {
                    choose(c.id)
                  }}
                />
                {connectorLabel(c.id)}
              </label>
            ))}
          </div>
        </fieldset>

        <div className="columns">
          <div>
            <div className="field">
              <label htmlFor="connection-name">Connection name</label>
              <input
                id="connection-name"
                required
                value={name}
                onChange={(e) => {
                  setName(e.target.value)
                  setNamed(true)
                }}
              />
            </div>
            {isFile && (
              <div className="field">
                <label htmlFor="upload">Export file (CSV or XLSX)</label>
                <input
                  id="upload"
                  type="file"
                  required
                  accept=".csv,.tsv,.txt,.xlsx"
                  onChange={(e) => {
                    setFile(e.target.files?.[0] ?? null)
                  }}
                />
              </div>
            )}
            {secretFields.map((f) => field(f, 'secret'))}
            {configFields.filter((f) => f.primary).map((f) => field(f, 'config'))}
            {configFields.some((f) => !f.primary) && (
              <details>
                <summary>More settings</summary>
                {configFields.filter((f) => !f.primary).map((f) => field(f, 'config'))}
              </details>
            )}
            <ErrorBox error={error} title="Not connected." />
            <div className="actions">
              <button type="submit" className="primary" disabled={busy !== null}>
                {busy ?? 'Connect and load fields'}
              </button>
            </div>
            {busy !== null && (
              <p className="loading" role="status">
                <span className="spinner" aria-hidden="true" /> {busy}
              </p>
            )}
          </div>
          {help && (
            <aside className="help" aria-labelledby="help-title">
              <h2 id="help-title">Where do I find these?</h2>
              <ol>
                {help.steps.map((s) => (
                  <li key={s}>{s}</li>
                ))}
              </ol>
              {help.note !== undefined && <p className="muted">{help.note}</p>}
            </aside>
          )}
        </div>
      </form>
    </section>
  )
}
