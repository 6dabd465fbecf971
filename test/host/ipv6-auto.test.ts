/** `--ipv6` auto: the decision from the interfaces, its reason, and that it stays off the path when a flag is given. */
import test from 'ava';
import { networkInterfaces } from 'node:os';
import { parseCheckFlags } from '../../src/cli/check-flags.ts';
import { ReportSchema } from '../../src/core/report.ts';
import { decideIpv6, isGlobalIpv6, nodeInterfaces, resolveIpv6Auto, systemInterfaces, type InterfaceAddresses, type InterfaceListing } from '../../src/host/ipv6-auto.ts';

const listed = (...interfaces: InterfaceAddresses[]): InterfaceListing => ({ interfaces, via: 'a fake list' });
import { hostFixturePath } from '../fixtures/hosts/index.ts';

const lo: InterfaceAddresses = { iface: 'lo', ip6: ['::1'], internal: true };
const linkLocalOnly: InterfaceAddresses = { iface: 'eth0', ip6: ['fe80::fc:ff:fe00:1'], internal: false };
const dualStack: InterfaceAddresses = { iface: 'eth0', ip6: ['2001:db8:1::10'], internal: false };

test('global IPv6 addresses: documentation, global unicast and ULA count; loopback, link-local, multicast, mapped do not', (t) => {
  for (const a of ['2001:db8::1', '2a00:1450:4001:82a::200e', 'fd00::2', 'FD12:3456::1']) t.true(isGlobalIpv6(a), a);
  for (const a of ['::', '::1', 'fe80::1', 'fe80::1%eth0', 'febf::1', 'ff02::1', '::ffff:10.0.0.1', '10.0.0.1', '']) t.false(isGlobalIpv6(a), a);
});

test('auto: on with a global address (named in the reason), off with only loopback and link-local', (t) => {
  const on = decideIpv6(listed(lo, dualStack));
  t.true(on.ipv6);
  t.regex(on.reason, /^auto: this node has a global IPv6 address \(eth0 2001:db8:1::10\), so the IPv6 requirements apply \(read from this process's network interfaces with a fake list\)/);
  t.regex(on.reason, /--no-ipv6 skips them$/);
  const off = decideIpv6(listed(lo, linkLocalOnly));
  t.false(off.ipv6);
  t.regex(off.reason, /^auto: no global IPv6 address .* --ipv6 applies them$/);
  t.false(decideIpv6(listed({ ...dualStack, internal: true })).ipv6, 'an internal interface is not the node\'s network');
});

test('with --host-root the reason says the interfaces are this process\'s, not the fixture tree\'s', (t) => {
  t.regex(decideIpv6(listed(dualStack), '/host').reason, /not read below --host-root \/host/);
  t.notRegex(decideIpv6(listed(dualStack), '/').reason, /--host-root/);
});

test('interfaces that cannot be read: off, with the error in the reason', async (t) => {
  const decision = await resolveIpv6Auto(async () => {
    throw new Error('ip: command failed\nmore');
  });
  t.deepEqual(decision, { ipv6: false, reason: 'auto: the network interfaces could not be read (ip: command failed), so the IPv6 requirements do not apply; --ipv6 applies them' });
});

const RAW = { mesh: 'istio', backend: 'auto', dnsCapture: false, interception: 'redirect', probe: false, hostRoot: hostFixturePath('ubuntu-22.04'), initContainer: [] };

test('parseCheckFlags: no flag → auto from the (injected) interfaces, recorded as the source with the reason', async (t) => {
  const on = await parseCheckFlags(RAW, {}, { listInterfaces: async () => listed(lo, dualStack) });
  t.true(on.ipv6);
  t.deepEqual(on.optionSources, { ipv6: 'auto' });
  t.regex(on.ipv6Reason ?? '', /not read below --host-root .*ubuntu-22\.04/);
  const off = await parseCheckFlags(RAW, {}, { listInterfaces: async () => listed(lo, linkLocalOnly) });
  t.false(off.ipv6);
  t.deepEqual(off.optionSources, { ipv6: 'auto' });
});

test('parseCheckFlags: --ipv6 and --no-ipv6 decide without reading any interface', async (t) => {
  const untouchable = async (): Promise<InterfaceListing> => {
    throw new Error('the interfaces must not be read when the flag is given');
  };
  const on = await parseCheckFlags({ ...RAW, ipv6: true }, {}, { listInterfaces: untouchable });
  t.true(on.ipv6);
  t.deepEqual(on.optionSources, { ipv6: 'flag' });
  t.is(on.ipv6Reason, undefined);
  const off = await parseCheckFlags({ ...RAW, ipv6: false }, {}, { listInterfaces: untouchable });
  t.false(off.ipv6);
  t.deepEqual(off.optionSources, { ipv6: 'flag' });
});

test('parseCheckFlags: where no check runs (plain diagnose) auto is not resolved at all', async (t) => {
  const options = await parseCheckFlags(RAW, {}, {
    resolveIpv6Auto: false,
    listInterfaces: async () => {
      throw new Error('must not be read');
    },
  });
  t.false(options.ipv6);
  t.deepEqual(options.optionSources, { ipv6: 'default' });
});

test('an old report without optionSources or ipv6Reason still parses', (t) => {
  const options = { mesh: 'istio', backend: 'auto', dnsCapture: false, interception: 'redirect', ipv6: false, probe: false, hostRoot: '/' };
  const report = { schemaVersion: 1, node: 'n', mesh: 'istio', verdict: 'ready', generatedAt: '2026-12-07T00:00:00Z', options, kernel: {}, os: {}, checks: [], modules: [], initContainers: [], fixes: [] };
  t.true(ReportSchema.safeParse(report).success);
  t.true(ReportSchema.safeParse({ ...report, options: { ...options, optionSources: { ipv6: 'auto' }, ipv6Reason: 'auto: …' } }).success);
  t.false(ReportSchema.safeParse({ ...report, options: { ...options, optionSources: { ipv6: 'guess' } } }).success);
});

test('systeminformation (in a child process) lists this machine\'s interfaces as Node\'s own list does', async (t) => {
  const kernelSays = decideIpv6({ interfaces: nodeInterfaces(), via: 'node' }).ipv6;
  t.is(kernelSays, Object.values(networkInterfaces()).some((as) => (as ?? []).some((a) => a.family === 'IPv6' && !a.internal && isGlobalIpv6(a.address))));
  // A generous timeout so that systeminformation itself answers even on a loaded machine.
  const listing = await systemInterfaces(60_000)();
  t.is(listing.via, 'systeminformation');
  t.true(listing.interfaces.length > 0);
  t.is(decideIpv6(listing).ipv6, kernelSays);
});

test('systeminformation too slow: Node\'s own list answers, and the reason says which one did', async (t) => {
  const listing = await systemInterfaces(1)();
  t.regex(listing.via, /^Node's os\.networkInterfaces\(\) \(systeminformation did not answer within 1 ms; it reads its addresses from the same list\)$/);
  t.deepEqual(listing.interfaces, nodeInterfaces());
});
