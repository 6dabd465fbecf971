/**
 * Which modes can run on each fixture host that issue 16 added (a kernel without ipset, a 5.10 kernel, a
 * kernel without nft_redir) and on the everything-built-in monolithic host: the report's `modes` entries
 * name the right modules, and checking the node for a mode gives the right verdict and failing check.
 */
import test from 'ava';
import { checkNode } from '../../src/core/check-node.ts';
import { checkOptions, type CheckOptions } from '../../src/core/options.ts';
import type { ModeReadiness, Report } from '../../src/core/report.ts';
import { fixtureExec } from '../helpers/fixture-exec.ts';
import { hostFixturePath } from '../fixtures/hosts/index.ts';

async function check(name: string, options: Partial<CheckOptions> = {}): Promise<Report> {
  const root = hostFixturePath(name);
  return checkNode(checkOptions({ hostRoot: root, nodeName: name, dnsCapture: true, ...options }), { exec: fixtureExec(root) });
}

const key = (m: ModeReadiness) => `${m.dataplane} ${m.nativeNftables ? 'native' : m.backend}`;
const table = (report: Report) => Object.fromEntries((report.modes ?? []).map((m) => [key(m), m]));
const ISTIO_MODES = ['sidecar nft', 'sidecar legacy', 'sidecar native', 'ambient nft', 'ambient legacy', 'ambient native'];

test('monolithic: every mode of every mesh can run', async (t) => {
  for (const mesh of ['istio', 'linkerd', 'kuma', 'consul'] as const) {
    const report = await check('monolithic', { mesh });
    const modes = report.modes ?? [];
    t.deepEqual(modes.map(key), mesh === 'istio' ? ISTIO_MODES : ['sidecar nft', 'sidecar legacy'], mesh);
    for (const m of modes) t.true(m.ready && m.missing.length === 0, `${mesh} ${key(m)}: ${m.missing.join(',')} ${m.notes.join('; ')}`);
    t.is(modes.filter((m) => m.selected).length, 1, `${mesh}: one selected mode`);
  }
});

test('no-ipset: sidecars ready, ambient (iptables) not, naming ip_set, ip_set_hash_ip and xt_set; native nftables uses nft sets', async (t) => {
  const modes = table(await check('no-ipset'));
  for (const k of ['sidecar nft', 'sidecar legacy', 'sidecar native', 'ambient native']) t.true(modes[k]?.ready, k);
  for (const k of ['ambient nft', 'ambient legacy']) {
    t.false(modes[k]?.ready, k);
    t.deepEqual(modes[k]?.missing, ['ip_set', 'ip_set_hash_ip', 'xt_set'], k);
  }
});

test('no-ipset: checking for ambient is not ready (modules fails naming the ipset modules); sidecars stay as before', async (t) => {
  const ambient = await check('no-ipset', { dataplane: 'ambient' });
  t.is(ambient.verdict, 'not-ready');
  const modules = ambient.checks.find((c) => c.id === 'modules');
  t.is(modules?.status, 'fail');
  t.regex(modules?.summary ?? '', /ip_set, ip_set_hash_ip, xt_set/);
  t.is((await check('no-ipset')).verdict, (await check('monolithic')).verdict);
});

test('kernel-5.10: every iptables mode ready, native nftables not (Istio states kernel ≥ 5.13)', async (t) => {
  const modes = table(await check('kernel-5.10'));
  for (const k of ['sidecar nft', 'sidecar legacy', 'ambient nft', 'ambient legacy']) t.true(modes[k]?.ready, k);
  for (const k of ['sidecar native', 'ambient native']) {
    t.false(modes[k]?.ready, k);
    t.deepEqual(modes[k]?.missing, [], `${k}: every module is there`);
    t.true(modes[k]?.notes.some((n) => /older than 5\.13/.test(n)), k);
  }
  const native = await check('kernel-5.10', { nativeNftables: true });
  t.is(native.verdict, 'not-ready');
  t.deepEqual(native.checks.filter((c) => c.status === 'fail').map((c) => c.id), ['kernel']);
  t.regex(native.checks.find((c) => c.id === 'kernel')?.summary ?? '', /older than istio's minimum 5\.13/);
});

test('no-nft-redir: iptables modes ready (xt_REDIRECT does not need nft_redir), native nftables missing nft_redir', async (t) => {
  const modes = table(await check('no-nft-redir'));
  for (const k of ['sidecar nft', 'sidecar legacy', 'ambient nft', 'ambient legacy']) t.true(modes[k]?.ready, k);
  for (const k of ['sidecar native', 'ambient native']) t.deepEqual(modes[k]?.missing, ['nft_redir'], k);
  for (const dataplane of ['sidecar', 'ambient'] as const) {
    const report = await check('no-nft-redir', { nativeNftables: true, dataplane });
    t.is(report.verdict, 'not-ready', dataplane);
    const modules = report.checks.find((c) => c.id === 'modules');
    t.is(modules?.summary, 'missing from this kernel: nft_redir', dataplane);
    t.false(report.modules.some((m) => /^(ip6?table_|ip6?_tables$|x_tables$|nft_compat$)/.test(m.name)), 'native nftables needs no iptables module');
  }
});

test('lacks-module (no xt_owner): every iptables mode of every mesh names xt_owner', async (t) => {
  for (const mesh of ['istio', 'linkerd', 'kuma', 'consul'] as const) {
    for (const m of (await check('lacks-module', { mesh })).modes ?? []) {
      if (m.nativeNftables) continue;
      t.false(m.ready, `${mesh} ${key(m)}`);
      t.true(m.missing.includes('xt_owner'), `${mesh} ${key(m)}: ${m.missing.join(',')}`);
    }
  }
});

test('talos (no legacy xtables): legacy modes are not ready for every mesh, nft modes are', async (t) => {
  for (const mesh of ['istio', 'linkerd', 'kuma', 'consul'] as const) {
    const modes = table(await check('talos', { mesh }));
    t.true(modes['sidecar nft']?.ready, mesh);
    t.false(modes['sidecar legacy']?.ready, mesh);
  }
});

test('--cni: the mode notes name the validator container that fails, and Consul follows the host\'s iptables', async (t) => {
  const istio = table(await check('monolithic', { cni: true }));
  t.true(istio['sidecar nft']?.notes.some((n) => /istio-validation init container fails \(exit 126\)/.test(n)));
  const linkerd = table(await check('monolithic', { mesh: 'linkerd', cni: true }));
  t.true(linkerd['sidecar nft']?.notes.some((n) => /linkerd-network-validator init container fails \(exit 95\)/.test(n)));
  const consul = await check('monolithic', { mesh: 'consul', cni: true });
  t.regex(consul.checks.find((c) => c.id === 'iptables-backend')?.evidence.join('\n') ?? '', /CNI plugin runs the host's iptables, which defaults to nft/);
  const image = await check('monolithic', { mesh: 'consul' });
  t.regex(image.checks.find((c) => c.id === 'iptables-backend')?.evidence.join('\n') ?? '', /runs its image's own iptables, which is nft/);
});
