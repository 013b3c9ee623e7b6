import { useMemo, useState } from 'react'

import { api, ws } from './api.ts'
import type { ConnectionView, FieldInfo, Issue } from './api-types.ts'
import { useConsole } from './app.tsx'
import { Link } from './router.tsx'
import { SchemaField, formFields, formValues } from './schema-form.tsx'
import { connectorLabel } from './texts.ts'
import { ErrorBox, IssueList, Loading, Notice, formatValue, useLoad } from './ui.tsx'

/** What the credentials can read (Ledgy's "Load Personio fields"), and the credentials. */
export function FieldsPanel(props: { view: ConnectionView; onChanged: () => void }) {
  const { workspace } = useConsole()
  const { connection } = props.view
  const fields = useLoad(
    () =>
      api.get<{ fields: FieldInfo[]; issues: Issue[] }>(
        ws(workspace.id, `/connections/${connection.id}/fields`),
      ),
    [workspace.id, connection.id],
  )
  const system = connectorLabel(connection.connector)
  return (
    <div className="panel">
      <h2>Readable fields</h2>
      {fields.loading && <Loading label={`Loading the fields ${system} lets us read…`} />}
      <ErrorBox error={fields.error} title={`${system} did not answer.`} />
      {fields.data !== null && (
        <>
          <IssueList
            issues={fields.data.issues}
            title="Some fields are not readable with these credentials:"
          />
          {fields.data.fields.length === 0 ? (
            <p>These credentials can read no field at all.</p>
          ) : (
            <>
              <p>
                {fields.data.fields.length} fields are readable. The next step maps them to the
                directory; a field that is not mapped is never read into it.
              </p>
              <table>
                <caption className="visually-hidden">Readable fields</caption>
                <thead>
                  <tr>
                    <th scope="col">Field</th>
                    <th scope="col">{system} name</th>
                    <th scope="col">Type</th>
                    <th scope="col">Sample value</th>
                  </tr>
                </thead>
                <tbody>
                  {fields.data.fields.map((f) => (
                    <tr key={f.path}>
                      <th scope="row">
                        <code>{f.path}</code>
                      </th>
                      <td>
                        {f.label}
                        {f.key !== f.path && f.key !== f.label && (
                          <span className="muted"> ({f.key})</span>
                        )}
                      </td>
                      <td>{f.custom ? `${f.type}, custom` : f.type}</td>
                      <td className="sample">{formatValue(f.sample)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
          <p>
            <Link to={`/connections/${connection.id}/mapping`} className="button primary">
              Next: map fields
            </Link>
          </p>
        </>
      )}
      <Credentials view={props.view} onChanged={props.onChanged} />
    </div>
  )
}

function Credentials(props: { view: ConnectionView; onChanged: () => void }) {
  const { workspace, meta } = useConsole()
  const { connection, secret } = props.view
  const connector = meta.connectors.find((c) => c.id === connection.connector)
  const secretFields = useMemo(() => formFields(connector?.secret ?? null, true), [connector])
  const [values, setValues] = useState<Record<string, string | boolean>>({})
  const [state, setState] = useState<{ busy: string | null; error: unknown; done: string | null }>({
    busy: null,
    error: null,
    done: null,
  })
  if (connector?.needsSecret !== true) return null
  const run = (busy: string, work: () => Promise<string>) => {
    setState({ busy, error: null, done: null })
    work().then(
      (done) => {
        setState({ busy: null, error: null, done })
      },
      (error: unknown) => {
        setState({ busy: null, error, done: null })
      },
    )
  }
  const path = ws(workspace.id, `/connections/${connection.id}`)
  return (
    <section className="credentials" aria-labelledby="credentials-title">
      <h2 id="credentials-title">Credentials</h2>
      {secret && (
        <dl className="pairs">
          {Object.entries(secret).map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>
                <code>{v}</code>
              </dd>
            </div>
          ))}
        </dl>
      )}
      <button
        type="button"
        disabled={state.busy !== null}
        onClick={() => {
          run('Testing…', async () => {
            await api.post(`${path}/test`)
            return 'The credentials work.'
          })
        }}
      >
        Test the credentials
      </button>
      <details>
        <summary>Replace the credentials</summary>
        <form
          onSubmit={(e) => {
            e.preventDefault()
            run('Checking the new credentials…', async () => {
              await api.put(`${path}/secret`, { secret: formValues(secretFields, values) })
              setValues({})
              props.onChanged()
              return 'New credentials checked and stored; the old ones are gone.'
            })
          }}
        >
          {secretFields.map((f) => (
            <SchemaField
              key={f.name}
              idPrefix="rotate"
              field={f}
              value={values[f.name]}
              onChange={(v) => {
                setValues((old) => ({ ...old, [f.name]: v }))
              }}
            />
          ))}
          <button type="submit" disabled={state.busy !== null}>
            Check and replace
          </button>
        </form>
      </details>
      {state.busy !== null && <Loading label={state.busy} />}
      <ErrorBox error={state.error} />
      {state.done !== null && <Notice>{state.done}</Notice>}
    </section>
  )
}
