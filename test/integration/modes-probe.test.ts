/**
 * --probe on this machine: every mode of every mesh (sidecar and ambient, both iptables backends, native
 * nftables, each Istio release whose rules differ, DNS capture and IPv6 on and off) applies its real rules,
 * ipsets (`hash:ip comment`) and policy routes in throwaway network namespaces, and the machine's own
 * iptables, nft ruleset, ipsets and ip rules are unchanged afterwards. Skipped (with the reason) without
 * root or network namespaces.
 */
import { realExec } from '../../src/host/exec.ts';
import { HostRoot } from '../../src/host/root.ts';
import { deriveRequirements } from '../../src/core/requirements.ts';
import type { RequirementOptions } from '../../src/core/requirements.types.ts';
import { describeProbe, probeMode } from '../../src/iptables/mode-probe.ts';
import { checkNode } from '../../src/core/check-node.ts';
import { checkOptions } from '../../src/core/options.ts';
import { allModeOptions } from '../helpers/requirement-options.ts';
import { listNetns } from '../helpers/netns.ts';
import { needs } from '../helpers/requirements.ts';

const it = needs('root', 'netns', 'iptables', 'nft', 'ipset').serial;

/** The machine's own netfilter and routing state, read only. */
async function hostState(): Promise<string> {
  const commands: [string, string[]][] = [
    ['iptables-legacy-save', []],
    ['iptables-nft-save', []],
    ['ip6tables-legacy-save', []],
    ['nft', ['list', 'ruleset']],
    ['ipset', ['list', '-n']],
    ['ip', ['rule', 'show']],
    ['ip', ['-6', 'rule', 'show']],
  ];
  const outputs = await Promise.all(commands.map(([file, args]) => realExec(file, args)));
  return outputs.map((o) => o.stdout.split('\n').filter((l) => !l.startsWith('#')).join('\n')).join('\n----\n');
}

const label = (o: RequirementOptions) =>
  `${o.mesh} ${o.dataplane ?? 'sidecar'} ${o.nativeNftables ? 'native-nft' : o.backend}${o.meshVersion ? ` ${o.meshVersion}` : ''}${o.dnsCapture ? ' dns' : ''}${o.interception === 'tproxy' ? ' tproxy' : ''}${o.ipv6 ? ' ipv6' : ''}`;

// Distinct rule sets only: options a mesh ignores (Linkerd's DNS capture, …) derive the same thing.
const distinct = new Map<string, RequirementOptions>();
for (const o of allModeOptions()) {
  const r = deriveRequirements(o);
  const key = JSON.stringify([r.engine, r.backend, r.ruleset, r.hostRuleset, r.nft, r.ipsets.map((s) => s.name), r.ipRules.length]);
  if (!distinct.has(key)) distinct.set(key, o);
}

it(`every distinct mode rule set (${distinct.size}) applies in throwaway namespaces; the machine's own state is unchanged`, async (t) => {
  t.timeout(600_000);
  const before = await hostState();
  const failures: string[] = [];
  let ipsetSteps = 0;
  let ipRuleSteps = 0;
  let nftSteps = 0;
  const created: string[] = [];
  const pending = [...distinct.values()];
  // A few at a time: each probe has its own namespaces.
  const worker = async () => {
    for (let o = pending.shift(); o !== undefined; o = pending.shift()) {
      let result = await probeMode(realExec, deriveRequirements(o), { host: new HostRoot('/') });
      // On a loaded machine `ip netns add` can time out: that is not the mode's rules, so try once more.
      if (result.skipped !== undefined) result = await probeMode(realExec, deriveRequirements(o), { host: new HostRoot('/') });
      if (!result.ok) failures.push(`${label(o)}: ${describeProbe(result)}`);
      ipsetSteps += result.steps.filter((s) => s.what.startsWith('ipset') && s.ok).length;
      ipRuleSteps += result.steps.filter((s) => s.what.startsWith('policy routing') && s.ok).length;
      nftSteps += result.steps.filter((s) => s.what.startsWith('nft -f') && s.ok).length;
      t.deepEqual(result.cleanupErrors, [], label(o));
      created.push(...result.namespaces);
    }
  };
  await Promise.all([worker(), worker()]);
  t.deepEqual(failures, []);
  t.true(ipsetSteps > 0 && ipRuleSteps > 0 && nftSteps > 0, `ipset ${ipsetSteps}, ip rule ${ipRuleSteps}, nft ${nftSteps}`);
  t.is(await hostState(), before);
  t.true(created.length >= distinct.size);
  const left = new Set(await listNetns());
  t.deepEqual(created.filter((n) => left.has(n)), [], 'every namespace it created is gone');
});

it('a rule the kernel refuses fails the probe with the tool\'s own error line', async (t) => {
  const r = deriveRequirements({ mesh: 'istio', backend: 'nft', dnsCapture: false, interception: 'redirect', ipv6: false, dataplane: 'ambient', nativeNftables: true });
  const broken = { ...r, nft: { pod: `${r.nft!.pod}add rule inet istio-ambient-nat istio-output tcp dport 99999 accept\n` } };
  const result = await probeMode(realExec, broken);
  t.false(result.ok, JSON.stringify(result.steps));
  const failed = result.steps.find((s) => !s.ok);
  t.is(failed?.what, 'nft -c (pod netns)');
  t.regex(failed?.error ?? '', /Error: Service out of range/);
  const ipset = deriveRequirements({ mesh: 'istio', backend: 'legacy', dnsCapture: false, interception: 'redirect', ipv6: false, dataplane: 'ambient' });
  const clash = await probeMode(realExec, { ...ipset, ipsets: [...ipset.ipsets, { ...ipset.ipsets[0]! }] });
  t.false(clash.ok, 'creating the same set twice fails like the kernel says');
  t.regex(clash.steps.filter((s) => !s.ok).map((s) => s.error).join(' '), /set with the same name already exists/);
});

it('check --probe (istio): the rules-dry-run check passes and every mode of the report was probed ready', async (t) => {
  t.timeout(120_000);
  for (const dataplane of ['sidecar', 'ambient'] as const) {
    const report = await checkNode(checkOptions({ probe: true, dnsCapture: true, dataplane, nodeName: 'probe' }));
    const dry = report.checks.find((c) => c.id === 'rules-dry-run');
    t.is(dry?.status, 'pass', dry?.summary);
    if (dataplane === 'ambient') t.regex(dry?.summary ?? '', /host netns nft ipv4: nat; policy routing ipv4, local route table 100 ipv4, ipset istio-inpod-probes-v4/);
    t.is(report.modes?.length, 6);
    for (const m of report.modes ?? []) {
      t.true(m.probe?.ok, `${m.dataplane} ${m.backend} ${m.nativeNftables ? 'native' : ''}: ${m.probe?.detail}`);
      t.true(m.ready);
    }
  }
});
