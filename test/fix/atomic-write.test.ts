import test from 'ava';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { atomicReplace, nodeFs, removeOwnedFile, timestamp, writeOwnedFile, type FsLayer } from '../../src/fix/atomic-write.ts';
import { applyPlan, undoPersist } from '../../src/fix/apply.ts';
import { planFix } from '../../src/fix/plan.ts';
import { PERSIST_PATH, renderPersistFile } from '../../src/fix/persist-file.ts';
import { readFixContext } from '../../src/fix/context.ts';
import { ALLOWED, CENTOS8, centos8Report, recordingExec, removeTempRoots, tempRoot } from './helpers.ts';

test.after.always(removeTempRoots);

const FOREIGN = '# written by the admin\nbr_netfilter\n';

async function persistOnce(root: string, opts: { force?: boolean; fs?: FsLayer; now?: () => Date } = {}) {
  const ctx = await readFixContext(root);
  const plan = planFix(centos8Report(), {
    now: false,
    persist: true,
    allowedModules: ALLOWED,
    os: CENTOS8,
    force: opts.force ?? false,
    hostRoot: root,
    ...ctx,
  });
  const { exec } = recordingExec();
  return { plan, actions: await applyPlan(plan, { exec, fs: opts.fs, now: opts.now }) };
}

test('--persist into a temp host root creates the file with header and modules, then leaves it untouched', async (t) => {
  const root = await tempRoot();
  const file = path.join(root, PERSIST_PATH);
  const first = await persistOnce(root);
  t.like(first.actions[0], { kind: 'persist', ok: true, target: PERSIST_PATH });
  t.regex(first.actions[0]!.message, /^created/);
  const content = await readFile(file, 'utf8');
  t.is(content, renderPersistFile(['iptable_filter', 'iptable_mangle', 'iptable_nat']));
  t.regex(content, /^# mesh-preflight-owned: v1\n# Written by `mesh-preflight fix --persist`/);
  t.is((await stat(file)).mode & 0o777, 0o644);

  const before = await stat(file);
  await new Promise((r) => setTimeout(r, 20));
  const second = await persistOnce(root);
  t.is(second.plan.persistStep?.kind === 'write' && second.plan.persistStep.change, 'unchanged');
  t.regex(second.actions[0]!.message, /already up to date/);
  const after = await stat(file);
  t.is(after.ino, before.ino, 'same inode: not rewritten');
  t.is(after.mtimeMs, before.mtimeMs, 'same mtime: not rewritten');
  t.deepEqual((await readdir(path.dirname(file))).sort(), ['99-mesh-preflight.conf']);
});

test('a foreign file at our path is left alone without --force', async (t) => {
  const root = await tempRoot();
  const file = path.join(root, PERSIST_PATH);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, FOREIGN);
  const { actions } = await persistOnce(root);
  t.false(actions[0]!.ok);
  t.regex(actions[0]!.message, /not written by mesh-preflight.*--force/);
  t.is(await readFile(file, 'utf8'), FOREIGN);
  t.deepEqual(await readdir(path.dirname(file)), ['99-mesh-preflight.conf']);
});

test('--force replaces a foreign file after keeping a timestamped backup', async (t) => {
  const root = await tempRoot();
  const file = path.join(root, PERSIST_PATH);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, FOREIGN);
  const now = () => new Date('2025-03-04T05:06:07.890Z');
  const { actions } = await persistOnce(root, { force: true, now });
  t.true(actions[0]!.ok);
  t.regex(actions[0]!.message, /backup kept at \/etc\/modules-load\.d\/99-mesh-preflight\.conf\.bak-20250304T050607Z/);
  t.is(await readFile(`${file}.bak-20250304T050607Z`, 'utf8'), FOREIGN);
  t.regex(await readFile(file, 'utf8'), /^# mesh-preflight-owned: v1/);
});

test('a backup is never overwritten: a second forced replace in the same second fails and keeps the file', async (t) => {
  const dir = await tempRoot();
  const file = path.join(dir, 'x.conf');
  await writeFile(file, FOREIGN);
  await writeFile(`${file}.bak-${timestamp(new Date('2025-01-01T00:00:00Z'))}`, 'older backup');
  await t.throwsAsync(writeOwnedFile(file, renderPersistFile(['iptable_nat']), { force: true, now: () => new Date('2025-01-01T00:00:00Z') }), {
    code: 'EEXIST',
  });
  t.is(await readFile(file, 'utf8'), FOREIGN);
});

test('--undo removes only our file; a foreign file stays', async (t) => {
  const root = await tempRoot();
  const file = path.join(root, PERSIST_PATH);
  await persistOnce(root);
  const removed = await undoPersist(root);
  t.like(removed, { kind: 'undo', ok: true, message: 'removed (it carried our ownership marker)' });
  await t.throwsAsync(stat(file), { code: 'ENOENT' });

  t.like(await undoPersist(root), { ok: true, message: 'not present: nothing to undo' });

  await writeFile(file, FOREIGN);
  const kept = await undoPersist(root);
  t.regex(kept.message, /left alone/);
  t.is(await readFile(file, 'utf8'), FOREIGN);
  t.is(await removeOwnedFile(file), 'foreign-kept');
});

type Step = 'openNew' | 'write' | 'sync' | 'close' | 'rename' | 'fsyncDir';

/** nodeFs that fails at one step; `write` first writes half the data, as a crash mid-write would. */
function failingAt(step: Step): FsLayer {
  const boom = () => Object.assign(new Error(`injected failure at ${step}`), { code: 'EIO' });
  return {
    ...nodeFs,
    async openNew(file, mode) {
      if (step === 'openNew') throw boom();
      const real = await nodeFs.openNew(file, mode);
      return {
        write: async (data) => {
          if (step === 'write') {
            await real.write(data.slice(0, Math.floor(data.length / 2)));
            throw boom();
          }
          await real.write(data);
        },
        sync: async () => {
          if (step === 'sync') throw boom();
          await real.sync();
        },
        close: async () => {
          await real.close();
          if (step === 'close') throw boom();
        },
      };
    },
    async rename(from, to) {
      if (step === 'rename') throw boom();
      await nodeFs.rename(from, to);
    },
    async fsyncDir(dir) {
      if (step === 'fsyncDir') throw boom();
      await nodeFs.fsyncDir(dir);
    },
  };
}

const OLD = renderPersistFile(['iptable_nat']);
const NEW = renderPersistFile(['iptable_filter', 'iptable_mangle', 'iptable_nat']);

for (const step of ['openNew', 'write', 'sync', 'close', 'rename', 'fsyncDir'] as const) {
  for (const initial of ['old', 'absent'] as const) {
    test(`write interrupted at ${step} (target ${initial}): target is old or new, never partial; no temp file left`, async (t) => {
      const root = await tempRoot();
      const file = path.join(root, PERSIST_PATH);
      await mkdir(path.dirname(file), { recursive: true });
      if (initial === 'old') await writeFile(file, OLD);
      const { actions } = await persistOnce(root, { fs: failingAt(step) });
      t.false(actions[0]!.ok, 'the failure is reported');
      t.regex(actions[0]!.message, /injected failure/);

      const content = await readFile(file, 'utf8').catch(() => undefined);
      const allowed = step === 'fsyncDir' ? [NEW] : [initial === 'old' ? OLD : undefined];
      t.true(allowed.includes(content), `content after failure at ${step}: ${JSON.stringify(content)}`);
      t.deepEqual(
        (await readdir(path.dirname(file))).filter((n) => n !== '99-mesh-preflight.conf'),
        [],
        'no temp files left behind',
      );
    });
  }
}

test('atomicReplace rethrows the step error after cleaning up', async (t) => {
  const dir = await tempRoot();
  const file = path.join(dir, 'record.json');
  await t.throwsAsync(atomicReplace(file, '{}', failingAt('rename')), { message: /injected failure at rename/ });
  t.deepEqual(await readdir(dir), []);
});

test('readFixContext sees a read-only modules-load.d directory as not writable', async (t) => {
  const root = await tempRoot();
  t.true((await readFixContext(root)).modulesLoadDWritable, 'absent dir: root writable');
  // chmod does not stop root; skip the read-only half when running as root.
  if (process.getuid?.() === 0) return t.pass();
  const dir = path.join(root, '/etc/modules-load.d');
  await mkdir(path.dirname(dir), { recursive: true });
  await mkdir(dir, { mode: 0o555 });
  t.false((await readFixContext(root)).modulesLoadDWritable);
});

test('a read-only /etc (EROFS) is reported with what to do instead; the file is unchanged', async (t) => {
  const root = await tempRoot();
  const erofs: FsLayer = {
    ...nodeFs,
    openNew: async () => {
      throw Object.assign(new Error('EROFS: read-only file system'), { code: 'EROFS' });
    },
  };
  const { actions } = await persistOnce(root, { fs: erofs });
  t.false(actions[0]!.ok);
  t.regex(actions[0]!.message, /write failed, file unchanged: EROFS .*persist the OS's way/);
});
