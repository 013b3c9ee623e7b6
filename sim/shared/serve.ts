import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'

import { createAdaptorServer } from '@hono/node-server'

/** A simulator's HTTP server on 127.0.0.1. */
export interface Served {
  /** 'http://127.0.0.1:PORT', without a trailing slash. */
  readonly url: string
  /** Stops listening and ends open connections. */
  readonly close: () => Promise<void>
}

/** Serves `fetch` on 127.0.0.1 only; port 0 (the default) takes a free one. */
export const serveOnLoopback = async (
  fetch: Parameters<typeof createAdaptorServer>[0]['fetch'],
  port = 0,
): Promise<Served> => {
  const server = createAdaptorServer({ fetch, hostname: '127.0.0.1' }) as Server
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      resolve()
    })
  })
  return {
    url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => {
          if (error) reject(error)
          else resolve()
        })
        server.closeAllConnections()
      }),
  }
}
