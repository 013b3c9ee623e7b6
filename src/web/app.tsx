import { createContext, useContext, useEffect, useState } from 'react'

import { ApiFailure, api, setCsrfToken, whenSignedOut } from './api.ts'
import type { Meta, Session, Workspace } from './api-types.ts'
import { ConnectScreen } from './connect-screen.tsx'
import { ConnectionScreen } from './connection-screen.tsx'
import { ConnectionsScreen } from './connections-screen.tsx'
import { PeopleScreen } from './people-screen.tsx'
import { PersonScreen } from './person-screen.tsx'
import { Link, match, navigate, usePath } from './router.tsx'
import { SettingsScreen } from './settings-screen.tsx'
import { SignInScreen } from './sign-in-screen.tsx'
import { ErrorBox, Loading } from './ui.tsx'

/** What every screen works in: who is signed in, the workspace, and the API's options. */
export interface ConsoleState {
  readonly session: Session
  readonly workspace: Workspace
  readonly meta: Meta
}

const Context = createContext<ConsoleState | null>(null)

export function useConsole(): ConsoleState {
  const state = useContext(Context)
  if (state === null) throw new Error('useConsole outside the signed-in console')
  return state
}

const WORKSPACE_KEY = 'hris-sync.workspace'

function pickWorkspace(session: Session): Workspace | null {
  const saved = window.localStorage.getItem(WORKSPACE_KEY)
  return session.workspaces.find((w) => w.id === saved) ?? session.workspaces[0] ?? null
}

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined)
  const [meta, setMeta] = useState<Meta | null>(null)
  const [workspace, setWorkspace] = useState<Workspace | null>(null)
  const [error, setError] = useState<unknown>(null)

  const signedIn = (s: Session) => {
    setCsrfToken(s.csrfToken)
    setSession(s)
    setWorkspace(pickWorkspace(s))
  }

  useEffect(() => {
    whenSignedOut(() => {
      setCsrfToken(null)
      setSession(null)
    })
    api
      .get<Session>('/auth/session', undefined, { quiet401: true })
      .then(signedIn, (e: unknown) => {
        if (e instanceof ApiFailure && e.status === 401) setSession(null)
        else setError(e)
      })
  }, [])

  useEffect(() => {
    if (!session) return
    api.get<Meta>('/meta').then(setMeta, setError)
  }, [session])

  if (error !== null) {
    return (
      <main className="center">
        <ErrorBox error={error} title="The console could not start." />
      </main>
    )
  }
  if (session === undefined) {
    return (
      <main className="center">
        <Loading label="Loading…" />
      </main>
    )
  }
  if (session === null) return <SignInScreen onSignedIn={signedIn} />
  if (workspace === null) {
    return (
      <main className="center">
        <p>You are not a member of any workspace yet: ask an admin to add you.</p>
      </main>
    )
  }
  if (meta === null) {
    return (
      <main className="center">
        <Loading label="Loading…" />
      </main>
    )
  }
  const state: ConsoleState = { session, workspace, meta }
  return (
    <Context.Provider value={state}>
      <Shell
        onWorkspace={(w) => {
          window.localStorage.setItem(WORKSPACE_KEY, w.id)
          setWorkspace(w)
          navigate('/connections')
        }}
        onSignOut={() => {
          void api.post('/auth/logout').finally(() => {
            setCsrfToken(null)
            setSession(null)
            navigate('/', { replace: true })
          })
        }}
      />
    </Context.Provider>
  )
}

const NAV = [
  { to: '/connections', label: 'Connections' },
  { to: '/people', label: 'People' },
  { to: '/settings', label: 'Settings' },
] as const

function Shell(props: { onWorkspace: (w: Workspace) => void; onSignOut: () => void }) {
  const { session, workspace } = useConsole()
  const path = usePath()
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/connections" className="brand">
          hris-sync
        </Link>
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li key={item.to}>
                <Link to={item.to} aria-current={path.startsWith(item.to) ? 'page' : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          {session.workspaces.length > 1 ? (
            <label>
              <span className="visually-hidden">Workspace</span>
              <select
                value={workspace.id}
                onChange={(e) => {
                  const next = session.workspaces.find((w) => w.id === e.target.value)
                  if (next) props.onWorkspace(next)
                }}
              >
                {session.workspaces.map((w) => (
                  <option key={w.id} value={w.id}>
                    {w.name}
                  </option>
                ))}
              </select>
            </label>
          ) : (
            <span className="muted" title="Workspace">
              {workspace.name}
            </span>
          )}
          <span className="muted">{session.user.email}</span>
          <button type="button" className="link" onClick={props.onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" className="content" key={workspace.id}>
        <Routes path={path} />
      </main>
    </div>
  )
}

function Routes(props: { path: string }) {
  const { path } = props
  useEffect(() => {
    if (path === '/' || path === '/sign-in') navigate('/connections', { replace: true })
  }, [path])
  if (match('/connections', path)) return <ConnectionsScreen />
  if (match('/connections/new', path)) return <ConnectScreen />
  const connection =
    match('/connections/:id', path) ??
    match('/connections/:id/:tab', path) ??
    match('/connections/:id/:tab/:runId', path) ??
    match('/connections/:id/:tab/:runId/:apply', path)
  if (connection) {
    const apply = connection['apply']
    return (
      <ConnectionScreen
        key={connection['id']}
        id={connection['id'] ?? ''}
        tab={connection['tab'] ?? 'fields'}
        runId={connection['runId'] ?? null}
        apply={apply !== undefined && /^\d+$/.test(apply) ? Number(apply) : null}
      />
    )
  }
  if (match('/people', path)) return <PeopleScreen />
  const person = match('/people/:id', path)
  if (person) return <PersonScreen key={person['id']} id={person['id'] ?? ''} />
  if (match('/settings', path)) return <SettingsScreen />
  if (path === '/' || path === '/sign-in') return null
  return (
    <section>
      <h1>Not found</h1>
      <p>
        There is no page at {path}. <Link to="/connections">Go to the connections</Link>.
      </p>
    </section>
  )
}
