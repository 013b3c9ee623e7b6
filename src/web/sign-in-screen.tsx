import { useState } from 'react'

import { api, setCsrfToken } from './api.ts'
import type { Session } from './api-types.ts'
import { ErrorBox, PageTitle, TextField } from './ui.tsx'

export function SignInScreen(props: { onSignedIn: (session: Session) => void }) {
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  return (
    <main className="center">
      <form
        className="card sign-in"
        onSubmit={(e) => {
          e.preventDefault()
          setBusy(true)
          setError(null)
          setCsrfToken(null)
          api
            .post<Session>('/auth/login', { email, password })
            .then(props.onSignedIn, setError)
            .finally(() => {
              setBusy(false)
            })
        }}
      >
        <PageTitle sub="Keep your people directory in step with your HR system.">
          Sign in to hris-sync
        </PageTitle>
        <TextField
          id="email"
          label="Email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={setEmail}
        />
        <TextField
          id="password"
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={setPassword}
        />
        <ErrorBox error={error} title="Not signed in." />
        <button type="submit" className="primary wide" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="muted small">
          First start? <code>npm start</code> printed the first admin’s email and password.
        </p>
      </form>
    </main>
  )
}
