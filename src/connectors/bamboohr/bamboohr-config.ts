import { z } from 'zod'

/**
 * The company's BambooHR domain: `acme` for acme.bamboohr.com. Given as BambooHR shows it under
 * "Your BambooHR URL" (Settings → Account → Account Info), it is taken as it is: `acme`,
 * `acme.bamboohr.com` or `https://acme.bamboohr.com/home` are all `acme`.
 */
const CompanyDomain = z
  .string()
  .trim()
  .transform((v) =>
    v
      .replace(/^https?:\/\//i, '')
      .replace(/[/?#].*$/, '')
      .replace(/\.bamboohr\.com$/i, '')
      .toLowerCase(),
  )
  .pipe(
    z.string().regex(/^[a-z0-9][a-z0-9-]*$/, {
      message: 'must be your BambooHR domain: acme for acme.bamboohr.com',
    }),
  )

/**
 * A BambooHR connection, as it may be stored and shown (the API key is `BambooHRSecret`).
 *
 * - `baseUrl`: unset, the API is `https://{companyDomain}.bamboohr.com/api/v1/`, as BambooHR's
 *   document gives it; set (a proxy, a simulator), it is `{baseUrl}/api/gateway.php/{companyDomain}/v1/`,
 *   the form that works on any host (`https://api.bamboohr.com` is BambooHR's own).
 * - `requestsPerMinute` / `burstPerSecond`: the client-side pace. BambooHR publishes no limit,
 *   only that it throttles requests it deems too frequent: the default (60 a minute, 5 a second)
 *   is well below what integrations see refused. A read takes one or two requests whatever the
 *   company's size, so the pace matters only for many reads at once.
 */
export const BambooHRConfig = z.strictObject({
  companyDomain: CompanyDomain.meta({
    description: 'Your BambooHR domain: acme for acme.bamboohr.com ("Your BambooHR URL").',
  }),
  baseUrl: z
    .url({ protocol: /^https?$/ })
    .optional()
    .meta({
      description:
        'Where the API is, for a proxy or a test server: {baseUrl}/api/gateway.php/{companyDomain}/v1/. Default https://{companyDomain}.bamboohr.com/api/v1/.',
    }),
  requestsPerMinute: z.int().min(1).max(600).default(60),
  burstPerSecond: z.int().min(1).max(50).default(5),
})
export type BambooHRConfig = z.infer<typeof BambooHRConfig>

/** An API key (in BambooHR: your name → API Keys → Add New Key): it can do what its user can. */
export const BambooHRSecret = z.strictObject({
  apiKey: z.string().trim().min(1).meta({ description: 'A BambooHR API key.' }),
})
export type BambooHRSecret = z.infer<typeof BambooHRSecret>
