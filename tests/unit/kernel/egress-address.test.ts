// The address classifier of the egress proxy: every range it closes, IPv6 forms, embedded IPv4.
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { test } from 'node:test';
import { classifyAddress, parseIPv6, type AddressClass } from '../../../src/kernel/egress/address.js';

const cases: [string, AddressClass | undefined][] = [
  // IPv4: public
  ['8.8.8.8', 'public'],
  ['1.1.1.1', 'public'],
  ['93.184.215.14', 'public'],
  ['172.15.255.255', 'public'],
  ['172.32.0.0', 'public'],
  ['100.63.255.255', 'public'],
  ['100.128.0.0', 'public'],
  ['169.253.255.255', 'public'],
  ['192.169.0.1', 'public'],
  ['223.255.255.255', 'public'],
  ['11.0.0.1', 'public'],
  // IPv4: closed ranges, both ends
  ['0.0.0.0', 'unspecified'],
  ['0.255.255.255', 'unspecified'],
  ['10.0.0.0', 'private'],
  ['10.255.255.255', 'private'],
  ['100.64.0.0', 'private'],
  ['100.127.255.255', 'private'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['169.254.0.1', 'link-local'],
  ['169.254.169.254', 'link-local'],
  ['172.16.0.0', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.0.1', 'private'],
  ['192.168.255.255', 'private'],
  ['192.0.0.8', 'reserved'],
  ['192.0.2.1', 'reserved'],
  ['198.18.0.1', 'reserved'],
  ['198.19.255.255', 'reserved'],
  ['198.51.100.7', 'reserved'],
  ['203.0.113.9', 'reserved'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'reserved'],
  // IPv6: public global unicast
  ['2606:4700:4700::1111', 'public'],
  ['2a00:1450:4001:81b::200e', 'public'],
  ['[2606:4700::1]', 'public'],
  // IPv6: closed
  ['::', 'unspecified'],
  ['::0', 'unspecified'],
  ['0:0:0:0:0:0:0:0', 'unspecified'],
  ['::1', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['[::1]', 'loopback'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['febf:ffff::1', 'link-local'],
  ['fec0::1', 'private'],
  ['fc00::1', 'unique-local'],
  ['fd12:3456:789a::1', 'unique-local'],
  ['FD00::ABCD', 'unique-local'],
  ['ff02::1', 'multicast'],
  ['ff05::1:3', 'multicast'],
  ['2001:db8::1', 'reserved'],
  ['2001::1', 'reserved'], // Teredo
  ['3fff::1', 'reserved'],
  ['100::1', 'reserved'], // discard-only, outside 2000::/3
  ['4000::1', 'reserved'],
  ['::2', 'reserved'], // IPv4-compatible, deprecated
  // IPv4-mapped and other forms that embed an IPv4 address take its class
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::FFFF:7F00:0001', 'loopback'],
  ['0:0:0:0:0:ffff:127.0.0.1', 'loopback'],
  ['[::ffff:10.0.0.1]', 'private'],
  ['::ffff:169.254.169.254', 'link-local'],
  ['::ffff:a9fe:a9fe', 'link-local'],
  ['::ffff:192.168.1.1', 'private'],
  ['::ffff:0.0.0.0', 'unspecified'],
  ['::ffff:8.8.8.8', 'public'],
  ['64:ff9b::127.0.0.1', 'loopback'],
  ['64:ff9b::a00:1', 'private'],
  ['64:ff9b::808:808', 'public'],
  ['2002:7f00:1::1', 'loopback'],
  ['2002:a9fe:a9fe::', 'link-local'],
  ['2002:808:808::1', 'public'],
  // not addresses
  ['localhost', undefined],
  ['127.1', undefined],
  ['0x7f.0.0.1', undefined],
  ['010.0.0.1', undefined],
  ['256.0.0.1', undefined],
  ['1.2.3', undefined],
  ['1:2:3', undefined],
  ['1::2::3', undefined],
  ['12345::1', undefined],
  ['1:2:3:4:5:6:7:8:9', undefined],
  ['::ffff:1.2.3', undefined],
  ['', undefined],
];

for (const [address, expected] of cases) {
  test(`classifyAddress(${JSON.stringify(address)}) = ${expected}`, () => {
    assert.equal(classifyAddress(address), expected);
  });
}

test('parseIPv6 agrees with node:net on what is an IPv6 address', () => {
  const samples = [
    '::',
    '::1',
    '1::',
    '1:2:3:4:5:6:7:8',
    '1:2:3:4:5:6:7::',
    '::2:3:4:5:6:7:8',
    '1::8',
    '1:2:3:4:5:6:1.2.3.4',
    '::1.2.3.4',
    '::ffff:1.2.3.4',
    '1::1.2.3.4',
    '1:2:3:4:5:6:7:1.2.3.4',
    '1:2:3:4:5:6:7:8:9',
    ':1::',
    '1:::2',
    '1.2.3.4',
    'g::1',
    '1:2:3:4:5:6:7',
    '::1.2.3',
    '1:2:3:4:5:6::1.2.3.4',
  ];
  for (const sample of samples) {
    assert.equal(parseIPv6(sample) !== undefined, isIP(sample) === 6, sample);
  }
});

test('parseIPv6 places the groups and the IPv4 tail', () => {
  assert.deepEqual(parseIPv6('::ffff:1.2.3.4'), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 1, 2, 3, 4]);
  assert.deepEqual(parseIPv6('1::2'), [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
  assert.deepEqual(parseIPv6('abcd::'), [0xab, 0xcd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
});
