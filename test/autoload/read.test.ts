/** Reading the autoload facts below a host root: the fixture hosts, and what happens when files are absent or odd. */
import test from 'ava';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readAutoloadFacts } from '../../src/autoload/read.ts';
import { HostRoot } from '../../src/host/root.ts';
import { hostFixturePath } from '../fixtures/hosts/index.ts';

const read = (name: string, family: 'rhel' | 'ubuntu' = 'ubuntu', id = family === 'rhel' ? 'rocky' : 'ubuntu') =>
  readAutoloadFacts(new HostRoot(hostFixturePath(name)), { id, family });

test('rocky-8: SELinux enforcing, targeted, cited by file and line; modprobe and modules_disabled read', async (t) => {
  const f = await read('rocky-8', 'rhel');
  t.is(f.selinux.mode, 'enforcing');
  t.is(f.selinux.policyType, 'targeted');
  t.deepEqual(f.selinux.evidence, [
    '/sys/fs/selinux/enforce: 1',
    '/etc/selinux/config:7: SELINUX=enforcing',
    '/etc/selinux/targeted/contexts/lxc_contexts:1: process = "system_u:system_r:container_t:s0"',
  ]);
  t.deepEqual(f.selinux.containerDomain, { domain: 'container_t', source: '/etc/selinux/targeted/contexts/lxc_contexts:1: process = "system_u:system_r:container_t:s0"' });
  t.is(f.modulesDisabled, false);
  t.is(f.modprobePath, '/sbin/modprobe');
  t.deepEqual(f.modprobeD, []);
});

test('rocky-8-permissive, modules-disabled, empty-modprobe, install-blocked: the one fact each changes', async (t) => {
  t.is((await read('rocky-8-permissive', 'rhel')).selinux.mode, 'permissive');
  const disabled = await read('modules-disabled');
  t.is(disabled.modulesDisabled, true);
  t.is(disabled.modulesDisabledSource, '/proc/sys/kernel/modules_disabled: 1');
  const empty = await read('empty-modprobe');
  t.is(empty.modprobePath, '');
  t.is(empty.modprobePathSource, '/proc/sys/kernel/modprobe: ""');
  const blocked = await read('install-blocked');
  t.deepEqual(
    blocked.modprobeD.filter((d) => d.module === 'iptable_raw').map((d) => `${d.file}:${d.line}: ${d.text}`),
    ['/etc/modprobe.d/hardening.conf:5: install iptable_raw /bin/false'],
  );
  t.true(blocked.modprobeD.some((d) => d.kind === 'blacklist' && d.module === 'evbug'), "Ubuntu's own blacklist.conf is read too");
});

test('ubuntu-22.04: no SELinux at all', async (t) => {
  t.is((await read('ubuntu-22.04')).selinux.mode, 'off');
});

async function tempHost(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'mp-autoload-'));
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), text);
  }
  return root;
}

test('SELinux: config without selinuxfs is unknown (saying what to mount); SELINUX=disabled is disabled; an EL host with neither is unknown', async (t) => {
  const roots: string[] = [];
  try {
    const configOnly = await tempHost({ 'etc/selinux/config': 'SELINUX=enforcing\nSELINUXTYPE=targeted\n' });
    roots.push(configOnly);
    const a = await readAutoloadFacts(new HostRoot(configOnly), { id: 'rhel', family: 'rhel' });
    t.is(a.selinux.mode, 'unknown');
    t.regex(a.selinux.why ?? '', /SELINUX=enforcing but \/sys\/fs\/selinux\/enforce is not readable.*\/sys\/fs/);

    const disabled = await tempHost({ 'etc/selinux/config': '# x\nSELINUX=disabled\n' });
    roots.push(disabled);
    t.is((await readAutoloadFacts(new HostRoot(disabled), { id: 'rhel', family: 'rhel' })).selinux.mode, 'disabled');

    const bare = await tempHost({ 'proc/sys/kernel/modules_disabled': 'garbage\n' });
    roots.push(bare);
    const el = await readAutoloadFacts(new HostRoot(bare), { id: 'almalinux', family: 'rhel' });
    t.is(el.selinux.mode, 'unknown');
    t.is(el.modulesDisabled, undefined, 'a value other than 0/1 is not trusted');
    t.is(el.modprobePath, undefined);
    t.is((await readAutoloadFacts(new HostRoot(bare), { id: 'debian', family: 'debian' })).selinux.mode, 'off');
  } finally {
    await Promise.all(roots.map((r) => rm(r, { recursive: true, force: true })));
  }
});

test('/etc/modprobe.d hides a same-named file in /usr/lib/modprobe.d', async (t) => {
  const root = await tempHost({
    'usr/lib/modprobe.d/netfilter.conf': 'install iptable_raw /bin/false\n',
    'etc/modprobe.d/netfilter.conf': '# the admin re-allowed it\n',
    'lib/modprobe.d/other.conf': 'blacklist xt_owner\n',
  });
  try {
    const f = await readAutoloadFacts(new HostRoot(root), { id: 'debian', family: 'debian' });
    t.deepEqual(f.modprobeDFiles, ['/etc/modprobe.d/netfilter.conf', '/lib/modprobe.d/other.conf']);
    t.deepEqual(f.modprobeD.map((d) => d.text), ['blacklist xt_owner']);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
