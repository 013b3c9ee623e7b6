import { useState } from 'react'

/** What a button's work came to: busy, an error, or what to say once done. */
export interface ActionState {
  busy: boolean
  error: unknown
  done: string | null
}

const idle: ActionState = { busy: false, error: null, done: null }

/** Runs one piece of work at a time for a control; `work` answers what to say when done. */
export function useAction() {
  const [state, setState] = useState<ActionState>(idle)
  const run = (work: () => Promise<string>) => {
    setState({ busy: true, error: null, done: null })
    work().then(
      (done) => {
        setState({ busy: false, error: null, done })
      },
      (error: unknown) => {
        setState({ busy: false, error, done: null })
      },
    )
  }
  return {
    state,
    run,
    reset: () => {
      setState(idle)
    },
  }
}
