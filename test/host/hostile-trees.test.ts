/**
 * Hostile host trees made at test time (copies of fixture hosts, then broken): FIFOs and devices where
 * files should be, directories in place of files, random bytes with NULs, files over the read cap, a
 * truncated /proc/config.gz and a gzip bomb, /proc/modules contradicting /sys/module, unreadable pod logs.
 * Every check still runs and finishes, nothing throws, a module is `unknown` (or its right state) with
 * evidence naming the file and why, never `missing` without a proof.
 *
 * "Unreadable": these tests run as root, which reads any mode bits, so a file that cannot be read is made
 * the ways root meets them: a directory, FIFO or device in its place, a dangling or looping link, a size
 * over the cap, a corrupt gzip. A mode-0600 file read by another uid (EACCES) is in test/host/root.test.ts.
 */
import test from 'ava';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { checkNode } from '../../src/core/check-node.ts';
import { checkOptions } from '../../src/core/options.ts';
import type { Report } from '../../src/core/report.ts';
import { allChecks } from '../../checks/index.ts';
import { fixtureExec } from '../helpers/fixture-exec.ts';
import { charDevice, copyTree, fifo, link, put, removeSandboxes, sandbox } from '../helpers/host-trees.ts';
import { hostFixturePath } from '../fixtures/hosts/index.ts';

test.after.always(removeSandboxes);

const HOST_CHECKS = allChecks.filter((c) => c.id !== 'init-containers');
const LACKS_TREE = 'lib/modules/6.1.90-minimal';

async function copy(fixture: string): Promise<string> {
  const { root } = await sandbox('mp-hostile-');
  await copyTree(hostFixturePath(fixture), root);
  return root;
}

async function check(root: string, checks = HOST_CHECKS, dnsCapture = false): Promise<Report> {
  return checkNode(checkOptions({ hostRoot: root, dnsCapture }), { exec: fixtureExec(root), now: () => new Date('2024-05-01T12:30:00Z'), checks });
}

function ranAll(t: import('ava').ExecutionContext, report: Report): void {
  for (const c of report.checks) t.false(c.summary.startsWith('could not run'), `${c.id}: ${c.summary}`);
  t.false(/\n\s+at |Error: /.test(JSON.stringify(report)), 'no stack trace or raw error in the report');
}

const state = (report: Report, name: string) => report.modules.find((m) => m.name === name);
const evidence = (report: Report, id: string) => report.checks.find((c) => c.id === id)?.evidence.join('\n') ?? '';

for (const kind of ['fifo', 'device', 'directory', 'random bytes', 'over the cap'] as const) {
  test(`/proc/modules as ${kind}: loaded modules still come from /sys/module; the evidence names the file`, async (t) => {
    const root = await copy('ubuntu-22.04');
    const file = 'proc/modules';
    if (kind === 'fifo') await fifo(root, file);
    if (kind === 'device' && !(await charDevice(root, file))) return t.pass('mknod not permitted here');
    if (kind === 'directory') {
      await rm(path.join(root, file));
      await mkdir(path.join(root, file));
    }
    if (kind === 'random bytes') await writeFile(path.join(root, file), Buffer.concat([randomBytes(4096), Buffer.from('\0\0\r\n\0')]));
    if (kind === 'over the cap') await writeFile(path.join(root, file), 'xt_owner 16384 1 - Live 0x0000000000000000\n'.repeat(300_000));
    const report = await check(root);
    ranAll(t, report);
    t.is(state(report, 'nf_nat')?.state, 'loaded', 'from /sys/module/nf_nat/initstate');
    t.not(state(report, 'xt_owner')?.state, 'missing');
    if (kind === 'fifo') t.regex(evidence(report, 'modules'), /\/proc\/modules: is a fifo, not a regular file: not read/);
    if (kind === 'device') t.regex(evidence(report, 'modules'), /\/proc\/modules: is a character device/);
    if (kind === 'directory') t.regex(evidence(report, 'modules'), /\/proc\/modules: is a directory/);
    if (kind === 'over the cap') t.regex(evidence(report, 'modules'), /\/proc\/modules: larger than the 8 MiB read cap: not read/);
  });
}

test('/proc/modules contradicting /sys/module: whichever shows a module loaded wins; never missing', async (t) => {
  const root = await copy('ubuntu-22.04');
  await writeFile(path.join(root, 'proc/modules'), 'xt_owner 16384 0 - Live 0x0000000000000000\nnf_nat 49152 1 - Unloading 0x0\n');
  await rm(path.join(root, 'sys/module/br_netfilter'), { recursive: true });
  const report = await check(root);
  ranAll(t, report);
  t.is(state(report, 'xt_owner')?.state, 'loaded', '/proc/modules lists it although /sys/module has no directory');
  t.is(state(report, 'nf_nat')?.state, 'loaded', '/sys/module/nf_nat/initstate says live although /proc/modules says Unloading');
  t.not(state(report, 'br_netfilter')?.state, 'missing', 'in neither: loadable from the tree or unknown, not missing');
});

test('modules.dep as a FIFO and no config: a module without a file is unknown naming modules.dep, not missing', async (t) => {
  const proven = await copy('lacks-module');
  await rm(path.join(proven, 'boot'), { recursive: true });
  const complete = await check(proven);
  t.is(state(complete, 'xt_owner')?.state, 'missing', 'with a readable modules.dep the complete tree proves it');

  const root = await copy('lacks-module');
  await rm(path.join(root, 'boot'), { recursive: true });
  await fifo(root, `${LACKS_TREE}/modules.dep`);
  const report = await check(root);
  ranAll(t, report);
  const owner = state(report, 'xt_owner');
  t.is(owner?.state, 'unknown');
  t.regex(owner?.source ?? '', /cannot tell: .*module list incomplete: \/lib\/modules\/6\.1\.90-minimal\/modules\.dep: is a fifo, not a regular file: not read/);
  t.is(state(report, 'xt_REDIRECT')?.state, 'loadable', 'the files that are there are still found by scanning');
});

test('modules.builtin as a directory, modules.alias as random bytes: no crash, no unproven missing', async (t) => {
  const root = await copy('lacks-module');
  await rm(path.join(root, 'boot'), { recursive: true });
  await rm(path.join(root, LACKS_TREE, 'modules.builtin'));
  await mkdir(path.join(root, LACKS_TREE, 'modules.builtin'));
  await writeFile(path.join(root, LACKS_TREE, 'modules.alias'), Buffer.concat([randomBytes(2048), Buffer.from('\0alias\0x\0y\r\n')]));
  const report = await check(root);
  ranAll(t, report);
  t.is(state(report, 'xt_owner')?.state, 'unknown');
  t.regex(state(report, 'xt_owner')?.source ?? '', /modules\.builtin unreadable/);
  t.regex(evidence(report, 'modules'), /modules\.builtin: is a directory, not a regular file: not read/);
});

for (const kind of ['truncated', 'bomb', 'fifo', 'random bytes'] as const) {
  test(`/proc/config.gz ${kind}: the config is not used, the evidence says why, nothing is proven missing from it`, async (t) => {
    const root = await copy('monolithic');
    const file = path.join(root, 'proc/config.gz');
    if (kind === 'truncated') {
      const { readFile } = await import('node:fs/promises');
      const gz = await readFile(file);
      await writeFile(file, gz.subarray(0, Math.floor(gz.length / 2)));
    }
    if (kind === 'bomb') await writeFile(file, gzipSync(Buffer.concat([Buffer.from('# CONFIG_NETFILTER_XT_MATCH_OWNER is not set\n'), Buffer.alloc(32 * 1024 * 1024, '#')])));
    if (kind === 'fifo') await fifo(root, 'proc/config.gz');
    if (kind === 'random bytes') await writeFile(file, randomBytes(8192));
    const report = await check(root, HOST_CHECKS, true);
    ranAll(t, report);
    for (const m of report.modules) t.not(m.state, 'missing', `${m.name}: ${m.source}`);
    const why = { truncated: /truncated gzip/, bomb: /decompresses to more than 8 MiB/, fifo: /is a fifo/, 'random bytes': /not valid gzip/ }[kind];
    t.regex(evidence(report, 'modules'), new RegExp(`/proc/config\\.gz: ${why.source}`));
    t.is(report.checks.find((c) => c.id === 'modules')?.status, 'warn', 'cannot tell, so warn (not fail)');
  });
}

test('/etc/os-release and the kernel release as random bytes with NULs: no crash; a garbage release is named, not used as a path', async (t) => {
  const root = await copy('ubuntu-22.04');
  await writeFile(path.join(root, 'etc/os-release'), Buffer.concat([randomBytes(1024), Buffer.from('\0ID=\0x\r\n')]));
  await writeFile(path.join(root, 'proc/sys/kernel/osrelease'), Buffer.from('../../etc\0\n'));
  const report = await check(root);
  ranAll(t, report);
  t.is(report.kernel.release, undefined);
  t.regex(evidence(report, 'kernel'), /\/proc\/sys\/kernel\/osrelease: "\.\.\/\.\.\/etc\\u0000" is not a kernel release name/);
  for (const m of report.modules) t.not(m.state, 'missing', `${m.name}: ${m.source}`);
});

test('a sysctl file as a FIFO: "cannot tell" naming it, not "br_netfilter not loaded"', async (t) => {
  const root = await copy('ubuntu-22.04');
  await fifo(root, 'proc/sys/net/bridge/bridge-nf-call-iptables');
  const report = await check(root);
  ranAll(t, report);
  const sysctl = report.checks.find((c) => c.id === 'sysctl')!;
  t.is(sysctl.status, 'warn');
  t.regex(sysctl.summary, /^cannot tell: \/proc\/sys\/net\/bridge\/bridge-nf-call-iptables: is a fifo/);
  t.false(sysctl.summary.includes('br_netfilter not loaded'));
});

test('pod logs: a FIFO, a directory, a device and a truncated gzip in place of log files never block the scan; they are named', async (t) => {
  const { root } = await sandbox('mp-hostile-');
  const dir = 'var/log/pods/default_web_0a1b2c3d-0000-4000-8000-000000000009';
  await fifo(root, `${dir}/istio-init/0.log`);
  await mkdir(path.join(root, `${dir}/istio-validation/0.log`), { recursive: true });
  const device = await charDevice(root, `${dir}/linkerd-init/0.log`);
  await put(root, 'var/log/pods/other_pod_0a1b2c3d-0000-4000-8000-00000000000a/istio-init/0.log',
    '2024-05-01T12:00:00.000000000Z stderr F iptables-restore v1.8.7 (legacy): iptables-restore: unable to initialize table \'nat\'\n');
  await link(root, 'var/log/pods/looping_pod_0a1b2c3d-0000-4000-8000-00000000000b', '/var/log/pods/looping_pod_0a1b2c3d-0000-4000-8000-00000000000b');
  const gz = gzipSync(Buffer.from('2024-05-01T12:00:00.000000000Z stderr F x\n'.repeat(1000)));
  await put(root, 'var/log/pods/rotated_pod_0a1b2c3d-0000-4000-8000-00000000000c/istio-init/0.log.20240501-120000.gz', gz.subarray(0, gz.length >> 1));
  const report = await check(root, allChecks.filter((c) => c.id === 'init-containers'));
  ranAll(t, report);
  const init = report.checks[0]!;
  t.is(init.status, 'fail', 'the readable failure is still found');
  t.regex(init.evidence.join('\n'), /istio-init\/0\.log: is a fifo, not a regular file/);
  t.regex(init.evidence.join('\n'), /istio-validation\/0\.log: is a directory/);
  if (device) t.regex(init.evidence.join('\n'), /linkerd-init\/0\.log: is a character device/);
  t.regex(init.evidence.join('\n'), /looping_pod.*ELOOP/);
  t.regex(init.evidence.join('\n'), /0\.log\.20240501-120000\.gz: truncated gzip: not read/);
});

test('property: any host file of a tree replaced by hostile bytes never crashes a check nor proves a module missing', async (t) => {
  const root = await copy('lacks-module');
  await rm(path.join(root, 'boot'), { recursive: true });
  const baseline = await check(root);
  const missingBefore = new Set(baseline.modules.filter((m) => m.state === 'missing').map((m) => m.name));
  const files = ['proc/modules', `${LACKS_TREE}/modules.dep`, `${LACKS_TREE}/modules.builtin`, `${LACKS_TREE}/modules.alias`, 'etc/os-release', 'proc/sys/kernel/osrelease', 'proc/sys/net/ipv4/ip_forward'];
  const originals = new Map(await Promise.all(files.map(async (f) => [f, await readFile(path.join(root, f))] as const)));
  const hostile = fc.oneof(
    fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)),
    fc.constantFrom('', '\0', '\r\n\r\n', '\0\0\0\n'.repeat(100)).map((s) => Buffer.from(s)),
  );
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...files), hostile, fc.boolean(), async (file, bytes, keepOriginal) => {
      const original = originals.get(file)!;
      // Either the whole file is hostile, or hostile bytes follow the real content (a corrupted tail).
      await writeFile(path.join(root, file), keepOriginal ? Buffer.concat([original, bytes]) : bytes);
      try {
        const report = await check(root);
        for (const c of report.checks) if (c.summary.startsWith('could not run')) throw new Error(`${c.id}: ${c.summary}`);
        for (const m of report.modules) {
          if (m.state === 'missing' && !missingBefore.has(m.name)) throw new Error(`${file} made ${m.name} missing: ${m.source}`);
        }
      } finally {
        await writeFile(path.join(root, file), original);
      }
    }),
    { seed: 20261207, numRuns: 60, examples: files.map((f) => [f, Buffer.alloc(0), false] as [string, Buffer, boolean]) },
  );
  t.pass();
});

test('/etc/os-release there but unreadable: no fallback to /usr/lib/os-release (os-release(5)); the os check says why', async (t) => {
  const root = await copy('ubuntu-22.04');
  await put(root, 'usr/lib/os-release', 'ID=other\n');
  await fifo(root, 'etc/os-release');
  const report = await check(root);
  ranAll(t, report);
  const os = report.checks.find((c) => c.id === 'os')!;
  t.is(os.status, 'skip');
  t.is(os.summary, 'no readable os-release below the host root: /etc/os-release: is a fifo, not a regular file: not read');
  t.is(report.os.id, undefined);
  await rm(path.join(root, 'etc/os-release'));
  t.is((await check(root)).os.id, 'other', 'absent: the fallback is read');
});
