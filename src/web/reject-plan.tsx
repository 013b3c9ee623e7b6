import { useState } from 'react'

import { api, ws } from './api.ts'
import type { Run } from './api-types.ts'
import { useConsole } from './app.tsx'
import { ErrorBox } from './ui.tsx'
import { useAction } from './use-action.ts'

/**
 * Rejects a plan the guard holds: nothing of it is synced, its run is cancelled, and scheduled
 * syncs go on. The reason, when given, is kept with the run.
 */
export function RejectPlan(props: { planId: string; onRejected: (run: Run) => void }) {
  const { workspace } = useConsole()
  const [open, setOpen] = useState(false)
  const [reason, setReason] = useState('')
  const action = useAction()
  if (!open) {
    return (
      <button
        type="button"
        className="danger"
        onClick={() => {
          setOpen(true)
        }}
      >
        Reject…
      </button>
    )
  }
  return (
    <form
      className="inline-form reject"
      onSubmit={(e) => {
        e.preventDefault()
        action.run(async () => {
          const { run } = await api.post<{ run: Run }>(
            ws(workspace.id, `/plans/${props.planId}/reject`),
            reason.trim() === '' ? {} : { reason: reason.trim() },
          )
          props.onRejected(run)
          return 'Rejected.'
        })
      }}
    >
      <div className="field inline">
        <label htmlFor="reject-reason">Why (optional)</label>
        <input
          id="reject-reason"
          maxLength={500}
          value={reason}
          onChange={(e) => {
            setReason(e.target.value)
          }}
        />
        <button type="submit" className="danger" disabled={action.state.busy}>
          Reject this plan
        </button>
        <button
          type="button"
          onClick={() => {
            setOpen(false)
          }}
        >
          Cancel
        </button>
      </div>
      <ErrorBox error={action.state.error} title="Not rejected." />
    </form>
  )
}
