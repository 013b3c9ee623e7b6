import { describe, expect, it } from 'vitest'

import { blockedAddress } from './blocked-address.ts'

describe('blockedAddress', () => {
  it.each([
    ['127.0.0.1', 'a loopback address'],
    ['127.255.255.254', 'a loopback address'],
    ['10.0.0.5', 'a private address'],
    ['10.255.255.255', 'a private address'],
    ['172.16.0.1', 'a private address'],
    ['172.31.255.255', 'a private address'],
    ['192.168.1.1', 'a private address'],
    ['169.254.169.254', 'a link-local address'],
    ['100.64.0.1', 'a shared (CGNAT) address'],
    ['100.127.255.255', 'a shared (CGNAT) address'],
    ['0.0.0.0', 'an unspecified address'],
    ['0.1.2.3', 'an unspecified address'],
    ['224.0.0.1', 'a multicast address'],
    ['239.255.255.250', 'a multicast address'],
    ['255.255.255.255', 'a broadcast address'],
    ['240.0.0.1', 'a reserved address'],
    ['192.0.2.10', 'a reserved address'],
    ['198.18.0.1', 'a reserved address'],
    ['203.0.113.7', 'a reserved address'],
  ])('refuses IPv4 %s: %s', (address, why) => {
    expect(blockedAddress(address)).toBe(why)
  })

  it.each([
    ['::1', 'a loopback address'],
    ['[::1]', 'a loopback address'],
    ['::', 'an unspecified address'],
    ['fe80::1', 'a link-local address'],
    ['fe80::1%eth0', 'a link-local address'],
    ['febf:ffff::1', 'a link-local address'],
    ['fc00::1', 'a unique-local address'],
    ['fd12:3456:789a::1', 'a unique-local address'],
    ['ff02::1', 'a multicast address'],
    ['fec0::1', 'a reserved address'],
    ['2001:db8::1', 'a reserved address'],
    ['2002:7f00:1::1', 'a reserved address'],
    ['::7f00:1', 'a reserved address'],
    ['64:ff9b:1::a00:5', 'a reserved address'],
  ])('refuses IPv6 %s: %s', (address, why) => {
    expect(blockedAddress(address)).toBe(why)
  })

  it.each([
    // IPv4-mapped: the socket connects to the IPv4 address inside, in either spelling
    ['::ffff:127.0.0.1', 'a loopback address'],
    ['::ffff:7f00:1', 'a loopback address'],
    ['[::ffff:a9fe:a9fe]', 'a link-local address'],
    ['::ffff:10.1.2.3', 'a private address'],
    ['::ffff:192.168.0.1', 'a private address'],
    ['::ffff:100.64.0.1', 'a shared (CGNAT) address'],
    ['::ffff:0.0.0.0', 'an unspecified address'],
    ['::ffff:255.255.255.255', 'a broadcast address'],
    // NAT64: the translator connects to the IPv4 address inside
    ['64:ff9b::127.0.0.1', 'a loopback address'],
    ['64:ff9b::a9fe:a9fe', 'a link-local address'],
  ])('refuses %s, which carries %s', (address, why) => {
    expect(blockedAddress(address)).toBe(why)
  })

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.215.14',
    // the edges just outside the ranges
    '9.255.255.255',
    '11.0.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '192.167.255.255',
    '192.169.0.0',
    '169.253.255.255',
    '169.255.0.0',
    '100.63.255.255',
    '100.128.0.0',
    '126.255.255.255',
    '128.0.0.0',
    '1.0.0.0',
    '223.255.255.255',
    '2606:4700:4700::1111',
    '2a00:1450:4001:80b::200e',
    'fe7f:ffff::1',
    'fbff::1',
    'fe00::1',
    '::ffff:8.8.8.8',
    '::ffff:808:808',
    '64:ff9b::8.8.8.8',
  ])('lets %s through: a public address', (address) => {
    expect(blockedAddress(address)).toBeNull()
  })

  it.each(['', 'localhost', 'example.com', '1.2.3', '999.1.1.1', '::g', '10.0.0.1/8'])(
    'refuses %j: not an IP address is never taken for a public one',
    (text) => {
      expect(blockedAddress(text)).toBe('not an IP address')
    },
  )
})
