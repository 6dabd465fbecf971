/**
 * observeIptables against real iptables-legacy / iptables-nft in throwaway network namespaces: rules are
 * written with the real binaries, then the observation must find them where they are.
 */
import { realExec } from '../../src/host/exec.ts';
import { observeIptables } from '../../src/iptables/observe.ts';
import { parseIptablesVersion } from '../helpers/iptables-version.ts';
import { HostRoot } from '../../src/host/root.ts';
import { testNetns } from '../helpers/netns.ts';
import { needs } from '../helpers/requirements.ts';

const it = needs('root', 'netns', 'iptables');

const NAT_RULES = ['*nat', ':OUTPUT ACCEPT [0:0]', ':MP_TEST - [0:0]', '-A OUTPUT -p tcp -j MP_TEST', '-A MP_TEST -p tcp --dport 80 -j REDIRECT --to-ports 15001', 'COMMIT', ''].join('\n');
const FILTER_RULES = ['*filter', ':INPUT ACCEPT [0:0]', '-A INPUT -p tcp --dport 22 -j ACCEPT', 'COMMIT', ''].join('\n');
// What kubelet (1.17+) creates: the hint chain in mangle; no rules needed for the canary to decide.
const KUBELET_CANARY = ['*mangle', ':KUBE-IPTABLES-HINT - [0:0]', ':KUBE-KUBELET-CANARY - [0:0]', 'COMMIT', ''].join('\n');

it('legacy-only rules → legacy', async (t) => {
  const ns = await testNetns(t);
  await ns.run('iptables-legacy-restore', ['-w', '5'], NAT_RULES);
  const obs = await observeIptables(realExec, { ipv6: false, netns: ns.name });
  t.is(obs.backend, 'legacy', obs.reason);
  t.is(obs.snapshots.find((s) => s.backend === 'legacy')!.rules, 2);
  t.is(obs.snapshots.find((s) => s.backend === 'nft')!.rules, 0);
  t.is(obs.unavailable, undefined);
});

it('nft-only rules → nft', async (t) => {
  const ns = await testNetns(t);
  await ns.run('iptables-nft-restore', [], NAT_RULES + FILTER_RULES);
  const obs = await observeIptables(realExec, { ipv6: false, netns: ns.name });
  t.is(obs.backend, 'nft', obs.reason);
  t.deepEqual(obs.snapshots.find((s) => s.backend === 'nft')!.tables.sort(), ['filter', 'nat']);
  t.is(obs.snapshots.find((s) => s.backend === 'nft')!.rules, 3);
});

it('rules in both → mixed, and iptables-nft warns about the legacy tables', async (t) => {
  const ns = await testNetns(t);
  await ns.run('iptables-legacy-restore', ['-w', '5'], FILTER_RULES);
  await ns.run('iptables-nft-restore', [], NAT_RULES);
  const obs = await observeIptables(realExec, { ipv6: false, netns: ns.name });
  t.is(obs.backend, 'mixed', obs.reason);
  t.regex(obs.reason, /legacy 1, nft 2/);
  t.true(obs.evidence.some((e) => e.includes('iptables-nft-save') && e.includes('# Warning: iptables-legacy tables present')));
});

it('kubelet canary in nft wins over more legacy rules', async (t) => {
  const ns = await testNetns(t);
  await ns.run('iptables-legacy-restore', ['-w', '5'], NAT_RULES + FILTER_RULES);
  await ns.run('iptables-nft-restore', [], KUBELET_CANARY);
  const obs = await observeIptables(realExec, { ipv6: false, netns: ns.name });
  t.is(obs.backend, 'nft', obs.reason);
  t.regex(obs.reason, /canary/);
  t.true(obs.snapshots.find((s) => s.backend === 'nft')!.canary);
});

it('kubelet canary in legacy wins over more nft rules', async (t) => {
  const ns = await testNetns(t);
  await ns.run('iptables-legacy-restore', ['-w', '5'], KUBELET_CANARY);
  await ns.run('iptables-nft-restore', [], NAT_RULES + FILTER_RULES);
  const obs = await observeIptables(realExec, { ipv6: false, netns: ns.name });
  t.is(obs.backend, 'legacy', obs.reason);
});

it('empty namespace → none; the host default read from the iptables link chain agrees with iptables --version', async (t) => {
  const ns = await testNetns(t);
  const obs = await observeIptables(realExec, { ipv6: true, netns: ns.name, host: new HostRoot('/') });
  t.is(obs.backend, 'none', obs.reason);
  t.is(obs.snapshots.length, 4);
  t.true(obs.snapshots.every((s) => s.available && s.rules === 0));
  const version = await realExec('iptables', ['--version']);
  const expected = parseIptablesVersion(version.stdout).backend;
  t.is(obs.hostDefault, expected);
  if (expected) t.regex(obs.reason, new RegExp(`defaults to ${expected}`));
});

it('ip6tables rules are seen with ipv6 and not without', async (t) => {
  const ns = await testNetns(t);
  await ns.run('ip6tables-legacy-restore', ['-w', '5'], NAT_RULES);
  const withV6 = await observeIptables(realExec, { ipv6: true, netns: ns.name });
  t.is(withV6.backend, 'legacy', withV6.reason);
  t.is(withV6.snapshots.find((s) => s.backend === 'legacy' && s.family === 'ipv6')!.rules, 2);
  const v4Only = await observeIptables(realExec, { ipv6: false, netns: ns.name });
  t.is(v4Only.backend, 'none');
});
