/**
 * Every directory `fix` (and the agent) writes to is resolved inside the host root: through absolute,
 * relative and climbing links the file lands inside the root; a loop is refused with one line naming the
 * path and the link, nothing written; a directory swapped for a link to outside between resolve and
 * commit is refused and reported ok: false. A marker directory beside the root stays empty throughout.
 */
import test from 'ava';
import { mkdir, readdir, readFile, rename, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import { HostRoot } from '../../src/host/root.ts';
import { applyPlan, undoPersist } from '../../src/fix/apply.ts';
import { nodeFs, type FsLayer } from '../../src/fix/atomic-write.ts';
import { RECORD_PATH, readBootRecord, recordAttempts } from '../../src/fix/boot-record.ts';
import { readFixContext } from '../../src/fix/context.ts';
import { PERSIST_PATH, renderPersistFile } from '../../src/fix/persist-file.ts';
import { planFix } from '../../src/fix/plan.ts';
import { runFix, type FixCommandOptions } from '../../src/cli/commands/fix.ts';
import { writeNfdFeatureFile } from '../../src/kube/nfd-features.ts';
import { ALLOWED, CENTOS8, centos8Report, recordingExec } from './helpers.ts';
import { link, linkTarget, put, removeSandboxes, sandbox, type LinkKind } from '../helpers/host-trees.ts';

test.after.always(removeSandboxes);

const NFD_DIR = '/etc/kubernetes/node-feature-discovery/features.d';
const WRITTEN_DIRS = [path.posix.dirname(PERSIST_PATH), path.posix.dirname(RECORD_PATH), NFD_DIR];

async function persist(host: HostRoot, fs?: FsLayer) {
  const ctx = await readFixContext(host);
  const plan = planFix(centos8Report(), { now: false, persist: true, allowedModules: ALLOWED, os: CENTOS8, force: false, hostRoot: host.root, ...ctx });
  const [action] = await applyPlan(plan, { exec: recordingExec().exec, host, fs });
  return { plan, action: action! };
}

/** Writes into `dir` the way fix/agent do: the persist file, the boot record, or the NFD feature file. */
async function writeInto(host: HostRoot, dir: string): Promise<string> {
  if (dir === path.posix.dirname(PERSIST_PATH)) {
    const { action } = await persist(host);
    if (!action.ok) throw new Error(action.message);
    return path.posix.basename(PERSIST_PATH);
  }
  if (dir === path.posix.dirname(RECORD_PATH)) {
    await recordAttempts(host, { bootId: 'b1', attempted: [] }, ['iptable_nat']);
    return path.posix.basename(RECORD_PATH);
  }
  await writeNfdFeatureFile(host, dir, centos8Report());
  return 'mesh-preflight';
}

/** Every entry below dir, links listed but never followed (a test must not walk out of the root either). */
async function everythingBelow(dir: string, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    found.push(prefix + entry.name);
    if (entry.isDirectory()) found.push(...(await everythingBelow(path.join(dir, entry.name), `${prefix}${entry.name}/`)));
  }
  return found.sort();
}

for (const dir of WRITTEN_DIRS) {
  for (const kind of ['absolute', 'relative', 'climbing'] as LinkKind[]) {
    test(`${dir} as a ${kind} link: the write lands where the link leads inside the root`, async (t) => {
      const { root, outside } = await sandbox();
      const moved = `/srv/moved${dir}`;
      await mkdir(path.join(root, moved), { recursive: true });
      await link(root, dir, linkTarget(kind, dir, moved));
      const host = new HostRoot(root);
      const name = await writeInto(host, dir);
      t.truthy(await stat(path.join(root, moved, name)), `written at ${moved}/${name} inside the root`);
      t.deepEqual(await everythingBelow(outside), [], 'nothing beside the root');
      t.deepEqual((await readdir(path.join(root, moved))).filter((n) => n.includes('.tmp-')), [], 'no temp file left');
    });
  }

  test(`${dir} as a dangling absolute link: its target is made inside the root`, async (t) => {
    const { root, outside } = await sandbox();
    await link(root, dir, path.join(outside, 'target'));
    const host = new HostRoot(root);
    const name = await writeInto(host, dir);
    t.truthy(await stat(path.join(root, outside, 'target', name)), 'the link\'s absolute target, taken inside the root');
    t.deepEqual(await everythingBelow(outside), []);
  });

  test(`${dir} as a link loop: refused with the path and the link, nothing written`, async (t) => {
    const { root, outside } = await sandbox();
    await link(root, dir, dir);
    const host = new HostRoot(root);
    const error = await t.throwsAsync(writeInto(host, dir));
    t.regex(error?.message ?? '', new RegExp(`too many levels of symbolic links \\(ELOOP.*${dir.replace(/[/.]/g, '\\$&')} → ${dir.replace(/[/.]/g, '\\$&')}\\)`));
    t.is(error?.message.split('\n').length, 1);
    t.deepEqual(await everythingBelow(outside), []);
    t.deepEqual((await everythingBelow(root)).filter((p) => !dir.startsWith(`/${p}`) && `/${p}` !== dir), [], 'nothing but the link and its parents');
  });
}

test('persist through an absolute-linked modules-load.d: ok, and the message says where the file is', async (t) => {
  const { root, outside } = await sandbox();
  await link(root, 'etc/modules-load.d', '/usr/lib/modules-load.d');
  const host = new HostRoot(root);
  const { plan, action } = await persist(host);
  t.like(plan.persistStep, { kind: 'write', hostPath: PERSIST_PATH, path: '/usr/lib/modules-load.d/99-mesh-preflight.conf', change: 'create' });
  t.true(action.ok);
  t.is(action.message, 'created at /etc/modules-load.d/99-mesh-preflight.conf (→ /usr/lib/modules-load.d/99-mesh-preflight.conf inside the host root) with iptable_filter iptable_mangle iptable_nat');
  t.is(await readFile(path.join(root, 'usr/lib/modules-load.d/99-mesh-preflight.conf'), 'utf8'), renderPersistFile(['iptable_filter', 'iptable_mangle', 'iptable_nat']));
  t.deepEqual(await everythingBelow(outside), []);

  const undone = await undoPersist(host);
  t.true(undone.ok);
  t.regex(undone.message, /^removed \(\/etc\/modules-load\.d\/99-mesh-preflight\.conf \(→ \/usr\/lib\/modules-load\.d\/99-mesh-preflight\.conf inside the host root\)\)/);
  t.deepEqual(await readdir(path.join(root, 'usr/lib/modules-load.d')), []);
});

test('a modules-load.d swapped for a link to outside the root while the file is written: refused, ok false, nothing outside', async (t) => {
  const { root, outside } = await sandbox();
  const dir = path.join(root, 'etc/modules-load.d');
  await mkdir(dir, { recursive: true });
  const host = new HostRoot(root);
  // The swap happens after the directory was resolved and opened, right when the temp file is created.
  const swapping: FsLayer = {
    ...nodeFs,
    async openNew(file, mode) {
      await rename(dir, path.join(root, 'etc/moved-away'));
      await symlink(outside, dir);
      return nodeFs.openNew(file, mode);
    },
  };
  const { action } = await persist(host, swapping);
  t.false(action.ok);
  t.regex(action.message, /^refused, not written: \/etc\/modules-load\.d: changed after it was resolved \(/);
  t.deepEqual(await everythingBelow(outside), [], 'the link to outside was never written through');
  t.deepEqual(await readdir(path.join(root, 'etc/moved-away')), [], 'the temp file was removed and nothing committed');
});

test('the persist file itself a link (even to a file of ours): left alone, never written through or removed', async (t) => {
  const { root, outside } = await sandbox();
  await put(outside, 'ours.conf', renderPersistFile(['iptable_nat']));
  await put(root, 'srv/ours.conf', renderPersistFile(['iptable_nat']));
  await link(root, PERSIST_PATH, '/srv/ours.conf');
  const host = new HostRoot(root);
  const { plan, action } = await persist(host);
  t.is(plan.persistStep?.kind, 'foreign-file');
  t.false(action.ok);
  t.regex(action.message, /^refused, not written: \/etc\/modules-load\.d\/99-mesh-preflight\.conf → \/srv\/ours\.conf is a symbolic link, not a file mesh-preflight wrote \(left alone, even with --force\)/);
  const undone = await undoPersist(host);
  t.regex(undone.message, /symbolic link.*left alone/);
  t.is(await readFile(path.join(root, 'srv/ours.conf'), 'utf8'), renderPersistFile(['iptable_nat']));
  t.true((await readdir(path.join(root, 'etc/modules-load.d'))).includes('99-mesh-preflight.conf'));
});

test('fix --persist --yes through a looping modules-load.d: exit 1, one stderr line naming the path and the link, report entry ok false', async (t) => {
  const { root, outside } = await sandbox();
  await link(root, 'etc/modules-load.d', '/etc/modules-load.d');
  const host = new HostRoot(root);
  const opts: FixCommandOptions = { yes: true, now: false, persist: true, undo: false, force: false, output: 'json' };
  const result = await runFix(opts, { check: async () => centos8Report(), exec: recordingExec().exec, host, allowedModules: ALLOWED, os: CENTOS8, privilege: { capSysModule: true, euid: 0, evidence: [] } });
  t.is(result.exitCode, 1);
  const fixes = JSON.parse(result.stdout).report.fixes;
  t.like(fixes[0], { kind: 'persist', ok: false, target: PERSIST_PATH });
  t.regex(fixes[0].message, /ELOOP.*\/etc\/modules-load\.d → \/etc\/modules-load\.d/);
  t.deepEqual(await everythingBelow(outside), []);
});

test('the boot record is read back through the same links, and a looping one reads as empty', async (t) => {
  const { root } = await sandbox();
  await link(root, 'var/lib/mesh-preflight', '/data/mp');
  const host = new HostRoot(root);
  await recordAttempts(host, { bootId: 'b1', attempted: [] }, ['xt_owner']);
  t.deepEqual(await readBootRecord(host, 'b1'), { bootId: 'b1', attempted: ['xt_owner'] });
  t.truthy(await stat(path.join(root, 'data/mp/fix-attempts.json')));
  await link(root, 'var/lib/mesh-preflight', '/var/lib/mesh-preflight');
  t.deepEqual(await readBootRecord(new HostRoot(root), 'b1'), { bootId: 'b1', attempted: [] });
});
