import { BlockList, isIP } from 'node:net'

// What a server may never be made to connect to for a tenant (a webhook): every range of the IANA
// special-purpose registries that is not globally reachable, as the phrase a refusal names it by.
// Phrases are tried in the order they first appear, so a range inside another is named first
// (broadcast inside 240/4; :: and ::1 inside ::/96).
const IPV4: readonly (readonly [phrase: string, address: string, bits: number])[] = [
  ['a broadcast address', '255.255.255.255', 32],
  ['an unspecified address', '0.0.0.0', 8],
  ['a loopback address', '127.0.0.0', 8],
  ['a private address', '10.0.0.0', 8],
  ['a private address', '172.16.0.0', 12],
  ['a private address', '192.168.0.0', 16],
  ['a link-local address', '169.254.0.0', 16],
  ['a shared (CGNAT) address', '100.64.0.0', 10],
  ['a multicast address', '224.0.0.0', 4],
  ['a reserved address', '240.0.0.0', 4],
  ['a reserved address', '192.0.0.0', 24],
  ['a reserved address', '192.0.2.0', 24],
  ['a reserved address', '192.88.99.0', 24],
  ['a reserved address', '198.18.0.0', 15],
  ['a reserved address', '198.51.100.0', 24],
  ['a reserved address', '203.0.113.0', 24],
]

const IPV6: readonly (readonly [phrase: string, address: string, bits: number])[] = [
  ['an unspecified address', '::', 128],
  ['a loopback address', '::1', 128],
  ['a link-local address', 'fe80::', 10],
  ['a unique-local address', 'fc00::', 7],
  ['a multicast address', 'ff00::', 8],
  // site-local (deprecated), IPv4-compatible (deprecated), discard, local-use NAT64,
  // benchmarking, documentation, 6to4 (its relays reach any IPv4 address)
  ['a reserved address', 'fec0::', 10],
  ['a reserved address', '::', 96],
  ['a reserved address', '100::', 64],
  ['a reserved address', '64:ff9b:1::', 48],
  ['a reserved address', '2001:2::', 48],
  ['a reserved address', '2001:db8::', 32],
  ['a reserved address', '2002::', 16],
]

const RULES: readonly { phrase: string; list: BlockList }[] = (() => {
  const byPhrase = new Map<string, BlockList>()
  const listOf = (phrase: string) => {
    const list = byPhrase.get(phrase) ?? new BlockList()
    byPhrase.set(phrase, list)
    return list
  }
  for (const [phrase, address, bits] of IPV4) {
    const list = listOf(phrase)
    list.addSubnet(address, bits, 'ipv4')
    // the IPv6 addresses that carry it: IPv4-mapped (the socket connects to it as IPv4) and
    // NAT64 (a translator in front of us connects to it)
    list.addSubnet(`::ffff:${address}`, 96 + bits, 'ipv6')
    list.addSubnet(`64:ff9b::${address}`, 96 + bits, 'ipv6')
  }
  for (const [phrase, address, bits] of IPV6) listOf(phrase).addSubnet(address, bits, 'ipv6')
  return [...byPhrase].map(([phrase, list]) => ({ phrase, list }))
})()

/**
 * Why a server must not connect to `address` for a tenant ("a private address", "a loopback
 * address"…), or null when it is a public address. Takes an IP address as a resolver or a URL
 * gives it (`10.0.0.5`, `::1`, `[::1]`, `fe80::1%eth0`); anything else is refused as "not an IP
 * address", never taken for public.
 */
export function blockedAddress(address: string): string | null {
  // a URL brackets IPv6; a resolver may scope a link-local address to an interface (%eth0)
  const bare = address.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '')
  const family = isIP(bare)
  if (family === 0) return 'not an IP address'
  const type = family === 4 ? 'ipv4' : 'ipv6'
  return RULES.find((rule) => rule.list.check(bare, type))?.phrase ?? null
}
