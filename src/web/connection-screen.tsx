import { api, ws } from './api.ts'
import type { ConnectionView } from './api-types.ts'
import { useConsole } from './app.tsx'
import { ConfigurePanel } from './configure-panel.tsx'
import { FieldsPanel } from './fields-panel.tsx'
import { HistoryPanel } from './history-panel.tsx'
import { MappingPanel } from './mapping-panel.tsx'
import { PreviewPanel } from './preview-panel.tsx'
import { Link } from './router.tsx'
import { HealthBanner, SchedulePanel } from './schedule-panel.tsx'
import { connectorLabel } from './texts.ts'
import { ErrorBox, Loading, PageTitle, useLoad } from './ui.tsx'

const STEPS = [
  { tab: 'fields', label: '1. Fields' },
  { tab: 'mapping', label: '2. Map fields' },
  { tab: 'configure', label: '3. Configure' },
  { tab: 'preview', label: '4. Preview and sync' },
  { tab: 'history', label: 'History' },
  { tab: 'schedule', label: 'Schedule and health' },
] as const

/** One connection, step by step: what it reads, the mapping, the settings, the preview, runs. */
export function ConnectionScreen(props: {
  id: string
  tab: string
  runId: string | null
  /** A sync of the run (its number), in the history. */
  apply: number | null
}) {
  const { workspace } = useConsole()
  const loaded = useLoad(
    () => api.get<ConnectionView>(ws(workspace.id, `/connections/${props.id}`)),
    [workspace.id, props.id],
  )
  if (loaded.data === null) {
    return loaded.error !== null ? (
      <section>
        <h1>Connection</h1>
        <ErrorBox error={loaded.error} />
        <Link to="/connections">Back to the connections</Link>
      </section>
    ) : (
      <Loading label="Loading the connection…" />
    )
  }
  const view = loaded.data
  const { connection } = view
  const base = `/connections/${connection.id}`
  return (
    <section>
      <p className="crumbs">
        <Link to="/connections">Connections</Link> ›
      </p>
      <PageTitle sub={`${connectorLabel(connection.connector)} connection`}>
        {connection.name}
      </PageTitle>
      <nav className="steps" aria-label="Steps">
        <ol>
          {STEPS.map((s) => (
            <li key={s.tab}>
              <Link to={`${base}/${s.tab}`} aria-current={props.tab === s.tab ? 'step' : undefined}>
                {s.label}
              </Link>
            </li>
          ))}
        </ol>
      </nav>
      <HealthBanner connection={connection} />
      {props.tab === 'fields' && <FieldsPanel view={view} onChanged={loaded.reload} />}
      {props.tab === 'mapping' && <MappingPanel connection={connection} />}
      {props.tab === 'configure' && <ConfigurePanel connection={connection} />}
      {props.tab === 'preview' && <PreviewPanel view={view} onChanged={loaded.reload} />}
      {props.tab === 'history' && (
        <HistoryPanel connection={connection} runId={props.runId} apply={props.apply} />
      )}
      {props.tab === 'schedule' && (
        <SchedulePanel connection={connection} onChanged={loaded.reload} />
      )}
      {!STEPS.some((s) => s.tab === props.tab) && <p>There is no such step.</p>}
    </section>
  )
}
