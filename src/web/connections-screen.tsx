import { api, ws } from './api.ts'
import type { ConnectionView } from './api-types.ts'
import { useConsole } from './app.tsx'
import { Link } from './router.tsx'
import { connectorLabel, STATES } from './texts.ts'
import { Empty, ErrorBox, Loading, PageTitle, formatTime, useLoad } from './ui.tsx'

export function ConnectionsScreen() {
  const { workspace } = useConsole()
  const list = useLoad(
    () =>
      api.get<{ connections: Omit<ConnectionView, 'secret'>[] }>(ws(workspace.id, '/connections')),
    [workspace.id],
  )
  const connections = list.data?.connections ?? []
  return (
    <section>
      <PageTitle sub="The HR systems this workspace syncs people from.">Connections</PageTitle>
      <p>
        <Link to="/connections/new" className="button primary">
          Connect an HR system
        </Link>
      </p>
      <ErrorBox error={list.error} />
      {list.loading && list.data === null && <Loading label="Loading connections…" />}
      {list.data !== null && connections.length === 0 && (
        <Empty title="No HR system is connected yet.">
          <p>
            Connect Personio, BambooHR or upload a CSV/XLSX export: you will see which fields it can
            read before anything is synced.
          </p>
        </Empty>
      )}
      {connections.length > 0 && (
        <table>
          <caption className="visually-hidden">Connections</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">HR system</th>
              <th scope="col">Last run</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {connections.map(({ connection, latestRun }) => (
              <tr key={connection.id}>
                <th scope="row">
                  <Link to={`/connections/${connection.id}`}>{connection.name}</Link>
                </th>
                <td>{connectorLabel(connection.connector)}</td>
                <td>{latestRun ? formatTime(latestRun.createdAt) : 'Never'}</td>
                <td>
                  {latestRun ? (STATES[latestRun.state] ?? latestRun.state) : 'Not previewed yet'}
                  {connection.status !== 'active' && (
                    <span className="badge warn"> {connection.status.replaceAll('_', ' ')}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
