import test from 'ava';
import { readFileSync } from 'node:fs';
import { decideBackend, isPrivilegeError, observeIptables } from '../../src/iptables/observe.ts';
import { parseIptablesVersion } from '../helpers/iptables-version.ts';
import type { BackendSnapshot } from '../../src/iptables/types.ts';
import type { ObservedBackend } from '../../src/core/report.ts';
import { scriptedExec } from './fake-exec.ts';
import { HostRoot } from '../../src/host/root.ts';
import { hostFixturePath } from '../fixtures/hosts/index.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

function snap(backend: 'nft' | 'legacy', rules: number, extra: Partial<BackendSnapshot> = {}): BackendSnapshot {
  return { backend, family: 'ipv4', available: true, rules, tables: rules > 0 ? ['nat'] : [], canary: false, command: `iptables-${backend}-save`, ...extra };
}

// decideBackend: the iptables-wrappers order (nft canary, legacy canary, then rule counts), with mixed/none.
const cases: Array<[string, BackendSnapshot[], 'nft' | 'legacy' | undefined, ObservedBackend]> = [
  ['legacy only', [snap('legacy', 12), snap('nft', 0)], undefined, 'legacy'],
  ['nft only', [snap('legacy', 0), snap('nft', 40)], undefined, 'nft'],
  ['rules in both, no canary', [snap('legacy', 3), snap('nft', 40)], undefined, 'mixed'],
  ['nothing anywhere', [snap('legacy', 0), snap('nft', 0)], 'nft', 'none'],
  ['nft canary wins over more legacy rules', [snap('legacy', 100), snap('nft', 1, { canary: true })], undefined, 'nft'],
  ['legacy canary wins over more nft rules', [snap('legacy', 0, { canary: true }), snap('nft', 50)], undefined, 'legacy'],
  ['canary in both: nft is checked first', [snap('legacy', 5, { canary: true }), snap('nft', 5, { canary: true })], undefined, 'nft'],
  ['ipv6-only canary decides', [snap('legacy', 9), snap('nft', 0), snap('nft', 0, { family: 'ipv6', canary: true })], undefined, 'nft'],
  ['rules split across families still count', [snap('legacy', 0), snap('nft', 0), snap('legacy', 4, { family: 'ipv6' })], undefined, 'legacy'],
  ['legacy binary missing: decide from nft', [snap('legacy', 0, { available: false, error: 'iptables-legacy-save: not found' }), snap('nft', 7)], undefined, 'nft'],
  ['no binary at all', [snap('legacy', 0, { available: false, error: 'iptables-legacy-save: not found' }), snap('nft', 0, { available: false, error: 'iptables-nft-save: not found' })], undefined, 'unknown'],
  ['no privilege for one backend', [snap('legacy', 0, { available: false, error: 'Failed to list table names in /proc/net/ip_tables_names: Permission denied' }), snap('nft', 7)], undefined, 'unknown'],
];

for (const [name, snapshots, hostDefault, expected] of cases) {
  test(`decideBackend: ${name} → ${expected}`, (t) => {
    const decision = decideBackend(snapshots, hostDefault);
    t.is(decision.backend, expected);
    t.is(decision.unavailable !== undefined, expected === 'unknown');
    t.true(decision.reason.length > 0);
  });
}

test('decideBackend: reasons name the counts, the canary and the host default', (t) => {
  t.regex(decideBackend([snap('legacy', 3), snap('nft', 40)]).reason, /legacy 3, nft 40/);
  t.regex(decideBackend([snap('legacy', 0), snap('nft', 1, { canary: true })]).reason, /canary.*nft/);
  t.regex(decideBackend([snap('legacy', 0), snap('nft', 0)], 'legacy').reason, /defaults to legacy/);
  t.regex(decideBackend([snap('legacy', 0, { available: false, error: 'iptables-legacy-save: not found' }), snap('nft', 7)]).reason, /not read: .*not found/);
  t.regex(decideBackend([snap('legacy', 0), snap('nft', 0, { available: false, error: 'Could not fetch rule set generation id: Permission denied (you must be root)' })]).unavailable!, /privilege/);
});

test('parseIptablesVersion', (t) => {
  t.deepEqual(parseIptablesVersion('iptables v1.8.9 (nf_tables)'), { version: '1.8.9', backend: 'nft' });
  t.deepEqual(parseIptablesVersion('iptables v1.8.7 (legacy)'), { version: '1.8.7', backend: 'legacy' });
  t.deepEqual(parseIptablesVersion('iptables v1.6.1'), { version: '1.6.1', backend: 'legacy' });
  t.deepEqual(parseIptablesVersion('iptables v1.8.0'), { version: '1.8.0' });
  t.deepEqual(parseIptablesVersion('garbage'), {});
});

test('isPrivilegeError', (t) => {
  t.true(isPrivilegeError('iptables-nft-save v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)'));
  t.false(isPrivilegeError('iptables-legacy-save: not found'));
  t.false(isPrivilegeError(undefined));
});

test('observeIptables runs both save binaries (no -w: save has none), nothing else, and reads the host default from its files', async (t) => {
  const exec = scriptedExec({
    'iptables-nft-save': { stdout: fixture('nft-kubelet.save'), stderr: fixture('nft-kubelet.stderr') },
    'iptables-legacy-save': { stdout: fixture('legacy-raw.save') },
  });
  const obs = await observeIptables(exec, { ipv6: false, host: new HostRoot(hostFixturePath('ubuntu-22.04')), savesFromHost: true });
  t.is(obs.backend, 'nft');
  t.is(obs.hostDefault, 'nft');
  t.is(obs.hostVersion, 'iptables v1.8.9 (nf_tables)', 'the version from the nft save header');
  t.is(obs.unavailable, undefined);
  t.deepEqual(exec.calls.map((c) => [c.file, ...c.args].join(' ')).sort(), ['iptables-legacy-save', 'iptables-nft-save']);
  t.true(exec.calls.every((c) => typeof c.options?.timeoutMs === 'number'));
  const nft = obs.snapshots.find((s) => s.backend === 'nft')!;
  t.deepEqual(nft, { backend: 'nft', family: 'ipv4', available: true, rules: 3, tables: ['mangle', 'filter', 'nat'], canary: true, command: 'iptables-nft-save' });
  t.true(obs.evidence.some((e) => e.includes('iptables-nft-save: 3 rules') && e.includes('KUBE-IPTABLES-HINT in mangle') && e.includes('# Warning: iptables-legacy tables present')));
  t.true(obs.evidence.some((e) => e === '$ iptables-legacy-save: 1 rule (raw 1)'));
  t.true(obs.evidence.includes('host iptables: /usr/sbin/iptables → /usr/sbin/xtables-nft-multi (/usr/sbin/iptables → /etc/alternatives/iptables, /etc/alternatives/iptables → /usr/sbin/iptables-nft, /usr/sbin/iptables-nft → xtables-nft-multi): nft'), obs.evidence.join('\n'));
});

test('observeIptables: below a mounted host root the saves are the container\'s, so no host version is claimed', async (t) => {
  const exec = scriptedExec({ 'iptables-nft-save': { stdout: fixture('nft-kubelet.save') }, 'iptables-legacy-save': { stdout: '' } });
  const obs = await observeIptables(exec, { ipv6: false, host: new HostRoot(hostFixturePath('ubuntu-22.04')) });
  t.is(obs.hostDefault, 'nft');
  t.is(obs.hostVersion, undefined);
});

test('observeIptables with ipv6 and a netns runs ip6tables variants through ip netns exec', async (t) => {
  const exec = scriptedExec((line) => (line.startsWith('ip netns exec mp-x ') ? { stdout: line.includes('ip6tables-legacy') ? '*nat\n-A OUTPUT -j RETURN\nCOMMIT\n' : '' } : undefined));
  const obs = await observeIptables(exec, { ipv6: true, netns: 'mp-x' });
  t.deepEqual(exec.calls.map((c) => c.args.at(-1)).filter((a) => a?.includes('save')).sort(), ['ip6tables-legacy-save', 'ip6tables-nft-save', 'iptables-legacy-save', 'iptables-nft-save']);
  t.is(obs.backend, 'legacy');
  t.is(obs.snapshots.length, 4);
});

test('observeIptables: not root → unknown with unavailable set', async (t) => {
  const exec = scriptedExec({
    'iptables-nft-save': { exitCode: 4, stderr: 'iptables-nft-save v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)\n' },
    'iptables-legacy-save': { exitCode: 1, stderr: 'Failed to list table names in /proc/net/ip_tables_names: Permission denied\n' },
  });
  const obs = await observeIptables(exec, { ipv6: false });
  t.is(obs.backend, 'unknown');
  t.regex(obs.unavailable ?? '', /Permission denied/);
  t.true(obs.evidence.some((e) => e.startsWith('$ iptables-nft-save: iptables-nft-save v1.8.9 (nf_tables): Could not fetch')));
});

test('observeIptables: no iptables at all → unknown, binaries not found', async (t) => {
  const obs = await observeIptables(scriptedExec({}), { ipv6: false });
  t.is(obs.backend, 'unknown');
  t.regex(obs.unavailable ?? '', /not found/);
  t.is(obs.hostVersion, undefined);
  t.is(obs.hostDefault, undefined);
});

test('observeIptables: a netns command whose binary is missing counts as not found', async (t) => {
  const exec = scriptedExec((line) => {
    if (line.endsWith('iptables-legacy-save')) return { exitCode: 1, stderr: 'exec of "iptables-legacy-save" failed: No such file or directory\n' };
    if (line.endsWith('iptables-nft-save')) return { stdout: '*nat\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -j RETURN\nCOMMIT\n' };
    return { stdout: 'iptables v1.8.9 (nf_tables)\n' };
  });
  const obs = await observeIptables(exec, { ipv6: false, netns: 'mp-y' });
  t.is(obs.backend, 'nft');
  t.is(obs.snapshots.find((s) => s.backend === 'legacy')!.error, 'iptables-legacy-save: not found');
});
