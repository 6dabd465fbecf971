import test from 'ava';
import { readFileSync } from 'node:fs';
import { parseIptablesSave, tableNames } from '../../src/host/parse/iptables-save.ts';

// Real iptables 1.8.9 output; see test/iptables/SOURCE.md.
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

test('nft save with kubelet canaries: tables, chains, rules, canaries', (t) => {
  const save = parseIptablesSave(fixture('nft-kubelet.save'));
  t.deepEqual(tableNames(save), ['mangle', 'filter', 'nat']);
  t.is(save.rules, 3);
  t.deepEqual(save.tables.map((x) => x.rules), [0, 1, 2]);
  t.true(save.tables.every((x) => x.committed));
  t.deepEqual(save.canaries, [
    { table: 'mangle', chain: 'KUBE-IPTABLES-HINT' },
    { table: 'mangle', chain: 'KUBE-KUBELET-CANARY' },
    { table: 'filter', chain: 'KUBE-KUBELET-CANARY' },
    { table: 'nat', chain: 'KUBE-KUBELET-CANARY' },
  ]);
  t.is(save.generatedBy, 'v1.8.9 (nf_tables)');
  t.false(save.legacyTablesPresent);
  t.deepEqual(save.unparsed, []);
  const nat = save.tables.find((x) => x.name === 'nat')!;
  t.deepEqual(nat.chains.find((c) => c.name === 'KUBE-SERVICES'), { name: 'KUBE-SERVICES', policy: '-', packets: 0, bytes: 0 });
  t.deepEqual(nat.chains.find((c) => c.name === 'OUTPUT'), { name: 'OUTPUT', policy: 'ACCEPT', packets: 0, bytes: 0 });
});

test('the legacy-tables warning from iptables-nft stderr is recognised', (t) => {
  const save = parseIptablesSave(fixture('nft-kubelet.stderr'));
  t.true(save.legacyTablesPresent);
  t.is(save.rules, 0);
  t.deepEqual(save.tables, []);
});

test('legacy save: one raw rule, no canary, version without backend', (t) => {
  const save = parseIptablesSave(fixture('legacy-raw.save'));
  t.deepEqual(tableNames(save), ['raw']);
  t.is(save.rules, 1);
  t.deepEqual(save.canaries, []);
  t.is(save.generatedBy, 'v1.8.9');
});

test('counter form `[p:b] -A` counts as rules', (t) => {
  const save = parseIptablesSave(fixture('nft-counters.save'));
  t.is(save.rules, 3);
  t.deepEqual(save.unparsed, []);
});

test('empty output (a fresh namespace) has nothing', (t) => {
  t.deepEqual(parseIptablesSave(''), { tables: [], rules: 0, canaries: [], legacyTablesPresent: false, unparsed: [] });
});

test('canary lines only count as chain declarations, not as rule text', (t) => {
  const save = parseIptablesSave('*filter\n:INPUT ACCEPT [5:300]\n-A INPUT -m comment --comment ":KUBE-IPTABLES-HINT" -j ACCEPT\nCOMMIT\n');
  t.deepEqual(save.canaries, []);
  t.is(save.rules, 1);
  t.is(save.tables[0]!.chains[0]!.packets, 5);
  t.is(save.tables[0]!.chains[0]!.bytes, 300);
});

test('truncated output: an uncommitted table is kept, garbage is reported as unparsed', (t) => {
  const save = parseIptablesSave('*nat\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -j RETURN\nsomething odd\n');
  t.is(save.tables.length, 1);
  t.false(save.tables[0]!.committed);
  t.is(save.rules, 1);
  t.deepEqual(save.unparsed, ['something odd']);
});

test('-A outside a table is not counted', (t) => {
  const save = parseIptablesSave('-A OUTPUT -j RETURN\n');
  t.is(save.rules, 0);
  t.deepEqual(save.unparsed, ['-A OUTPUT -j RETURN']);
});
