/**
 * Every `modes[]` entry carries the autoload judgement for its own modules (src/autoload/judge.ts), and a
 * mode whose not-loaded modules the mesh's pod cannot get is not ready — on the issue-17 fixture hosts.
 */
import test from 'ava';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkNode } from '../../src/core/check-node.ts';
import { checkOptions } from '../../src/core/options.ts';
import type { ModeReadiness, Report } from '../../src/core/report.ts';
import { renderReport } from '../../src/cli/render.ts';
import { fixtureExec } from '../helpers/fixture-exec.ts';
import { hostFixturePath } from '../fixtures/hosts/index.ts';

async function checkAt(root: string, name: string): Promise<Report> {
  return checkNode(checkOptions({ hostRoot: root, nodeName: name, dnsCapture: true }), { exec: fixtureExec(root) });
}
const check = (name: string) => checkAt(hostFixturePath(name), name);

const key = (m: ModeReadiness) => `${m.dataplane} ${m.nativeNftables ? 'native' : m.backend}`;
const table = (report: Report) => Object.fromEntries((report.modes ?? []).map((m) => [key(m), m]));
const ISTIO_MODES = ['sidecar nft', 'sidecar legacy', 'sidecar native', 'ambient nft', 'ambient legacy', 'ambient native'];
const cannotLoad = (m: ModeReadiness | undefined) => m?.notes.some((n) => /mesh's pod cannot load .*\(autoload no\)/.test(n)) ?? false;

test('rocky-8 (SELinux enforcing): autoload no for every mode; every mode with not-loaded modules is not ready and says why', async (t) => {
  const report = await check('rocky-8');
  const modes = table(report);
  t.deepEqual(Object.keys(modes), ISTIO_MODES);
  for (const k of ISTIO_MODES) t.is(modes[k]?.autoload?.value, 'no', k);
  for (const k of ['sidecar nft', 'ambient nft']) {
    t.true((modes[k]?.notLoaded.length ?? 0) > 0, k);
    t.false(modes[k]?.ready, k);
    t.true(cannotLoad(modes[k]), `${k}: ${modes[k]?.notes.join('; ')}`);
    t.regex(modes[k]?.autoload?.reason ?? '', /SELinux enforcing/, k);
  }
  for (const k of ['sidecar legacy', 'ambient legacy']) {
    t.false(modes[k]?.ready, k);
    t.true(modes[k]?.notLoaded.includes('ip_tables'), k);
    t.regex(modes[k]?.autoload?.reason ?? '', /legacy iptables cannot bootstrap: ip_tables is not loaded/, k);
  }
  // Native nftables needs nothing loaded here: the node-wide block is reported, but is not what stops it.
  for (const k of ['sidecar native', 'ambient native']) {
    t.deepEqual(modes[k]?.notLoaded, [], k);
    t.regex(modes[k]?.autoload?.reason ?? '', /^nothing to load.*SELinux enforcing/, k);
    t.false(cannotLoad(modes[k]), k);
  }
  // The selected mode agrees with iptables.modes[] for its backend.
  const selected = report.modes?.find((m) => m.selected);
  const backend = report.iptables?.modes?.find((m) => m.backend === selected?.backend);
  t.is(selected?.autoload?.value, backend?.autoload?.value);
  t.is(selected?.ready, backend?.ready);
});

test('rocky-8-permissive: nft modes autoload yes (sidecar nft ready), legacy modes no (ip_tables not loaded) and not ready', async (t) => {
  const modes = table(await check('rocky-8-permissive'));
  for (const k of ['sidecar nft', 'ambient nft', 'sidecar native', 'ambient native']) {
    t.is(modes[k]?.autoload?.value, 'yes', k);
    t.false(cannotLoad(modes[k]), k);
  }
  t.true(modes['sidecar nft']?.ready);
  for (const k of ['sidecar legacy', 'ambient legacy']) {
    t.is(modes[k]?.autoload?.value, 'no', k);
    t.false(modes[k]?.ready, k);
    t.true(cannotLoad(modes[k]), k);
    t.regex(modes[k]?.autoload?.reason ?? '', /legacy iptables cannot bootstrap/, k);
    t.notRegex(modes[k]?.autoload?.reason ?? '', /SELinux/, k);
  }
});

test('modules-disabled: autoload no for every mode; every mode with not-loaded modules is not ready', async (t) => {
  const modes = table(await check('modules-disabled'));
  for (const k of ISTIO_MODES) t.is(modes[k]?.autoload?.value, 'no', k);
  for (const k of ['sidecar nft', 'ambient nft', 'sidecar legacy', 'ambient legacy']) {
    t.true((modes[k]?.notLoaded.length ?? 0) > 0, k);
    t.false(modes[k]?.ready, k);
    t.true(cannotLoad(modes[k]), k);
  }
  for (const k of ['sidecar nft', 'ambient nft']) t.regex(modes[k]?.autoload?.reason ?? '', /modules disabled/, k);
});

test('rocky-8-ip-tables-loaded (permissive, ip_tables loaded): every mode autoload yes; both sidecar iptables modes ready', async (t) => {
  const modes = table(await check('rocky-8-ip-tables-loaded'));
  for (const k of ISTIO_MODES) {
    t.is(modes[k]?.autoload?.value, 'yes', k);
    t.false(cannotLoad(modes[k]), k);
  }
  t.true(modes['sidecar nft']?.ready);
  t.true(modes['sidecar legacy']?.ready);
  t.true(modes['sidecar legacy']?.notLoaded.includes('iptable_nat'));
});

test('autoload unknown (modules_disabled unreadable): ready as before, and the note says the autoload is unknown', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'mp-modes-autoload-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const root = path.join(dir, 'rocky-8-permissive');
  await cp(hostFixturePath('rocky-8-permissive'), root, { recursive: true, verbatimSymlinks: true });
  const before = table(await checkAt(root, 'rocky-8-permissive'));
  await rm(path.join(root, 'proc/sys/kernel/modules_disabled'));
  const modes = table(await checkAt(root, 'rocky-8-permissive'));
  const nft = modes['sidecar nft'];
  t.is(nft?.autoload?.value, 'unknown');
  t.regex(nft?.autoload?.reason ?? '', /modules_disabled unknown/);
  t.is(nft?.ready, before['sidecar nft']?.ready);
  t.true(nft?.ready);
  t.true(nft?.notes.some((n) => /whether the mesh's pod can load .*xt_REDIRECT.* is unknown/.test(n)), nft?.notes.join('; '));
  // Legacy still cannot bootstrap, whatever modules_disabled says.
  t.is(modes['sidecar legacy']?.autoload?.value, 'no');
  t.false(modes['sidecar legacy']?.ready);
});

test('table output: the modes section shows each mode\'s autoload value', async (t) => {
  const text = renderReport(await check('rocky-8-permissive'), { color: false });
  const section = text.split('Which istio modes can run on this node')[1]?.split('\n\n')[0] ?? '';
  const rows = section.split('\n').filter((l) => /^\s+▸?\s*(sidecar|ambient)/.test(l));
  t.is(rows.length, 6, section);
  t.true(rows.every((l) => /autoload (yes|no|unknown)/.test(l)), section);
  t.regex(section, /legacy.*not loaded ip_tables.*autoload no/);
  t.regex(section, /autoload yes/);
});
