import test from 'ava';
import { evaluateRulesDryRun, rulesDryRunCheck, type RulesDryRunFacts } from '../../checks/rules-dry-run.ts';
import type { CheckContext } from '../../src/core/check.ts';
import { checkOptions } from '../../src/core/options.ts';
import type { Requirements } from '../../src/core/requirements.types.ts';
import { HostRoot } from '../../src/host/root.ts';
import type { DryRunResult } from '../../src/iptables/dry-run.ts';
import { fakeFacts, meshBackend } from '../helpers/fake-facts.ts';
import { scriptedExec } from './fake-exec.ts';

function result(partial: Partial<DryRunResult>): DryRunResult {
  return { backend: 'nft', family: 'ipv4', ran: true, namespace: 'mp-dry-00000000', tables: [{ table: 'nat', ok: true, command: 'x' }], ok: true, modulesCompared: true, modulesLoadedByProbe: [], evidence: ['$ ip netns add mp-dry-00000000: ok'], ...partial };
}

const facts = (results: DryRunResult[]): RulesDryRunFacts => ({ mesh: meshBackend('nft'), results, noRuleset: [] });

test('skipReason: only with --probe', (t) => {
  t.regex(rulesDryRunCheck.skipReason!(checkOptions({})) ?? '', /--probe/);
  t.is(rulesDryRunCheck.skipReason!(checkOptions({ probe: true })), undefined);
});

test('all tables applied → pass', (t) => {
  const out = evaluateRulesDryRun(facts([result({})]));
  t.is(out.status, 'pass');
  t.regex(out.summary, /apply in a throwaway namespace \(nft ipv4: nat\)/);
  t.true(out.evidence.some((e) => e.startsWith('[nft ipv4] $ ip netns add')));
});

test('a failing table → fail naming table, extension and iptables error line, with a module hint', (t) => {
  const line = "iptables-restore v1.8.7 (legacy): Couldn't load match `owner':No such file or directory";
  const out = evaluateRulesDryRun(facts([result({ backend: 'legacy', ok: false, tables: [{ table: 'nat', ok: false, stage: 'test', errorLine: line, extension: 'match owner', line: 6, ruleLine: '-A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN', command: 'x' }] })]));
  t.is(out.status, 'fail');
  t.true(out.summary.includes('match owner in table nat'));
  t.true(out.summary.includes(line));
  t.true(out.evidence.includes('rule set line 6: -A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN'));
  t.true(out.remediation.some((r) => r.startsWith('modprobe xt_owner')));
});

test('a legacy table that cannot be initialised hints iptable_<table>', (t) => {
  const out = evaluateRulesDryRun(facts([result({ backend: 'legacy', ok: false, tables: [{ table: 'raw', ok: false, stage: 'test', errorLine: "iptables-restore v1.8.7 (legacy): unable to initialize table 'raw'", extension: 'table raw', command: 'x' }] })]));
  t.is(out.status, 'fail');
  t.true(out.remediation.some((r) => r.startsWith('modprobe iptable_raw')));
});

test('the probe loaded modules itself → warn with modprobe and persist remedy', (t) => {
  const out = evaluateRulesDryRun(facts([result({ modulesLoadedByProbe: ['xt_owner', 'iptable_nat'] })]));
  t.is(out.status, 'warn');
  t.regex(out.summary, /probe itself loaded iptable_nat, xt_owner/);
  t.regex(out.summary, /mesh init container cannot load modules/);
  t.true(out.remediation.some((r) => r === 'modprobe -a iptable_nat xt_owner'));
  t.true(out.remediation.some((r) => r.includes('/etc/modules-load.d/')));
});

test('the probe loaded modules the mesh pod could not have loaded (autoload no) → fail, not a side note', (t) => {
  const autoload = {
    value: 'no' as const,
    reason: 'SELinux enforcing (/sys/fs/selinux/enforce: 1): pods run as container_t … — xt_owner',
    modules: [{ module: 'xt_owner', value: 'no' as const, label: 'selinux-enforcing' as const, cause: 'SELinux enforcing' }],
  };
  const out = evaluateRulesDryRun({ ...facts([result({ modulesLoadedByProbe: ['xt_owner'] })]), autoload });
  t.is(out.status, 'fail');
  t.regex(out.summary, /only because the probe, as root on the host, loaded xt_owner: the mesh's pod cannot load xt_owner \(SELinux enforcing/);
  t.true(out.remediation.some((r) => r.startsWith('mesh-preflight fix --now --persist --yes')));
  t.true(out.evidence.some((e) => e.startsWith("autoload by the mesh's pod: no")));
});

test('the probe loaded modules the pod would autoload too (autoload yes) → warn saying so', (t) => {
  const autoload = { value: 'yes' as const, reason: 'the kernel will load xt_owner when the rules need it', modules: [] };
  const out = evaluateRulesDryRun({ ...facts([result({ modulesLoadedByProbe: ['xt_owner'] })]), autoload });
  t.is(out.status, 'warn');
  t.regex(out.summary, /which the kernel would also autoload for the mesh's pod/);
});

test('autoload no but the probe loaded nothing → pass (the modules check carries the verdict)', (t) => {
  const out = evaluateRulesDryRun({ ...facts([result({})]), autoload: { value: 'no', reason: 'x', modules: [] } });
  t.is(out.status, 'pass');
});

test('no privilege / no binary → skip with reason', (t) => {
  const denied = evaluateRulesDryRun(facts([result({ ran: false, ok: false, tables: [], skipped: 'no privilege to create a network namespace (needs root / CAP_SYS_ADMIN): Operation not permitted' })]));
  t.is(denied.status, 'skip');
  t.regex(denied.summary, /no privilege/);
  t.regex(denied.remediation.join(' '), /root/);
  const missing = evaluateRulesDryRun(facts([result({ ran: false, ok: false, tables: [], skipped: 'iptables-legacy-restore not found: the legacy backend cannot be tested on this host' })]));
  t.is(missing.status, 'skip');
  t.regex(missing.remediation.join(' '), /apt-get install iptables/);
});

test('a namespace left behind is reported with the command to remove it', (t) => {
  const out = evaluateRulesDryRun(facts([result({ cleanupError: 'ip netns del mp-dry-00000000: exit 1' })]));
  t.is(out.status, 'warn');
  t.true(out.remediation[0]!.startsWith('ip netns del mp-dry-00000000'));
});

test('evaluate accepts empty facts', (t) => {
  t.is(rulesDryRunCheck.evaluate({} as RulesDryRunFacts).status, 'skip');
});

test('collect dry-runs each family ruleset with the mesh backend', async (t) => {
  const requirements = {
    families: ['ipv4', 'ipv6'],
    ruleset: { ipv4: '*nat\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -j RETURN\nCOMMIT\n' },
    tables: { ipv4: ['nat'] },
  } as unknown as Requirements;
  const seen: Array<string | undefined> = [];
  const f = fakeFacts({ meshBackend: meshBackend('legacy', 'flag'), requirements: (b) => { seen.push(b); return requirements; } });
  const exec = scriptedExec(() => ({}));
  const ctx: CheckContext = { options: checkOptions({ probe: true }), host: new HostRoot('/nonexistent'), exec, facts: f, now: () => new Date(0) };
  const collected = await rulesDryRunCheck.collect(ctx);
  t.deepEqual(seen, ['legacy']);
  t.deepEqual(collected.noRuleset, ['ipv6']);
  t.is(collected.results.length, 1);
  t.true(exec.calls.some((c) => c.args.includes('iptables-legacy-restore')));
  t.is(rulesDryRunCheck.evaluate(collected).status, 'pass');
});
