import { isIP } from 'node:net'

import { err, ok } from '../errors.ts'
import type { Result } from '../errors.ts'
import { blockedAddress } from './blocked-address.ts'

/** The environment variable that lets webhooks reach http:// URLs and private addresses. */
export const ALLOW_PRIVATE_WEBHOOKS = 'HRIS_SYNC_WEBHOOK_ALLOW_PRIVATE'

/**
 * Whether a webhook may go to private addresses: off on a hosted server (a tenant's URL must not
 * reach our own network), on for self-hosting next to the receiver and for tests.
 */
export interface WebhookPolicy {
  /** http:// URLs, and hosts that are (or resolve to) loopback, private, link-local… addresses. */
  readonly allowPrivate: boolean
}

/**
 * Why an address, given as a URL's hostname, must not be connected to under `policy`; null when
 * it may. `localhost` and its subdomains are loopback whatever a resolver says (RFC 6761).
 */
export function refusedHost(hostname: string, policy: WebhookPolicy): string | null {
  if (policy.allowPrivate) return null
  const name = hostname.replace(/\.$/, '').toLowerCase()
  if (name === 'localhost' || name.endsWith('.localhost')) return 'a loopback address'
  const bare = name.replace(/^\[(.*)\]$/, '$1')
  // a name is checked where it resolves, when a delivery connects
  return isIP(bare) === 0 ? null : blockedAddress(bare)
}

/**
 * A webhook URL as it is stored, or why it is refused (a phrase that follows "url", e.g. "must
 * be https://"): it parses (so an https:// URL has a host), is https:// (http:// only where
 * private addresses are allowed) and carries no user name or password; a host that is an IP
 * address (in any spelling the URL parser reads) or `localhost` must be public unless the policy
 * allows private ones.
 */
export function checkWebhookUrl(text: string, policy: WebhookPolicy): Result<URL, string> {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return err('is not a URL (e.g. https://app.example/hooks/hris-sync)')
  }
  if (url.protocol === 'http:' && !policy.allowPrivate) {
    return err(`must be https:// (http:// only with ${ALLOW_PRIVATE_WEBHOOKS}=true)`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return err(`must be https:// (not ${url.protocol}//)`)
  }
  if (url.username !== '' || url.password !== '') {
    return err('must not carry a user name or password (user:pass@): the signature says who sends')
  }
  const refused = refusedHost(url.hostname, policy)
  if (refused !== null) {
    return err(`points to ${url.hostname}, ${refused} (only with ${ALLOW_PRIVATE_WEBHOOKS}=true)`)
  }
  return ok(url)
}
