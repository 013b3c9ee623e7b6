import { useCallback, useEffect, useRef, useState } from 'react'
import type { KeyboardEvent, ReactNode } from 'react'

import { ApiFailure } from './api.ts'
import type { FieldValue, Issue } from './api-types.ts'

/** What a load came to: its data, its error, whether it is loading, and a way to load again. */
export interface Loaded<T> {
  data: T | null
  error: unknown
  loading: boolean
  reload: () => void
}

/** Loads with `load` whenever `deps` change; an older answer never replaces a newer one. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: unknown; loading: boolean }>({
    data: null,
    error: null,
    loading: true,
  })
  const [tick, setTick] = useState(0)
  const latest = useRef(0)
  useEffect(() => {
    const id = ++latest.current
    setState((s) => ({ ...s, loading: true, error: null }))
    load().then(
      (data) => {
        if (id === latest.current) setState({ data, error: null, loading: false })
      },
      (error: unknown) => {
        if (id === latest.current) setState((s) => ({ data: s.data, error, loading: false }))
      },
    )
  }, [...deps, tick])
  const reload = useCallback(() => {
    setTick((t) => t + 1)
  }, [])
  return { ...state, reload }
}

export const messageOf = (error: unknown) =>
  error instanceof Error ? error.message : 'Something went wrong.'

export const issuesOf = (error: unknown): Issue[] =>
  error instanceof ApiFailure ? error.issues : []

const pathText = (path: (string | number)[]) =>
  path.reduce<string>(
    (out, p) => (typeof p === 'number' ? `${out}[${String(p)}]` : out === '' ? p : `${out}.${p}`),
    '',
  )

/** An error as a person reads it: the message, and each issue with the field it names. */
export function ErrorBox(props: { error: unknown; title?: string }) {
  if (props.error === null || props.error === undefined) return null
  const issues = issuesOf(props.error)
  return (
    <div className="box error" role="alert">
      <p>
        <strong>{props.title ?? 'That did not work.'}</strong> {messageOf(props.error)}
      </p>
      {issues.length > 0 && (
        <ul>
          {issues.map((issue, i) => {
            const where = pathText(issue.path)
            return (
              <li key={i}>
                {where !== '' && !issue.message.startsWith(where) && <code>{where}</code>}{' '}
                {issue.message}
              </li>
            )
          })}
        </ul>
      )}
    </div>
  )
}

/** A warning or error list from the API (readability, plan issues). */
export function IssueList(props: { issues: readonly Issue[]; title: string }) {
  if (props.issues.length === 0) return null
  const errors = props.issues.some((i) => i.severity === 'error')
  return (
    <div className={`box ${errors ? 'error' : 'warning'}`} role={errors ? 'alert' : 'status'}>
      <p>
        <strong>{props.title}</strong>
      </p>
      <ul>
        {props.issues.map((issue, i) => (
          <li key={i}>
            {issue.record !== undefined && <span className="muted">{issue.record}: </span>}
            {issue.message}
          </li>
        ))}
      </ul>
    </div>
  )
}

export function Loading(props: { label: string }) {
  return (
    <p className="loading" role="status">
      <span className="spinner" aria-hidden="true" /> {props.label}
    </p>
  )
}

export function Empty(props: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <p className="empty-title">{props.title}</p>
      {props.children}
    </div>
  )
}

export function Notice(props: { children: ReactNode }) {
  return (
    <div className="box ok" role="status">
      {props.children}
    </div>
  )
}

/** A page's heading: it takes the focus when the page opens, so a screen reader says where. */
export function PageTitle(props: { children: ReactNode; sub?: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null)
  useEffect(() => {
    ref.current?.focus()
  }, [])
  return (
    <header className="page-title">
      <h1 tabIndex={-1} ref={ref}>
        {props.children}
      </h1>
      {props.sub !== undefined && <p className="muted">{props.sub}</p>}
    </header>
  )
}

/** Tabs as the ARIA pattern has them: arrow keys move between them, one tab stop. */
export function Tabs<K extends string>(props: {
  label: string
  tabs: readonly { key: K; label: ReactNode }[]
  current: K
  onSelect: (key: K) => void
}) {
  const refs = useRef<(HTMLButtonElement | null)[]>([])
  const keyDown = (event: KeyboardEvent, index: number) => {
    const n = props.tabs.length
    const to =
      event.key === 'ArrowRight'
        ? (index + 1) % n
        : event.key === 'ArrowLeft'
          ? (index - 1 + n) % n
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? n - 1
              : null
    if (to === null) return
    event.preventDefault()
    const tab = props.tabs[to]
    if (tab) props.onSelect(tab.key)
    refs.current[to]?.focus()
  }
  return (
    <div className="tabs" role="tablist" aria-label={props.label}>
      {props.tabs.map((tab, i) => (
        <button
          key={tab.key}
          ref={(el) => {
            refs.current[i] = el
          }}
          type="button"
          role="tab"
          id={`tab-${tab.key}`}
          aria-selected={tab.key === props.current}
          tabIndex={tab.key === props.current ? 0 : -1}
          onClick={() => {
            props.onSelect(tab.key)
          }}
          onKeyDown={(e) => {
            keyDown(e, i)
          }}
        >
          {tab.label}
        </button>
      ))}
    </div>
  )
}

export function Pager(props: {
  offset: number
  limit: number
  total: number
  onChange: (offset: number) => void
}) {
  const { offset, limit, total } = props
  if (total <= limit) return null
  return (
    <nav className="pager" aria-label="Pages">
      <button
        type="button"
        disabled={offset === 0}
        onClick={() => {
          props.onChange(Math.max(0, offset - limit))
        }}
      >
        Previous
      </button>
      <span>
        {(offset + 1).toLocaleString()}–{Math.min(offset + limit, total).toLocaleString()} of{' '}
        {total.toLocaleString()}
      </span>
      <button
        type="button"
        disabled={offset + limit >= total}
        onClick={() => {
          props.onChange(offset + limit)
        }}
      >
        Next
      </button>
    </nav>
  )
}

export function formatValue(value: FieldValue | undefined): string {
  if (value === null || value === undefined) return '—'
  if (Array.isArray(value)) return value.length === 0 ? '—' : value.join(', ')
  return String(value)
}

export function formatTime(iso: string | null): string {
  if (iso === null) return '—'
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
}

export const plural = (n: number, word: string, many = `${word}s`) =>
  `${n.toLocaleString()} ${n === 1 ? word : many}`

/**
 * Asks for the password again (before an apply): a modal dialog, focus inside, Esc cancels.
 * `onSubmit` answers an error to show, or null when it went through.
 */
export function PasswordDialog(props: {
  open: boolean
  why: string
  onCancel: () => void
  onSubmit: (password: string) => Promise<unknown>
}) {
  const ref = useRef<HTMLDialogElement>(null)
  const [password, setPassword] = useState('')
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    if (props.open && !dialog.open) {
      setPassword('')
      setError(null)
      dialog.showModal()
    }
    if (!props.open && dialog.open) dialog.close()
  }, [props.open])
  return (
    <dialog
      ref={ref}
      aria-labelledby="password-title"
      onCancel={(e) => {
        e.preventDefault()
        props.onCancel()
      }}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault()
          setBusy(true)
          setError(null)
          void props
            .onSubmit(password)
            .then((problem) => {
              if (problem !== null) setError(problem)
            })
            .finally(() => {
              setBusy(false)
            })
        }}
      >
        <h2 id="password-title">Confirm with your password</h2>
        <p>{props.why}</p>
        <label className="field">
          <span>Password</span>
          <input
            type="password"
            autoComplete="current-password"
            autoFocus
            required
            value={password}
            onChange={(e) => {
              setPassword(e.target.value)
            }}
          />
        </label>
        <ErrorBox error={error} />
        <div className="actions">
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy || password === ''}>
            {busy ? 'Checking…' : 'Confirm and sync'}
          </button>
        </div>
      </form>
    </dialog>
  )
}

/** A labelled text input: the label names it for screen readers and clicks focus it. */
export function TextField(props: {
  id: string
  label: string
  value: string
  onChange: (value: string) => void
  type?: 'text' | 'email' | 'password' | 'search'
  required?: boolean
  autoComplete?: string
  placeholder?: string
  minLength?: number
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        type={props.type ?? 'text'}
        required={props.required}
        autoComplete={props.autoComplete}
        placeholder={props.placeholder}
        minLength={props.minLength}
        value={props.value}
        onChange={(e) => {
          props.onChange(e.target.value)
        }}
      />
    </div>
  )
}
