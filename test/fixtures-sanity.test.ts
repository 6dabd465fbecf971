/**
 * Sanity of the host-root fixtures in test/fixtures/hosts: each one documents its sources, declares its
 * intended facts in a valid expected.json, and its files really say what expected.json claims, so that
 * check tests built on them test the checks and not the fixtures.
 */
import test from 'ava';
import { existsSync, lstatSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { classifyOs } from '../src/host/os-family.ts';
import { parseKconfig } from '../src/host/parse/kconfig.ts';
import { parseModulesBuiltin, parseModulesDep } from '../src/host/parse/modules-files.ts';
import { parseOsRelease } from '../src/host/parse/os-release.ts';
import { parseProcModules } from '../src/host/parse/proc-modules.ts';
import { readHostIptablesDefault } from '../src/iptables/host-default.ts';
import { HostRoot } from '../src/host/root.ts';
import { commandFileName, fixtureExec } from './helpers/fixture-exec.ts';
import { FIXTURE_MODULES, hostFixturePath, listHostFixtures, loadExpected, type Expected } from './fixtures/hosts/index.ts';

const EXPECTED_FIXTURES = [
  'empty-modprobe', 'install-blocked', 'kernel-5.10', 'lacks-module', 'modules-disabled', 'monolithic', 'no-ipset', 'no-module-tree',
  'no-nft-redir', 'rocky-8', 'rocky-8-ip-tables-loaded', 'rocky-8-permissive', 'talos', 'ubuntu-22.04', 'upgraded-no-reboot',
];

/**
 * Kconfig symbols that build each module. Since 6.9 ip_tables/ip6_tables come from *_IPTABLES_LEGACY
 * (IP_NF_IPTABLES stays =y for the xt matches even when legacy tables are off), see symbolsFor().
 */
const KCONFIG: Record<string, string[]> = {
  br_netfilter: ['BRIDGE_NETFILTER'],
  nf_nat: ['NF_NAT'],
  nf_nat_redirect: ['NF_NAT_REDIRECT'],
  xt_REDIRECT: ['NETFILTER_XT_TARGET_REDIRECT'],
  xt_owner: ['NETFILTER_XT_MATCH_OWNER'],
  iptable_nat: ['IP_NF_NAT'],
  iptable_mangle: ['IP_NF_MANGLE'],
  iptable_filter: ['IP_NF_FILTER'],
  iptable_raw: ['IP_NF_RAW'],
  xt_CT: ['NETFILTER_XT_TARGET_CT'],
  ip_tables: ['IP_NF_IPTABLES'],
  nf_tables: ['NF_TABLES'],
  nft_compat: ['NFT_COMPAT'],
  nft_chain_nat: ['NFT_NAT'],
  xt_multiport: ['NETFILTER_XT_MATCH_MULTIPORT'],
  xt_comment: ['NETFILTER_XT_MATCH_COMMENT'],
  xt_conntrack: ['NETFILTER_XT_MATCH_CONNTRACK'],
  xt_mark: ['NETFILTER_XT_MARK', 'NETFILTER_XT_MATCH_MARK'],
  xt_socket: ['NETFILTER_XT_MATCH_SOCKET'],
  xt_TPROXY: ['NETFILTER_XT_TARGET_TPROXY'],
  ip6_tables: ['IP6_NF_IPTABLES'],
  ip6table_nat: ['IP6_NF_NAT'],
  ip6table_mangle: ['IP6_NF_MANGLE'],
  ip6table_raw: ['IP6_NF_RAW'],
};

function symbolsFor(module: string, config: Map<string, string>): string[] {
  const legacyGate = config.has('NETFILTER_XTABLES_LEGACY') || config.has('IP_NF_IPTABLES_LEGACY');
  if (legacyGate && module === 'ip_tables') return ['IP_NF_IPTABLES_LEGACY'];
  if (legacyGate && module === 'ip6_tables') return ['IP6_NF_IPTABLES_LEGACY'];
  return KCONFIG[module] ?? [];
}

interface HostView {
  dir: string;
  expected: Expected;
  release: string;
  procModulesText?: string;
  loaded: Set<string>;
  /** Module tree of the running release, relative to the fixture. */
  treeDir?: string;
  depFiles: Map<string, string>;
  builtin: Set<string>;
  config?: Map<string, string>;
  configSource?: string;
}

/** Kconfig values keyed by symbol without the CONFIG_ prefix (parseKconfig keeps the prefix). */
function kconfig(text: string): Map<string, string> {
  return new Map([...parseKconfig(text)].map(([key, value]) => [key.replace(/^CONFIG_/, ''), value]));
}

function readIf(file: string): string | undefined {
  return existsSync(file) && statSync(file).isFile() ? readFileSync(file, 'utf8') : undefined;
}

function view(name: string): HostView {
  const dir = hostFixturePath(name);
  const expected = loadExpected(name);
  const release = (readIf(path.join(dir, 'proc/sys/kernel/osrelease')) ?? '').trim();
  const procModulesText = readIf(path.join(dir, 'proc/modules'));
  const loaded = new Set((procModulesText ? parseProcModules(procModulesText) : []).map((m) => m.name));
  const treeDir = ['lib/modules', 'usr/lib/modules']
    .map((base) => `${base}/${release}`)
    .find((rel) => existsSync(path.join(dir, rel)));
  const depText = treeDir ? readIf(path.join(dir, treeDir, 'modules.dep')) : undefined;
  const builtinText = treeDir ? readIf(path.join(dir, treeDir, 'modules.builtin')) : undefined;
  let config: Map<string, string> | undefined;
  let configSource: string | undefined;
  const gz = path.join(dir, 'proc/config.gz');
  if (existsSync(gz)) {
    config = kconfig(gunzipSync(readFileSync(gz)).toString('utf8'));
    configSource = 'proc/config.gz';
  } else {
    for (const rel of [`boot/config-${release}`, ...(treeDir ? [`${treeDir}/config`] : [])]) {
      const text = readIf(path.join(dir, rel));
      if (text !== undefined) {
        config = kconfig(text);
        configSource = rel;
        break;
      }
    }
  }
  return {
    dir, expected, release, procModulesText, loaded, treeDir,
    depFiles: depText ? parseModulesDep(depText) : new Map(),
    builtin: builtinText ? parseModulesBuiltin(builtinText) : new Set(),
    config, configSource,
  };
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((rel) => path.join(dir, rel))
    .filter((file) => lstatSync(file).isFile());
}

test('the fixture set is the documented one', (t) => {
  t.deepEqual(listHostFixtures(), EXPECTED_FIXTURES);
});

for (const name of EXPECTED_FIXTURES) {
  test(`${name}: SOURCE.md and a valid expected.json listing every module`, (t) => {
    const dir = hostFixturePath(name);
    const source = readIf(path.join(dir, 'SOURCE.md'));
    t.truthy(source, 'SOURCE.md missing');
    t.true((source ?? '').length > 400, 'SOURCE.md too thin to cite sources');
    const expected = loadExpected(name);
    t.deepEqual(Object.keys(expected.modules).sort(), [...FIXTURE_MODULES].sort());
    const hasModuleFiles = filesUnder(dir).some((f) => /\.ko(\.(xz|zst|gz))?$/.test(f));
    if (hasModuleFiles) t.regex(source ?? '', /placeholder/i, 'SOURCE.md must say the .ko files are placeholders');
  });

  test(`${name}: release and OS family match the tree`, (t) => {
    const v = view(name);
    t.is(v.release, v.expected.release);
    t.truthy(readIf(path.join(v.dir, 'proc/sys/kernel/version'))?.trim(), 'proc/sys/kernel/version');
    const osRelease = readIf(path.join(v.dir, 'etc/os-release'));
    t.truthy(osRelease);
    t.is(classifyOs(parseOsRelease(osRelease ?? '')).family, v.expected.osFamily);
  });

  test(`${name}: every module state is backed by the files`, (t) => {
    const v = view(name);
    for (const [module, state] of Object.entries(v.expected.modules)) {
      const target = v.expected.providedBy[module] ?? module;
      const where = `${module}${target === module ? '' : ` (via ${target})`} expected ${state}`;
      const configured = v.config ? symbolsFor(target, v.config).map((s) => v.config?.get(s)) : [];
      if (state === 'loaded') {
        t.true(v.loaded.has(target), `${where}: not in proc/modules`);
        t.is(readIf(path.join(v.dir, 'sys/module', target, 'initstate'))?.trim(), 'live', `${where}: sys/module initstate`);
      } else {
        t.false(v.loaded.has(target), `${where}: but it is in proc/modules`);
      }
      if (state === 'builtin') {
        const inConfig = (v.config ? symbolsFor(module, v.config) : []).some((s) => v.config?.get(s) === 'y');
        t.true(v.builtin.has(target) || inConfig, `${where}: neither in modules.builtin nor =y in the config`);
        t.false(existsSync(path.join(v.dir, 'sys/module', target, 'initstate')), `${where}: has an initstate`);
      }
      if (state === 'loadable') {
        const rel = v.depFiles.get(target);
        t.truthy(rel, `${where}: not in modules.dep of ${v.release}`);
        if (rel && v.treeDir) t.true(existsSync(path.join(v.dir, v.treeDir, rel)), `${where}: ${rel} missing`);
      }
      if (state === 'missing') {
        t.false(v.depFiles.has(target) || v.builtin.has(target), `${where}: present in the running module tree`);
        t.false(configured.some((value) => value === 'y' || value === 'm'), `${where}: built by the config`);
      }
      if (state === 'unknown') {
        t.is(v.treeDir, undefined, `${where}: but a module tree exists`);
        t.is(v.config, undefined, `${where}: but a kernel config exists (${v.configSource})`);
      }
    }
  });

  test(`${name}: module tree and proc/modules are well formed`, (t) => {
    const v = view(name);
    if (v.procModulesText !== undefined) {
      const lines = v.procModulesText.split('\n').filter((l) => l.trim() !== '');
      const parsed = parseProcModules(v.procModulesText);
      t.is(parsed.length, lines.length, 'every proc/modules line parses');
      t.true(parsed.every((m) => m.state === 'Live'));
      const withInitstate = readdirSync(path.join(v.dir, 'sys/module'))
        .filter((m) => existsSync(path.join(v.dir, 'sys/module', m, 'initstate')))
        .sort();
      t.deepEqual(withInitstate, [...v.loaded].sort(), 'sys/module/*/initstate ↔ proc/modules');
    } else {
      t.is(v.config?.get('MODULES'), 'n', 'no proc/modules only on a CONFIG_MODULES=n kernel');
    }
    for (const base of ['lib/modules', 'usr/lib/modules']) {
      const root = path.join(v.dir, base);
      if (!existsSync(root)) continue;
      for (const release of readdirSync(root)) {
        const dep = readIf(path.join(root, release, 'modules.dep'));
        t.truthy(dep, `${base}/${release}/modules.dep`);
        for (const line of (dep ?? '').split('\n').filter(Boolean)) {
          t.regex(line, /^\S+\.ko(\.(xz|zst|gz))?:( \S+\.ko(\.(xz|zst|gz))?)*$/, `modules.dep line: ${line}`);
          for (const rel of line.replace(':', '').split(' ')) {
            t.true(existsSync(path.join(root, release, rel)), `${base}/${release}/${rel}`);
          }
        }
      }
    }
  });

  test(`${name}: sysctl files hold the expected values`, (t) => {
    const v = view(name);
    t.true(Object.keys(v.expected.sysctl).length > 0);
    for (const [key, value] of Object.entries(v.expected.sysctl)) {
      const text = readIf(path.join(v.dir, 'proc/sys', key.replace(/\./g, '/')));
      t.is(text === undefined ? null : text.trim(), value, key);
    }
  });

  test(`${name}: fixtureExec answers the iptables commands as the backend says`, async (t) => {
    const v = view(name);
    const exec = fixtureExec(v.dir);
    const save = async (file: string) => exec(file, []);
    const [nft4, nft6, legacy4, legacy6] = await Promise.all(
      ['iptables-nft-save', 'ip6tables-nft-save', 'iptables-legacy-save', 'ip6tables-legacy-save'].map(save),
    );
    const all = [nft4!, nft6!, legacy4!, legacy6!];
    for (const result of all.filter((r) => r.ok && r.stdout !== '')) {
      t.regex(result.stdout, /^# Generated by ip6?tables(-nft)?-save v1\.\d+\.\d+( \(nf_tables\))? on /, result.file);
      t.regex(result.stdout, /^COMMIT$/m, result.file);
    }
    const rules = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('-A ')).length;
    const canary = (stdout: string) => /^:(KUBE-IPTABLES-HINT|KUBE-KUBELET-CANARY) /m.test(stdout);
    switch (v.expected.observedBackend) {
      case 'nft':
        t.true(nft4!.ok && canary(nft4!.stdout) && rules(nft4!.stdout) > 0, 'kube rules in iptables-nft-save');
        t.true(all.slice(2).every((r) => r.notFound || rules(r.stdout) === 0), 'no legacy rules');
        break;
      case 'legacy':
        t.true(legacy4!.ok && canary(legacy4!.stdout));
        break;
      case 'none':
        t.true(all.every((r) => r.ok && rules(r.stdout) === 0 && !canary(r.stdout)));
        break;
      case 'unknown':
        t.true(all.every((r) => r.notFound), 'no save binary at all');
        break;
      default:
        t.fail(`fixture backend ${v.expected.observedBackend} is not covered`);
    }
    t.is(exec.calls.length, 4);
    // The host's own `iptables` is a link chain in the tree (src/iptables/host-default.ts); every fixture host defaults to nft.
    const hostDefault = await readHostIptablesDefault(new HostRoot(v.dir));
    if (v.expected.observedBackend === 'unknown') t.is(hostDefault.backend, undefined, hostDefault.evidence);
    else t.is(hostDefault.backend, 'nft', hostDefault.evidence);
  });
}

test('compressed fixture files are what their suffix says (gzip decompresses, xz/zstd magic)', (t) => {
  const magic: Array<[string, Buffer]> = [
    ['.xz', Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])],
    ['.zst', Buffer.from([0x28, 0xb5, 0x2f, 0xfd])],
  ];
  const seen = new Set<string>();
  for (const file of EXPECTED_FIXTURES.flatMap((name) => filesUnder(hostFixturePath(name)))) {
    if (file.endsWith('.gz')) {
      t.notThrows(() => gunzipSync(readFileSync(file)), file);
      seen.add('.gz');
    }
    for (const [suffix, bytes] of magic) {
      if (!file.endsWith(suffix)) continue;
      t.deepEqual(readFileSync(file).subarray(0, bytes.length), bytes, file);
      seen.add(suffix);
    }
  }
  t.deepEqual([...seen].sort(), ['.gz', '.xz', '.zst']);
});

test('fixtureExec: a binary recorded as missing is notFound, like ENOENT', async (t) => {
  const exec = fixtureExec(hostFixturePath('rocky-8'));
  const result = await exec('/usr/sbin/iptables-legacy-save', []);
  t.true(result.notFound);
  t.false(result.ok);
  t.is(result.exitCode, undefined);
  t.is(result.error, '/usr/sbin/iptables-legacy-save: not found');
  t.deepEqual(exec.calls, [{ file: '/usr/sbin/iptables-legacy-save', args: [], answeredBy: 'iptables-legacy-save.missing' }]);
});

test('fixtureExec: <binary>.missing covers every argument list', async (t) => {
  const exec = fixtureExec(hostFixturePath('no-module-tree'));
  const result = await exec('iptables', ['--version']);
  t.true(result.notFound);
  t.is(exec.calls[0]?.answeredBy, 'iptables.missing');
});

test('fixtureExec: unrecorded commands are notFound and name the gap', async (t) => {
  const exec = fixtureExec(hostFixturePath('ubuntu-22.04'));
  const result = await exec('modprobe', ['xt_owner']);
  t.true(result.notFound);
  t.regex(result.error ?? '', /ubuntu-22\.04 has no commands\/modprobext_owner\.txt/);
  t.is(exec.calls[0]?.answeredBy, undefined);
});

test('fixtureExec: stdout, stderr and exit code come from .txt, .stderr and .exit', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fixture-exec-'));
  mkdirSync(path.join(dir, 'commands'));
  const name = commandFileName('iptables-restore', ['--noflush', '/tmp/rules']);
  t.is(name, 'iptables-restore--noflush_tmp_rules');
  writeFileSync(path.join(dir, 'commands', `${name}.txt`), '');
  writeFileSync(path.join(dir, 'commands', `${name}.stderr`), "iptables-restore v1.8.4 (nf_tables): unable to initialize table 'nat'\n");
  writeFileSync(path.join(dir, 'commands', `${name}.exit`), '2\n');
  const result = await fixtureExec(dir)('iptables-restore', ['--noflush', '/tmp/rules']);
  t.like(result, { ok: false, exitCode: 2, notFound: false, timedOut: false });
  t.is(result.error, "iptables-restore: exit 2: iptables-restore v1.8.4 (nf_tables): unable to initialize table 'nat'");
});

test('fixtureExec: the recorded iptables-nft-save output is returned verbatim', async (t) => {
  const dir = hostFixturePath('ubuntu-22.04');
  const result = await fixtureExec(dir)('iptables-nft-save', []);
  t.true(result.ok);
  t.is(result.exitCode, 0);
  t.is(result.stdout, readFileSync(path.join(dir, 'commands/iptables-nft-save.txt'), 'utf8'));
  t.regex(result.stdout, /^# Generated by iptables-nft-save v1\.8\.7 \(nf_tables\) on /);
});
