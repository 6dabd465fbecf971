/**
 * Every file and directory the checks read, on copies of fixture hosts made at test time, replaced by a
 * link of each kind: absolute, relative and climbing links to where it was moved give the same facts (and
 * evidence names where the link led); a link to a marker beside the root is never followed out (the same
 * facts as if the path were absent, no marker text anywhere); a loop gives the absent facts with ELOOP in
 * the evidence, and no check fails to run.
 */
import test from 'ava';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { checkNode } from '../../src/core/check-node.ts';
import { checkOptions } from '../../src/core/options.ts';
import type { Report } from '../../src/core/report.ts';
import { fixtureExec } from '../helpers/fixture-exec.ts';
import { copyTree, link, linkTarget, put, removeSandboxes, sandbox, type LinkKind } from '../helpers/host-trees.ts';
import { hostFixturePath } from '../fixtures/hosts/index.ts';
import { allChecks } from '../../checks/index.ts';

test.after.always(removeSandboxes);

const LOGS = path.resolve(hostFixturePath('ubuntu-22.04'), '../../var-log-pods');
const NOW = () => new Date('2024-05-01T12:30:00Z');

interface Case {
  fixture: string;
  /** Host paths the checks read; `evidenced` ones must show up in the report's evidence. */
  paths: { path: string; evidenced: boolean }[];
}

const UBUNTU_TREE = '/lib/modules/5.15.0-91-generic';
const ROCKY_TREE = '/usr/lib/modules/4.18.0-513.5.1.el8_9.x86_64';
const POD_LOG = '/var/log/pods/default_reviews-v1-7d9f8c_0a1b2c3d-0000-4000-8000-000000000001/istio-init/1.log';

const CASES: Case[] = [
  {
    fixture: 'ubuntu-22.04',
    paths: [
      { path: '/etc/os-release', evidenced: true },
      { path: '/etc', evidenced: true },
      { path: '/proc/sys/kernel/osrelease', evidenced: true },
      { path: '/proc/sys/kernel/version', evidenced: false },
      { path: '/proc/sys', evidenced: true },
      { path: '/proc/modules', evidenced: true },
      { path: '/boot/config-5.15.0-91-generic', evidenced: true },
      { path: '/boot', evidenced: true },
      { path: `${UBUNTU_TREE}/modules.builtin`, evidenced: true },
      { path: `${UBUNTU_TREE}/modules.alias`, evidenced: true },
      { path: `${UBUNTU_TREE}/kernel/net/netfilter/nf_nat.ko`, evidenced: false },
      { path: `${UBUNTU_TREE}/kernel`, evidenced: false },
      { path: UBUNTU_TREE, evidenced: true },
      { path: '/lib/modules', evidenced: true },
      { path: '/lib', evidenced: true },
      { path: '/proc/sys/net/bridge/bridge-nf-call-iptables', evidenced: true },
      { path: '/proc/sys/net/ipv4/ip_forward', evidenced: true },
      { path: '/sys/module/br_netfilter/initstate', evidenced: false },
      { path: '/sys/module/br_netfilter', evidenced: false },
      { path: '/sys/module', evidenced: false },
      { path: POD_LOG, evidenced: true },
      { path: path.posix.dirname(POD_LOG), evidenced: true },
      { path: '/var/log/pods', evidenced: true },
    ],
  },
  {
    fixture: 'rocky-8',
    paths: [
      { path: `${ROCKY_TREE}/modules.dep`, evidenced: true },
      { path: `${ROCKY_TREE}/config`, evidenced: true },
      { path: ROCKY_TREE, evidenced: true },
      { path: '/usr/lib/modules', evidenced: true },
    ],
  },
  { fixture: 'monolithic', paths: [{ path: '/proc/config.gz', evidenced: true }] },
];

/** What a user acts on: OS, kernel, each module's state, each check's status, init container findings. */
function facts(report: Report) {
  return {
    os: report.os,
    kernel: report.kernel,
    modules: report.modules.map((m) => `${m.name}:${m.state}`),
    checks: report.checks.map((c) => `${c.id}:${c.status}`),
    initContainers: (report.initContainers ?? []).map((f) => `${f.pod}/${f.container}:${f.category}`),
  };
}

// Pod logs are read by init-containers alone; the other checks run on the rest (keeps the suite fast).
const LOG_CHECKS = allChecks.filter((c) => c.id === 'init-containers');
const HOST_CHECKS = allChecks.filter((c) => c.id !== 'init-containers');

async function hostCopy(fixture: string, logs = true): Promise<{ root: string; outside: string }> {
  const box = await sandbox('mp-links-');
  await copyTree(hostFixturePath(fixture), box.root);
  if (logs) await copyTree(LOGS, box.root);
  return box;
}

async function check(root: string): Promise<Report> {
  return checkNode(checkOptions({ hostRoot: root, backend: 'auto' }), { exec: fixtureExec(root), now: NOW });
}

/** Text an escaped read would carry into the report, per file. */
function marker(hostPath: string): string {
  const name = path.posix.basename(hostPath);
  if (name === 'os-release') return 'ID=escaped\nPRETTY_NAME="ESCAPED"\n';
  if (name === 'osrelease' || name === 'version') return '9.9.9-ESCAPED\n';
  if (name === 'modules') return 'escaped_marker 16384 0 - Live 0x0\n';
  if (name.endsWith('.log')) return '2024-05-01T12:00:00.000000000Z stderr F iptables-restore: unable to initialize table \'ESCAPED\'\n';
  if (name === 'config.gz') return 'ESCAPED';
  return 'ESCAPED\nCONFIG_ESCAPED=y\nkernel/escaped.ko\n';
}

for (const { fixture, paths } of CASES) {
  test(`${fixture}: baseline copy reads like the fixture itself`, async (t) => {
    const { root } = await hostCopy(fixture);
    const report = await check(root);
    t.false(report.checks.some((c) => c.summary.startsWith('could not run')), JSON.stringify(report.checks));
    // The fixtures ship the host's `iptables` as its real link chain (alternatives); no other file is reached through a link.
    const evidence = JSON.stringify(report).replace(/host iptables: [^"]*/g, '');
    t.false(evidence.includes('→'), 'no link on the way: evidence shows plain paths');
    t.regex(JSON.stringify(report), /host iptables: \/usr\/sbin\/iptables → \/usr\/sbin\/xtables-nft-multi/);
  });

  for (const { path: hostPath, evidenced } of paths) {
    test(`${fixture} ${hostPath}: absolute, relative and climbing links give the same facts; outside and loops are never followed`, async (t) => {
      const logs = hostPath.startsWith('/var/log');
      const copy = (name: string) => hostCopy(name, logs);
      const check = (root: string) => checkNode(checkOptions({ hostRoot: root, backend: 'auto' }), { exec: fixtureExec(root), now: NOW, checks: logs ? LOG_CHECKS : HOST_CHECKS });
      // One copy per path, changed in place step by step (copies are the slow part on a busy machine).
      const { root, outside } = await copy(fixture);
      const baseline = facts(await check(root));
      const moved = `/srv/moved${hostPath}`;
      await mkdir(path.dirname(path.join(root, moved)), { recursive: true });
      await rename(path.join(root, hostPath), path.join(root, moved));

      for (const kind of ['absolute', 'relative', 'climbing'] as LinkKind[]) {
        await link(root, hostPath, linkTarget(kind, hostPath, moved));
        const report = await check(root);
        t.deepEqual(facts(report), baseline, `${kind} link`);
        if (evidenced) t.true(JSON.stringify(report).includes(`→ /srv/moved`), `${kind}: evidence names where ${hostPath} led`);
      }

      await rm(path.join(root, hostPath));
      await rm(path.join(root, '/srv'), { recursive: true });
      const absentFacts = facts(await check(root));

      // A link to a marker beside the root (by its real absolute path, and by climbing) is looked up inside the root.
      const markerPath = path.join(outside, 'copy');
      await copyTree(path.join(hostFixturePath(fixture), hostPath).replace(hostFixturePath(fixture) + '/var', `${LOGS}/var`), markerPath);
      if (!(await isDir(markerPath))) await put(outside, 'copy', marker(hostPath));
      else await put(markerPath, 'ESCAPED-marker', marker(hostPath));
      await link(root, hostPath, markerPath);
      const escaped = await check(root);
      t.deepEqual(facts(escaped), absentFacts, 'the absolute link to outside reads as absent');
      t.false(/escaped/i.test(JSON.stringify(escaped)), 'no marker text in the report');
      await link(root, hostPath, `${'../'.repeat(12)}${path.relative('/', markerPath)}`);
      t.deepEqual(facts(await check(root)), absentFacts, 'climbing to the marker reads as absent');

      await link(root, hostPath, hostPath);
      const looped = await check(root);
      t.false(looped.checks.some((c) => c.summary.startsWith('could not run')), 'every check ran');
      t.false(looped.modules.some((m, i) => m.state === 'missing' && absentFacts.modules[i] !== `${m.name}:missing`), 'a loop never proves a module missing');
      if (evidenced) t.regex(JSON.stringify(looped), /ELOOP/, 'evidence says the link loops');
    });
  }
}

async function isDir(p: string): Promise<boolean> {
  const { stat } = await import('node:fs/promises');
  return (await stat(p)).isDirectory();
}
