import test from 'ava';
import { iptablesBackendCheck, evaluateIptablesBackend, legacyUsable, type IptablesBackendFacts } from '../../checks/iptables-backend.ts';
import { checkOptions } from '../../src/core/options.ts';
import { decideBackend } from '../../src/iptables/observe.ts';
import type { BackendSnapshot, IptablesObservation } from '../../src/iptables/types.ts';
import { fakeFacts, kconfigFacts, kernelFacts, meshBackend } from '../helpers/fake-facts.ts';
import type { CheckContext } from '../../src/core/check.ts';
import { HostRoot } from '../../src/host/root.ts';
import { scriptedExec } from './fake-exec.ts';

function observation(legacy: number, nft: number, extra: { canary?: 'nft' | 'legacy'; unavailable?: boolean } = {}): IptablesObservation {
  const snapshots: BackendSnapshot[] = [
    { backend: 'legacy', family: 'ipv4', available: !extra.unavailable, rules: legacy, tables: [], canary: extra.canary === 'legacy', command: 'iptables-legacy-save', ...(extra.unavailable ? { error: 'Permission denied' } : {}) },
    { backend: 'nft', family: 'ipv4', available: !extra.unavailable, rules: nft, tables: [], canary: extra.canary === 'nft', command: 'iptables-nft-save', ...(extra.unavailable ? { error: 'Permission denied' } : {}) },
  ];
  const decision = decideBackend(snapshots, 'nft');
  return { backend: decision.backend, reason: decision.reason, evidence: snapshots.map((s) => `$ ${s.command}: ${s.rules} rules`), snapshots, hostVersion: 'iptables v1.8.9 (nf_tables)', hostDefault: 'nft', ...(decision.unavailable ? { unavailable: decision.unavailable } : {}) };
}

const oldKernel = kernelFacts('6.1.0-18-amd64');
const newKernelNoLegacy = kernelFacts('6.18.2');
const noLegacyConfig = kconfigFacts({ CONFIG_NF_TABLES: 'y', CONFIG_NETFILTER_XTABLES_LEGACY: 'n' });
const legacyConfig = kconfigFacts({ CONFIG_NETFILTER_XTABLES_LEGACY: 'y' });
const istio = checkOptions({ mesh: 'istio' });

function facts(obs: IptablesObservation, mesh: 'nft' | 'legacy', kernel = oldKernel, kconfig = legacyConfig): IptablesBackendFacts {
  return { observation: obs, mesh: meshBackend(mesh), kernel, kconfig };
}

test('match: nft node, nft mesh → pass, states both', (t) => {
  const out = evaluateIptablesBackend(facts(observation(0, 40, { canary: 'nft' }), 'nft'), istio);
  t.is(out.status, 'pass');
  t.regex(out.summary, /node rules: nft .*mesh init container: nft.*match/);
  t.true(out.evidence.some((e) => e.startsWith('decision: nft')));
  t.true(out.evidence.some((e) => e.startsWith('mesh init container backend: nft')));
  t.deepEqual(out.remediation, []);
});

test('mismatch: nft node, legacy mesh → warn explaining proxyv2-on-nft, with nft remediation', (t) => {
  const out = evaluateIptablesBackend(facts(observation(0, 40), 'legacy'), istio);
  t.is(out.status, 'warn');
  t.regex(out.summary, /node's rules are in nft but the mesh init container will program legacy/);
  t.regex(out.summary, /istio\/proxyv2/);
  t.true(out.remediation.some((r) => r.includes('nativeNftables=true')));
  t.true(out.remediation.some((r) => r.includes('--backend nft')));
});

test('mismatch for linkerd names proxyInit.iptablesMode', (t) => {
  const out = evaluateIptablesBackend(facts(observation(25, 0), 'nft'), checkOptions({ mesh: 'linkerd' }));
  t.is(out.status, 'warn');
  t.true(out.remediation.some((r) => r.includes('proxyInit.iptablesMode=legacy')));
});

test('rules in both backends → warn split brain, even when a canary decided', (t) => {
  const mixed = evaluateIptablesBackend(facts(observation(3, 40), 'nft'), istio);
  t.is(mixed.status, 'warn');
  t.regex(mixed.summary, /both backends \(legacy 3, nft 40\)/);
  t.true(mixed.remediation.some((r) => r.startsWith('iptables-legacy-save')));
  const canaried = evaluateIptablesBackend(facts(observation(3, 40, { canary: 'nft' }), 'nft'), istio);
  t.is(canaried.status, 'warn');
  t.regex(canaried.summary, /split brain/);
});

test('kernel 6.17+ without legacy xtables and a legacy mesh → fail', (t) => {
  const out = evaluateIptablesBackend(facts(observation(0, 0), 'legacy', newKernelNoLegacy, noLegacyConfig), istio);
  t.is(out.status, 'fail');
  t.regex(out.summary, /a legacy-mode mesh init container cannot work at all here/);
  t.true(out.evidence.some((e) => e === '/proc/config.gz: # CONFIG_NETFILTER_XTABLES_LEGACY is not set'));
  t.true(out.remediation.some((r) => r.includes('CONFIG_NETFILTER_XTABLES_LEGACY=y')));
});

test('kernel 6.17+ with the symbol absent from a readable config also fails; nft mesh there passes', (t) => {
  const absent = kconfigFacts({ CONFIG_NF_TABLES: 'y' });
  t.is(evaluateIptablesBackend(facts(observation(0, 5), 'legacy', newKernelNoLegacy, absent), istio).status, 'fail');
  t.is(evaluateIptablesBackend(facts(observation(0, 5), 'nft', newKernelNoLegacy, absent), istio).status, 'pass');
});

test('legacy mesh on 6.18 with CONFIG_NETFILTER_XTABLES_LEGACY=y is not failed', (t) => {
  t.is(evaluateIptablesBackend(facts(observation(30, 0), 'legacy', newKernelNoLegacy, legacyConfig), istio).status, 'pass');
});

test('legacyUsable: rules in legacy prove it; unknown config is undefined', (t) => {
  t.true(legacyUsable(newKernelNoLegacy, noLegacyConfig, observation(3, 0)));
  t.false(legacyUsable(newKernelNoLegacy, noLegacyConfig, observation(0, 3)));
  t.is(legacyUsable(newKernelNoLegacy, kconfigFacts({}, null)), undefined);
});

test('unavailable → skip with reason and privilege remediation', (t) => {
  const out = evaluateIptablesBackend(facts(observation(0, 0, { unavailable: true }), 'nft'), istio);
  t.is(out.status, 'skip');
  t.regex(out.summary, /cannot tell the node's iptables backend: no privilege/);
  t.regex(out.remediation.join('\n'), /root/);
});

test('no rules anywhere → pass, mentions the host default', (t) => {
  const out = evaluateIptablesBackend(facts(observation(0, 0), 'legacy'), istio);
  t.is(out.status, 'pass');
  t.regex(out.summary, /no iptables rules.*defaults to nft, the mesh will use legacy/);
});

test('evaluate accepts empty facts', (t) => {
  t.is(iptablesBackendCheck.evaluate({} as IptablesBackendFacts, istio).status, 'skip');
});

test('collect reads the four facts', async (t) => {
  const obs = observation(0, 4);
  const f = fakeFacts({ iptables: obs, meshBackend: meshBackend('nft'), kernel: oldKernel, kconfig: legacyConfig });
  const ctx: CheckContext = { options: istio, host: new HostRoot('/nonexistent'), exec: scriptedExec({}), facts: f, now: () => new Date(0) };
  const collected = await iptablesBackendCheck.collect(ctx);
  t.is(collected.observation, obs);
  t.is(collected.mesh.backend, 'nft');
  t.deepEqual([f.calls.iptables, f.calls.meshBackend, f.calls.kernel, f.calls.kconfig], [1, 1, 1, 1]);
  t.is(iptablesBackendCheck.id, 'iptables-backend');
});
