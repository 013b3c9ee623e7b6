import { lookup } from 'node:dns/promises'
import { request as httpRequest } from 'node:http'
import type { IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { LookupFunction } from 'node:net'
import { isIP } from 'node:net'

import { blockedAddress } from '../core/net/blocked-address.ts'
import { refusedHost } from '../core/net/webhook-url.ts'
import type { WebhookPolicy } from '../core/net/webhook-url.ts'

/** The addresses a host name resolves to (the system's resolver gives all of them). */
export type Resolve = (hostname: string) => Promise<readonly ResolvedAddress[]>

export interface ResolvedAddress {
  readonly address: string
  readonly family: 4 | 6
}

const systemResolve: Resolve = async (hostname) =>
  (await lookup(hostname, { all: true })).map(({ address, family }) => ({
    address,
    family: family === 6 ? 6 : 4,
  }))

/** A delivery the policy does not let out: trying again cannot help, so it is not retried. */
export class DeliveryRefused extends Error {
  override readonly name = 'DeliveryRefused'
}

export interface WebhookRequest {
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  readonly timeoutMs: number
}

/**
 * POSTs a webhook and answers the response's status, its body left unread. The host is resolved
 * once, here: unless the policy allows private addresses, every address it resolves to must be
 * public (else `DeliveryRefused`, before any connection), and the socket connects to the
 * addresses checked, never to a second lookup's (DNS rebinding). Redirects are not followed.
 */
export async function postWebhook(
  req: WebhookRequest,
  policy: WebhookPolicy,
  resolve: Resolve = systemResolve,
): Promise<number> {
  const url = new URL(req.url)
  const literal = url.hostname.replace(/^\[(.*)\]$/, '$1')
  const refused = refusedHost(url.hostname, policy)
  if (refused !== null) throw new DeliveryRefused(`refused: ${url.hostname} is ${refused}`)
  // a socket given an IP address connects to it without a lookup
  const addresses = isIP(literal) === 0 ? await resolved(url.hostname, policy, resolve) : null
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest
  const response = await new Promise<IncomingMessage>((done, fail) => {
    const outgoing = send(url, {
      method: 'POST',
      headers: { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) },
      // a connection of its own each time: a pooled socket would skip the lookup below
      agent: false,
      signal: AbortSignal.timeout(req.timeoutMs),
      ...(addresses === null ? {} : { lookup: fixedLookup(addresses) }),
    })
    outgoing.once('response', done)
    outgoing.once('error', fail)
    outgoing.end(req.body)
  })
  response.resume()
  return response.statusCode ?? 0
}

async function resolved(
  hostname: string,
  policy: WebhookPolicy,
  resolve: Resolve,
): Promise<Addresses> {
  const [first, ...rest] = await resolve(hostname)
  if (!first) throw new Error(`${hostname} resolves to no address`)
  const addresses: Addresses = [first, ...rest]
  if (!policy.allowPrivate) {
    for (const { address } of addresses) {
      const why = blockedAddress(address)
      if (why !== null) {
        throw new DeliveryRefused(`refused: ${hostname} resolves to ${address}, ${why}`)
      }
    }
  }
  return addresses
}

type Addresses = readonly [ResolvedAddress, ...ResolvedAddress[]]

/** A lookup that answers the addresses already resolved (and checked), as net asks for them. */
function fixedLookup(addresses: Addresses): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all === true)
      callback(
        null,
        addresses.map((a) => ({ ...a })),
      )
    else callback(null, addresses[0].address, addresses[0].family)
  }
}
