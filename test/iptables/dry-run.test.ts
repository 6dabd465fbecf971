import test from 'ava';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HostRoot } from '../../src/host/root.ts';
import { dryRunRules, parseRestoreError, restoreBinary, splitRuleset } from '../../src/iptables/dry-run.ts';
import { scriptedExec } from './fake-exec.ts';

const RULES = [
  '# mesh rules',
  '*nat',
  ':OUTPUT ACCEPT [0:0]',
  ':ISTIO_OUTPUT - [0:0]',
  '-A OUTPUT -p tcp -j ISTIO_OUTPUT',
  '-A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN',
  'COMMIT',
  '*raw',
  ':OUTPUT ACCEPT [0:0]',
  '-A OUTPUT -p udp --dport 53 -m owner --uid-owner 1337 -j CT --zone 1',
  'COMMIT',
  '',
].join('\n');

test('splitRuleset keeps each table with its first line number', (t) => {
  const sections = splitRuleset(RULES);
  t.deepEqual(sections.map((s) => [s.table, s.startLine]), [['nat', 2], ['raw', 8]]);
  t.true(sections[0]!.text.startsWith('*nat\n'));
  t.true(sections[0]!.text.endsWith('COMMIT\n'));
  t.false(sections[0]!.text.includes('# mesh rules'));
});

test('restoreBinary', (t) => {
  t.is(restoreBinary('nft', 'ipv4'), 'iptables-nft-restore');
  t.is(restoreBinary('legacy', 'ipv6'), 'ip6tables-legacy-restore');
});

// Error wordings: iptables 1.8.9 on Debian 12 (test/iptables/SOURCE.md) and the brief's 1.8.7 examples.
const errors: Array<[string, string, string | undefined, number | undefined]> = [
  ["iptables-restore v1.8.9 (legacy): Couldn't load target `NOPE_TARGET':No such file or directory\n\nError occurred at line: 3\nTry `iptables-restore -h' or 'iptables-restore --help' for more information.\n", "iptables-restore v1.8.9 (legacy): Couldn't load target `NOPE_TARGET':No such file or directory", 'target NOPE_TARGET', 3],
  ["iptables-restore v1.8.7 (legacy): Couldn't load match `owner':No such file or directory\n\nError occurred at line: 5\n", "iptables-restore v1.8.7 (legacy): Couldn't load match `owner':No such file or directory", 'match owner', 5],
  ["iptables-nft-restore v1.8.9 (nf_tables): Chain 'NOPE_TARGET' does not exist\nError occurred at line: 4\n", "iptables-nft-restore v1.8.9 (nf_tables): Chain 'NOPE_TARGET' does not exist", 'chain NOPE_TARGET', 4],
  ["iptables-restore v1.8.7 (legacy): unable to initialize table 'raw'\n\nError occurred at line: 1\n", "iptables-restore v1.8.7 (legacy): unable to initialize table 'raw'", 'table raw', 1],
  ["iptables-nft-restore v1.8.9 (nf_tables): iptables-nft-restore: line 1 table name 'bogus' invalid\nError occurred at line: 1\n", "iptables-nft-restore v1.8.9 (nf_tables): iptables-nft-restore: line 1 table name 'bogus' invalid", 'table bogus', 1],
  ['something unexpected\n', 'something unexpected', undefined, undefined],
];
for (const [stderr, errorLine, extension, line] of errors) {
  test(`parseRestoreError: ${errorLine.slice(0, 70)}`, (t) => {
    const parsed = parseRestoreError(stderr);
    t.is(parsed.errorLine, errorLine);
    t.is(parsed.extension, extension);
    t.is(parsed.line, line);
  });
}

test('no privilege for a namespace → skipped with reason, nothing else runs', async (t) => {
  const exec = scriptedExec((line) => (line.startsWith('ip netns add') ? { exitCode: 1, stderr: 'mount --make-shared /run/netns failed: Operation not permitted\n' } : undefined));
  const result = await dryRunRules(exec, { backend: 'nft', family: 'ipv4', rules: RULES, tables: ['nat', 'raw'] });
  t.false(result.ran);
  t.false(result.ok);
  t.regex(result.skipped ?? '', /no privilege.*Operation not permitted/);
  t.is(exec.calls.length, 1);
});

test('every command runs inside the namespace with -w, --test before apply, namespace deleted', async (t) => {
  const exec = scriptedExec(() => ({}));
  const result = await dryRunRules(exec, { backend: 'legacy', family: 'ipv4', rules: RULES, tables: ['raw', 'nat'] });
  t.true(result.ok);
  t.true(result.ran);
  const lines = exec.calls.map((c) => [c.file, ...c.args].join(' '));
  const ns = result.namespace!;
  t.regex(ns, /^mp-dry-[0-9a-f]{8}$/);
  t.deepEqual(lines, [
    `ip netns add ${ns}`,
    `ip netns exec ${ns} iptables-legacy-restore -w 5 --test`,
    `ip netns exec ${ns} iptables-legacy-restore -w 5`,
    `ip netns exec ${ns} iptables-legacy-restore -w 5 --test`,
    `ip netns exec ${ns} iptables-legacy-restore -w 5`,
    `ip netns del ${ns}`,
  ]);
  // tables given first decide the order: raw, then nat
  t.true(exec.calls[1]!.options!.input!.startsWith('*raw'));
  t.true(exec.calls[3]!.options!.input!.startsWith('*nat'));
  t.deepEqual(result.tables.map((x) => [x.table, x.ok]), [['raw', true], ['nat', true]]);
});

test('a failing --test names table, extension, line and the rule; other tables still run', async (t) => {
  const exec = scriptedExec((line, call) => {
    if (line.includes('--test') && call.options?.input?.startsWith('*nat')) {
      return { exitCode: 2, stderr: "iptables-restore v1.8.7 (legacy): Couldn't load match `owner':No such file or directory\n\nError occurred at line: 5\nTry `iptables-restore -h' or 'iptables-restore --help' for more information.\n" };
    }
    return {};
  });
  const result = await dryRunRules(exec, { backend: 'legacy', family: 'ipv4', rules: RULES, tables: ['nat', 'raw'] });
  t.false(result.ok);
  t.true(result.ran);
  const nat = result.tables.find((x) => x.table === 'nat')!;
  t.like(nat, { ok: false, stage: 'test', extension: 'match owner', line: 6, ruleLine: '-A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN' });
  t.is(nat.errorLine, "iptables-restore v1.8.7 (legacy): Couldn't load match `owner':No such file or directory");
  t.true(result.tables.find((x) => x.table === 'raw')!.ok);
  t.true(exec.calls.at(-1)!.args.includes('del'));
});

test('a failing real restore (after --test passed) is reported as stage apply', async (t) => {
  const exec = scriptedExec((line) => (line.includes('restore') && !line.includes('--test') ? { exitCode: 2, stderr: "iptables-nft-restore v1.8.9 (nf_tables): Chain 'NOPE' does not exist\nError occurred at line: 4\n" } : {}));
  const result = await dryRunRules(exec, { backend: 'nft', family: 'ipv4', rules: RULES, tables: ['nat'] });
  t.like(result.tables[0], { table: 'nat', ok: false, stage: 'apply', extension: 'chain NOPE', line: 5 });
});

test('restore binary missing → skipped, namespace still deleted', async (t) => {
  const exec = scriptedExec((line) => (line.includes('restore') ? { exitCode: 1, stderr: 'exec of "ip6tables-legacy-restore" failed: No such file or directory\n' } : {}));
  const result = await dryRunRules(exec, { backend: 'legacy', family: 'ipv6', rules: RULES, tables: [] });
  t.false(result.ran);
  t.regex(result.skipped ?? '', /ip6tables-legacy-restore not found/);
  t.true(exec.calls.at(-1)!.args.includes('del'));
});

test('namespace deleted even when exec throws mid-way', async (t) => {
  const calls: string[] = [];
  const exec = scriptedExec((line) => {
    calls.push(line);
    if (line.includes('--test')) throw new Error('boom');
    return {};
  });
  await t.throwsAsync(dryRunRules(exec, { backend: 'nft', family: 'ipv4', rules: RULES, tables: [] }), { message: 'boom' });
  t.true(calls.at(-1)!.startsWith('ip netns del mp-dry-'));
});

test('an empty rule set is skipped without creating a namespace', async (t) => {
  const exec = scriptedExec(() => ({}));
  const result = await dryRunRules(exec, { backend: 'nft', family: 'ipv4', rules: '# nothing\n', tables: [] });
  t.false(result.ran);
  t.is(exec.calls.length, 0);
});

test('modules that appear in /proc/modules during the probe are reported', async (t) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'mp-dry-host-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(path.join(root, 'proc'));
  const modules = path.join(root, 'proc/modules');
  writeFileSync(modules, 'nf_tables 344064 0 - Live 0x0000000000000000\n');
  const exec = scriptedExec((line) => {
    // the kernel autoloads xt_owner when the restore asks for the match
    if (line.includes('--test')) writeFileSync(modules, 'xt_owner 16384 1 - Live 0x0000000000000000\nnf_tables 344064 0 - Live 0x0000000000000000\n');
    return {};
  });
  const result = await dryRunRules(exec, { backend: 'nft', family: 'ipv4', rules: RULES, tables: [], host: new HostRoot(root) });
  t.true(result.modulesCompared);
  t.deepEqual(result.modulesLoadedByProbe, ['xt_owner']);
  t.true(result.evidence.some((e) => e.includes('loaded during the probe: xt_owner')));
});

test('without /proc/modules the comparison is reported as not made', async (t) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'mp-dry-host-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const result = await dryRunRules(scriptedExec(() => ({})), { backend: 'nft', family: 'ipv4', rules: RULES, tables: [], host: new HostRoot(root) });
  t.false(result.modulesCompared);
  t.deepEqual(result.modulesLoadedByProbe, []);
});
