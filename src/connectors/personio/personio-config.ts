import { z } from 'zod'

export const PERSONIO_API_VERSIONS = ['v1', 'v2'] as const

/** A Personio attribute key: a standard one (`email`) or a custom one (`dynamic_123`). */
const AttributeKey = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, { message: 'must be a Personio attribute key, e.g. dynamic_123' })

/**
 * A Personio connection, as it may be stored and shown (the credentials are `PersonioSecret`).
 *
 * - `apiVersion`: `v1` (the default) reads 100 employees a request with every attribute,
 *   department, office, team and legal entity by name; `v2` reads 50 persons a request and then one
 *   request per person for the employment, and names no org unit (its employments carry ids
 *   only). v1 reads a company in the fewest requests.
 * - `attributes`: which custom attribute holds the employee number, the personal email and the
 *   phones, where the company keeps them (Personio has no standard attribute for them). Unset, they
 *   are found by their universal id or their label (in German or English).
 * - `requestsPerMinute` / `burstPerSecond`: the client-side pace of employee reads, within the
 *   limits Personio documents (300 a minute with bursts of 15 a second); lower them to leave room
 *   for other integrations on the same credential.
 */
export const PersonioConfig = z.strictObject({
  baseUrl: z
    .url({ protocol: /^https?$/ })
    .default('https://api.personio.de')
    .meta({ description: 'The Personio API (default https://api.personio.de).' }),
  appId: z
    .string()
    .trim()
    .min(1)
    .default('hris-sync')
    .meta({ description: 'Sent as X-Personio-App-ID: names this integration to Personio.' }),
  partnerId: z
    .string()
    .trim()
    .min(1)
    .optional()
    .meta({ description: 'Sent as X-Personio-Partner-ID, for Personio partners.' }),
  apiVersion: z.enum(PERSONIO_API_VERSIONS).default('v1').meta({
    description:
      'v1 (default): 100 employees a request, org units by name. v2: 50 persons a request plus one per person for employments, org units by id only.',
  }),
  attributes: z
    .strictObject({
      employeeNumber: AttributeKey.optional(),
      personalEmail: AttributeKey.optional(),
      mobilePhone: AttributeKey.optional(),
      workPhone: AttributeKey.optional(),
    })
    .default({})
    .meta({
      description:
        'The Personio attribute keys (dynamic_…) that hold these fields; unset, they are found by universal id or label.',
    }),
  requestsPerMinute: z.int().min(1).max(300).default(300),
  burstPerSecond: z.int().min(1).max(15).default(15),
})
export type PersonioConfig = z.infer<typeof PersonioConfig>

/** The API credentials (Personio: Settings → Integrations → API credentials). */
export const PersonioSecret = z.strictObject({
  clientId: z.string().trim().min(1).meta({ description: 'The client id of the API credential.' }),
  clientSecret: z
    .string()
    .trim()
    .min(1)
    .meta({ description: 'The client secret of the API credential.' }),
})
export type PersonioSecret = z.infer<typeof PersonioSecret>
