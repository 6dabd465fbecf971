/**
 * HostRoot resolves every host path as a chroot would (openat2 RESOLVE_IN_ROOT): absolute links restart at
 * the root, `..` stops there, loops end in ELOOP naming the path; reads never block on a FIFO or device,
 * never follow a link out, and are capped. Trees are made at test time in temp directories.
 */
import test from 'ava';
import { gzipSync } from 'node:zlib';
import { mkdir, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HostPathError, HostRoot } from '../../src/host/root.ts';
import { MAX_LINK_EXPANSIONS } from '../../src/host/resolve.ts';
import { charDevice, fifo, link, put, removeSandboxes, sandbox } from '../helpers/host-trees.ts';

test.after.always(removeSandboxes);

const OS_RELEASE = 'ID=rocky\nVERSION_ID="8.9"\n';

test('an absolute link restarts at the root, not at this machine\'s /', async (t) => {
  const { root } = await sandbox();
  await put(root, 'usr/lib/os-release', OS_RELEASE);
  await link(root, 'etc/os-release', '/usr/lib/os-release');
  const host = new HostRoot(root);
  const read = await host.read('/etc/os-release');
  t.true(read.ok);
  t.is(read.ok && read.text, OS_RELEASE, 'the host tree\'s file, not /usr/lib/os-release of this machine');
  const resolution = await host.resolve('/etc/os-release');
  t.like(resolution, { hostPath: '/etc/os-release', resolvedHostPath: '/usr/lib/os-release', realPath: path.join(host.realRoot, 'usr/lib/os-release'), type: 'file' });
  t.deepEqual(resolution.viaLinks, [{ link: '/etc/os-release', target: '/usr/lib/os-release' }]);
  t.is(host.describe('/etc/os-release'), '/etc/os-release → /usr/lib/os-release');
});

test('relative links, links in the middle of a path and `..` after a link resolve as the kernel does', async (t) => {
  const { root } = await sandbox();
  await put(root, 'usr/lib/modules/6.1/modules.dep', 'kernel/x.ko:\n');
  await link(root, 'lib', 'usr/lib');
  await put(root, 'opt/real/dir/file', 'deep');
  await link(root, 'etc/short', '../opt/real/dir');
  const host = new HostRoot(root);
  t.is(await host.readText('/lib/modules/6.1/modules.dep'), 'kernel/x.ko:\n');
  t.is((await host.resolve('/lib/modules/6.1')).resolvedHostPath, '/usr/lib/modules/6.1');
  // `..` after a link climbs from where the link led (/opt/real), not lexically from /etc.
  await put(root, 'opt/real/sibling', 'physical parent');
  t.is(await host.readText('/etc/short/../sibling'), 'physical parent');
  t.deepEqual(await host.list('/lib/modules'), ['6.1']);
  t.true(await host.isDirectory('/lib/modules/6.1'));
});

test('climbing links and `..` stop at the root: a marker beside the root is never read', async (t) => {
  const { root, outside } = await sandbox();
  await put(outside, 'os-release', 'ID=ESCAPED\n');
  await put(root, 'os-release', OS_RELEASE);
  await link(root, 'etc/os-release', '../../../../../../../../os-release');
  await link(root, 'etc/abs-outside', path.join(outside, 'os-release'));
  await link(root, 'etc/up', '../..');
  const host = new HostRoot(root);
  t.is(await host.readText('/etc/os-release'), OS_RELEASE, 'climbed to the root and no further');
  t.is(await host.readText('/../../outside/os-release'), undefined);
  t.is(await host.readText('/etc/up/outside/os-release'), undefined);
  const abs = await host.read('/etc/abs-outside');
  t.false(abs.ok, 'an absolute link to the marker\'s real path is looked up inside the root, where nothing is');
  t.true(!abs.ok && abs.absent);
  t.regex(!abs.ok ? abs.reason : '', /dangling/);
  t.deepEqual(await host.list('/etc/up'), ['etc', 'os-release'], '/etc/up is the root itself');
  for (const p of ['/etc/os-release', '/../../outside/os-release', '/etc/up/outside/os-release', '/etc/abs-outside']) {
    t.false((await host.readText(p))?.includes('ESCAPED') ?? false, p);
  }
});

test('a link loop and an over-long chain end in ELOOP naming the path and the link', async (t) => {
  const { root } = await sandbox();
  await link(root, 'etc/self', '/etc/self');
  await link(root, 'etc/a', 'b');
  await link(root, 'etc/b', 'a');
  for (let i = 0; i <= MAX_LINK_EXPANSIONS; i++) await link(root, `chain/l${i}`, `l${i + 1}`);
  await put(root, `chain/l${MAX_LINK_EXPANSIONS + 1}`, 'end');
  for (let i = 0; i < MAX_LINK_EXPANSIONS - 1; i++) await link(root, `ok/l${i}`, `l${i + 1}`);
  await put(root, `ok/l${MAX_LINK_EXPANSIONS - 1}`, 'reached');
  const host = new HostRoot(root);
  const error = await t.throwsAsync(host.resolve('/etc/self/x'), { instanceOf: HostPathError });
  t.is(error?.code, 'ELOOP');
  t.regex(error?.message ?? '', /^\/etc\/self\/x: too many levels of symbolic links \(ELOOP.*\/etc\/self → \/etc\/self\)$/);
  t.is((await t.throwsAsync(host.resolve('/etc/a'), { instanceOf: HostPathError }))?.code, 'ELOOP');
  t.is((await t.throwsAsync(host.resolve('/chain/l0'), { instanceOf: HostPathError }))?.code, 'ELOOP', '41 links are too many');
  t.is(await host.readText('/ok/l0'), 'reached', `${MAX_LINK_EXPANSIONS - 1} links are fine`);
  const read = await host.read('/etc/a');
  t.false(read.ok);
  t.regex(!read.ok ? read.reason : '', /\/etc\/a: too many levels of symbolic links/);
  t.is(host.problem('/etc/a'), !read.ok ? read.reason : '');
  t.false(await host.exists('/etc/self'));
  t.is(await host.list('/etc/self'), undefined);
});

test('a dangling link reads as absent, naming where it led', async (t) => {
  const { root } = await sandbox();
  await link(root, 'proc/modules', '/nowhere/modules');
  const host = new HostRoot(root);
  const read = await host.read('/proc/modules');
  t.deepEqual(read, { ok: false, hostPath: '/proc/modules', absent: true, reason: '/proc/modules: not found (dangling: /proc/modules → /nowhere/modules, /nowhere/modules is not in the host root)' });
  t.false(await host.exists('/proc/modules'));
  t.is(await host.stat('/proc/modules'), undefined);
});

test('a component that is a file is ENOTDIR with the path', async (t) => {
  const { root } = await sandbox();
  await put(root, 'lib', 'not a directory');
  const host = new HostRoot(root);
  const error = await t.throwsAsync(host.resolve('/lib/modules/6.1/modules.dep'), { instanceOf: HostPathError });
  t.is(error?.code, 'ENOTDIR');
  t.regex(error?.message ?? '', /^\/lib\/modules\/6\.1\/modules\.dep: \/lib is a file, not a directory$/);
  t.is(await host.readText('/lib/modules/6.1/modules.dep'), undefined);
});

test('a FIFO, a device, a directory and a socket where a file should be are refused without blocking', async (t) => {
  const { root } = await sandbox();
  await fifo(root, 'proc/modules');
  const device = await charDevice(root, 'etc/os-release');
  await mkdir(path.join(root, 'proc/sys/kernel/osrelease'), { recursive: true });
  await link(root, 'boot/zero', '/dev/zero');
  await link(root, 'boot/zero-climb', '../../../../../../../dev/zero');
  const host = new HostRoot(root);
  const fifoRead = await host.read('/proc/modules');
  t.false(fifoRead.ok);
  t.regex(!fifoRead.ok ? fifoRead.reason : '', /^\/proc\/modules: is a fifo, not a regular file: not read$/);
  if (device) {
    const deviceRead = await host.read('/etc/os-release');
    t.regex(!deviceRead.ok ? deviceRead.reason : '', /^\/etc\/os-release: is a character device, not a regular file/);
  } else {
    t.log('mknod not permitted here: device case covered by the /dev/zero links only');
  }
  const dirRead = await host.read('/proc/sys/kernel/osrelease');
  t.regex(!dirRead.ok ? dirRead.reason : '', /is a directory, not a regular file/);
  // /dev/zero of this machine is outside the root: both links find nothing inside it.
  t.like(await host.read('/boot/zero'), { ok: false, absent: true });
  t.like(await host.read('/boot/zero-climb'), { ok: false, absent: true });
});

test('reads are capped: a larger file is refused, not cut; procfs-style size-0 files are read to EOF', async (t) => {
  const { root } = await sandbox();
  await put(root, 'big', Buffer.alloc(2048, 0x61));
  await put(root, 'small', 'abc');
  const host = new HostRoot(root);
  const big = await host.read('/big', { maxBytes: 1024 });
  t.regex(!big.ok ? big.reason : '', /^\/big: larger than the 1 KiB read cap: not read$/);
  t.is(await host.readText('/big', 2048), 'a'.repeat(2048));
  t.is(await host.readText('/small'), 'abc');
  // A real size-0 procfs file when this machine has one.
  const proc = new HostRoot('/');
  const osrelease = await proc.readText('/proc/sys/kernel/osrelease');
  t.truthy(osrelease?.trim(), 'read to EOF although stat says 0 bytes');
});

test('gzip: a truncated file and a gzip bomb are refused with the reason; output is bounded', async (t) => {
  const { root } = await sandbox();
  const config = Buffer.from('CONFIG_NF_TABLES=m\n'.repeat(200));
  const gz = gzipSync(config);
  await put(root, 'proc/config.gz', gz);
  await put(root, 'truncated.gz', gz.subarray(0, Math.floor(gz.length / 2)));
  await put(root, 'bomb.gz', gzipSync(Buffer.alloc(64 * 1024 * 1024)));
  await put(root, 'not.gz', 'plain text');
  const host = new HostRoot(root);
  t.is(await host.readGzipText('/proc/config.gz'), config.toString());
  const truncated = await host.read('/truncated.gz', { gzip: true });
  t.regex(!truncated.ok ? truncated.reason : '', /^\/truncated\.gz: truncated gzip: not read$/);
  const bomb = await host.read('/bomb.gz', { gzip: true, maxBytes: 8 * 1024 * 1024 });
  t.regex(!bomb.ok ? bomb.reason : '', /^\/bomb\.gz: decompresses to more than 8 MiB/);
  t.regex((await host.read('/not.gz', { gzip: true }).then((r) => (r.ok ? '' : r.reason))), /not valid gzip/);
});

test('a root that is itself reached through a link works, and evidence never shows the machine path', async (t) => {
  const { base, root } = await sandbox();
  await put(root, 'etc/os-release', OS_RELEASE);
  await symlink(root, path.join(base, 'root-link'));
  const host = new HostRoot(path.join(base, 'root-link'));
  t.is(host.realRoot, root);
  t.is(await host.readText('/etc/os-release'), OS_RELEASE);
  t.is(host.describe('/etc/os-release'), '/etc/os-release');
  t.is(host.hostPathOf(path.join(base, 'root-link', 'etc/kubernetes')), '/etc/kubernetes', 'a flag given below the root names the host path');
  t.is(host.hostPathOf('/etc/kubernetes'), '/etc/kubernetes');
});

test('openDirectory creates missing directories inside the root through links; a write there stays inside', async (t) => {
  const { root, outside } = await sandbox();
  await link(root, 'etc/modules-load.d', '/usr/lib/modules-load.d');
  const host = new HostRoot(root);
  const dir = await host.openDirectory('/etc/modules-load.d', { create: true });
  try {
    await writeFile(dir.entry('x.conf'), 'xt_owner\n');
    await dir.verify();
    t.is(dir.shown('x.conf'), '/etc/modules-load.d/x.conf (→ /usr/lib/modules-load.d/x.conf inside the host root)');
  } finally {
    await dir.close();
  }
  t.is(await readFile(path.join(root, 'usr/lib/modules-load.d/x.conf'), 'utf8'), 'xt_owner\n');
  t.deepEqual(await readdir(outside), []);
  t.throws(() => dir.entry('../x'), { instanceOf: HostPathError });
});

test('a directory swapped for a link after it was opened is caught by verify (outside the root named)', async (t) => {
  const { root, outside } = await sandbox();
  await mkdir(path.join(root, 'etc/modules-load.d'), { recursive: true });
  const host = new HostRoot(root);
  const dir = await host.openDirectory('/etc/modules-load.d');
  try {
    await rename(path.join(root, 'etc/modules-load.d'), path.join(outside, 'moved'));
    await symlink(outside, path.join(root, 'etc/modules-load.d'));
    const error = await t.throwsAsync(dir.verify(), { instanceOf: HostPathError });
    t.is(error?.code, 'ECHANGED');
    t.regex(error?.message ?? '', /^\/etc\/modules-load\.d: changed after it was resolved \(it now leads outside the host root, to .*outside\/moved\): refused/);
  } finally {
    await dir.close();
  }
  await rm(path.join(root, 'etc/modules-load.d'));
});

test('modprobeDir: the directory kmod needs for the resolved tree, or a refusal; nothing for the root /', async (t) => {
  t.is(await new HostRoot('/').modprobeDir('6.1'), undefined);
  const merged = await sandbox();
  await mkdir(path.join(merged.root, 'usr/lib/modules/6.1'), { recursive: true });
  await link(merged.root, 'lib', 'usr/lib');
  const host = new HostRoot(merged.root);
  t.deepEqual(await host.modprobeDir('6.1'), { dir: path.join(host.realRoot, 'usr'), release: '6.1' }, 'merged /usr: <root>/usr/lib/modules/6.1');
  t.is(await host.modprobeDir(undefined), undefined);
  t.like(await host.modprobeDir('../../etc'), { refused: '"../../etc" is not a release name'.replace('"../../etc" is', 'kernel release "../../etc" is') });

  const absolute = await sandbox();
  await link(absolute.root, 'lib/modules', '/usr/lib/modules');
  await mkdir(path.join(absolute.root, 'usr/lib/modules/6.1'), { recursive: true });
  t.deepEqual(await new HostRoot(absolute.root).modprobeDir('6.1'), { dir: path.join(absolute.root, 'usr'), release: '6.1' });

  const odd = await sandbox();
  await mkdir(path.join(odd.root, 'opt/kernels/6.1'), { recursive: true });
  await link(odd.root, 'lib/modules/6.1', '/opt/kernels/6.1');
  t.regex((await new HostRoot(odd.root).modprobeDir('6.1') as { refused: string }).refused, /modprobe -d needs a tree ending in \/lib\/modules\/6\.1/);

  const dangling = await sandbox();
  await link(dangling.root, 'lib', '/usr/lib');
  t.regex((await new HostRoot(dangling.root).modprobeDir('6.1') as { refused: string }).refused, /dangling .*modprobe would follow it outside the host root/);

  const empty = await sandbox();
  t.deepEqual(await new HostRoot(empty.root).modprobeDir('6.1'), { dir: empty.root, release: '6.1' }, 'no tree, no link: kmod finds nothing below the root');
});

test('an unreadable file (mode 0600, read as uid 65534 through the built module) is a one-line EACCES reason', async (t) => {
  if (process.getuid?.() !== 0) return t.pass('not root: cannot switch to another uid here');
  const { execa } = await import('execa');
  const { chmod } = await import('node:fs/promises');
  const built = path.resolve(import.meta.dirname, '../../dist/src/host/root.js');
  const { base, root } = await sandbox();
  await chmod(base, 0o755);
  await put(root, 'etc/os-release', OS_RELEASE);
  await chmod(path.join(root, 'etc/os-release'), 0o600);
  const probe = await put(base, 'probe.mjs', "const { HostRoot } = await import(process.argv[2]);\nconsole.log(JSON.stringify(await new HostRoot(process.argv[3]).read('/etc/os-release')));\n");
  await chmod(probe, 0o644);
  const result = await execa(process.execPath, [probe, built, root], { uid: 65534, gid: 65534, reject: false });
  if (result.exitCode !== 0) return t.pass(`uid 65534 cannot run the built module here: ${result.stderr.split('\n')[0]}`);
  t.deepEqual(JSON.parse(result.stdout), { ok: false, hostPath: '/etc/os-release', absent: false, reason: '/etc/os-release: cannot read: EACCES' });
});

test('snapshot mode (one check run) reuses the directories on the way, never the file itself', async (t) => {
  const { root } = await sandbox();
  await put(root, 'etc/a/one', 'one\n');
  await put(root, 'etc/a/two', 'two\n');
  await link(root, 'lib', 'usr/lib');
  await put(root, 'usr/lib/modules/6.1/modules.dep', 'dep\n');
  const plain = new HostRoot(root);
  const snapshot = new HostRoot(root, { snapshot: true });
  for (const p of ['/etc/a/one', '/etc/a/two', '/lib/modules/6.1/modules.dep', '/lib/modules/6.1/absent', '/etc/a', '/lib']) {
    const [a, b] = [await plain.resolve(p), await snapshot.resolve(p)];
    t.deepEqual({ ...b, stats: undefined }, { ...a, stats: undefined }, p);
  }
  // The last component is looked at afresh: a file replaced by a link is seen as the link it now is.
  await rm(path.join(root, 'etc/a/one'));
  await symlink('two', path.join(root, 'etc/a/one'));
  t.is((await snapshot.readText('/etc/a/one'))?.trim(), 'two');
  t.is(snapshot.describe('/etc/a/one'), '/etc/a/one → /etc/a/two');
});

test('snapshot mode: a directory swapped for a link to outside after it was walked is still never read through', async (t) => {
  const { root, outside } = await sandbox();
  await put(root, 'etc/conf/file', 'inside\n');
  await put(outside, 'file', 'MARKER outside the root\n');
  const host = new HostRoot(root, { snapshot: true });
  t.is((await host.readText('/etc/conf/file'))?.trim(), 'inside');
  // The memo still says /etc/conf is a directory; the kernel would now follow the link out of the root.
  await rename(path.join(root, 'etc/conf'), path.join(root, 'etc/conf.old'));
  await symlink(outside, path.join(root, 'etc/conf'));
  const read = await host.read('/etc/conf/file');
  t.false(read.ok && read.text.includes('MARKER'), 'the file outside the root was read');
  t.false(read.ok);
});
