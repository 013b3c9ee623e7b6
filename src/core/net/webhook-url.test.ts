import { describe, expect, it } from 'vitest'

import { checkWebhookUrl, refusedHost } from './webhook-url.ts'

const hosted = { allowPrivate: false }
const selfHosted = { allowPrivate: true }

const problem = (text: string, policy = hosted) => {
  const checked = checkWebhookUrl(text, policy)
  return checked.ok ? null : checked.error
}

describe('checkWebhookUrl', () => {
  it('keeps an https:// URL to a host name or a public address, as the URL parser spells it', () => {
    for (const [text, stored] of [
      ['https://hooks.acme.test/in', 'https://hooks.acme.test/in'],
      ['https://Hooks.Acme.TEST:8443/in?x=1', 'https://hooks.acme.test:8443/in?x=1'],
      ['https://93.184.215.14/hook', 'https://93.184.215.14/hook'],
      ['https://[2606:4700:4700::1111]/hook', 'https://[2606:4700:4700::1111]/hook'],
    ] as const) {
      const checked = checkWebhookUrl(text, hosted)
      expect(checked.ok && checked.value.toString()).toBe(stored)
    }
  })

  it.each([
    ['not a url', 'is not a URL'],
    ['', 'is not a URL'],
    ['https://', 'is not a URL'],
    ['hooks.acme.test/in', 'is not a URL'],
    ['ftp://x', 'must be https:// (not ftp://)'],
    ['file:///etc/passwd', 'must be https:// (not file://)'],
    ['javascript:alert(1)', 'must be https:// (not javascript://)'],
    [
      'http://hooks.acme.test/in',
      'must be https:// (http:// only with HRIS_SYNC_WEBHOOK_ALLOW_PRIVATE=true)',
    ],
    ['https://user:pw@example.com/', 'must not carry a user name or password'],
    ['https://user@example.com/', 'must not carry a user name or password'],
    ['https://:pw@example.com/', 'must not carry a user name or password'],
  ])('refuses %j: %s', (text, why) => {
    expect(problem(text)).toContain(why)
  })

  it.each([
    ['https://127.0.0.1/x', '127.0.0.1, a loopback address'],
    ['https://169.254.169.254/', '169.254.169.254, a link-local address'],
    ['https://10.0.0.5:8443/hook', '10.0.0.5, a private address'],
    ['https://[::1]/x', '[::1], a loopback address'],
    ['https://[fd00::5]/x', '[fd00::5], a unique-local address'],
    ['https://[::ffff:127.0.0.1]/x', '[::ffff:7f00:1], a loopback address'],
    // every spelling of an IPv4 address is one address once parsed
    ['https://2130706433/x', '127.0.0.1, a loopback address'],
    ['https://0x7f.1/x', '127.0.0.1, a loopback address'],
    ['https://0177.0.0.1/x', '127.0.0.1, a loopback address'],
    ['https://0/x', '0.0.0.0, an unspecified address'],
    ['https://localhost/x', 'localhost, a loopback address'],
    ['https://LOCALHOST./x', 'localhost., a loopback address'],
    ['https://api.localhost:3000/x', 'api.localhost, a loopback address'],
  ])('refuses %s: it points to %s', (text, where) => {
    expect(problem(text)).toBe(
      `points to ${where} (only with HRIS_SYNC_WEBHOOK_ALLOW_PRIVATE=true)`,
    )
  })

  it('takes http:// and private addresses where the policy allows them, never other schemes or a password', () => {
    for (const text of [
      'http://127.0.0.1:4010/x',
      'http://localhost:3000/hooks',
      'https://169.254.169.254/',
      'http://10.0.0.5/in',
      'http://[::1]:8080/',
    ]) {
      expect(problem(text, selfHosted), text).toBeNull()
    }
    expect(problem('ftp://x', selfHosted)).toBe('must be https:// (not ftp://)')
    expect(problem('http://u:p@127.0.0.1/', selfHosted)).toContain('user name or password')
  })
})

describe('refusedHost', () => {
  it('checks an address and localhost, and leaves a host name to where it resolves', () => {
    expect(refusedHost('10.0.0.5', hosted)).toBe('a private address')
    expect(refusedHost('[fe80::1]', hosted)).toBe('a link-local address')
    expect(refusedHost('localhost', hosted)).toBe('a loopback address')
    expect(refusedHost('hooks.acme.test', hosted)).toBeNull()
    expect(refusedHost('8.8.8.8', hosted)).toBeNull()
    expect(refusedHost('10.0.0.5', selfHosted)).toBeNull()
  })
})
