/**
 * dryRunRules with the real iptables-{legacy,nft}-restore in throwaway namespaces: a realistic Istio
 * REDIRECT rule set (iptables-restore form of istio/istio tools/istio-iptables/pkg/capture/testdata
 * golden files, e.g. ip-range.golden: ISTIO_INBOUND/REDIRECT/IN_REDIRECT/OUTPUT, owner 1337, DNS capture
 * with raw-table CT zones) applies on both backends; a rule set jumping to a target that does not exist
 * fails with iptables' own error line. The host's tables must be unchanged afterwards.
 */
import { realExec } from '../../src/host/exec.ts';
import { HostRoot } from '../../src/host/root.ts';
import { dryRunRules } from '../../src/iptables/dry-run.ts';
import { listNetns } from '../helpers/netns.ts';
import { needs } from '../helpers/requirements.ts';

const it = needs('root', 'netns', 'iptables');

function istioRules(family: 'ipv4' | 'ipv6'): string {
  const lo = family === 'ipv4' ? '127.0.0.1/32' : '::1/128';
  const inboundSrc = family === 'ipv4' ? '127.0.0.6/32' : '::6/128';
  return [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ':ISTIO_INBOUND - [0:0]',
    ':ISTIO_IN_REDIRECT - [0:0]',
    ':ISTIO_OUTPUT - [0:0]',
    ':ISTIO_REDIRECT - [0:0]',
    '-A PREROUTING -p tcp -j ISTIO_INBOUND',
    '-A OUTPUT -p tcp -j ISTIO_OUTPUT',
    '-A OUTPUT -p udp --dport 53 -j ISTIO_OUTPUT',
    '-A ISTIO_INBOUND -p tcp --dport 15008 -j RETURN',
    '-A ISTIO_INBOUND -p tcp --dport 15090 -j RETURN',
    '-A ISTIO_INBOUND -p tcp --dport 15021 -j RETURN',
    '-A ISTIO_INBOUND -p tcp --dport 15020 -j RETURN',
    '-A ISTIO_INBOUND -p tcp -j ISTIO_IN_REDIRECT',
    '-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006',
    `-A ISTIO_OUTPUT -s ${inboundSrc} -o lo -j RETURN`,
    `-A ISTIO_OUTPUT ! -d ${lo} -o lo -p tcp -m multiport ! --dports 53,15008 -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT`,
    '-A ISTIO_OUTPUT -o lo -p tcp ! --dport 53 -m owner ! --uid-owner 1337 -j RETURN',
    '-A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN',
    `-A ISTIO_OUTPUT ! -d ${lo} -o lo -p tcp -m multiport ! --dports 53,15008 -m owner --gid-owner 1337 -j ISTIO_IN_REDIRECT`,
    '-A ISTIO_OUTPUT -o lo -p tcp ! --dport 53 -m owner ! --gid-owner 1337 -j RETURN',
    '-A ISTIO_OUTPUT -m owner --gid-owner 1337 -j RETURN',
    '-A ISTIO_OUTPUT -p tcp --dport 53 -j REDIRECT --to-ports 15053',
    `-A ISTIO_OUTPUT -d ${lo} -j RETURN`,
    '-A ISTIO_OUTPUT -p udp --dport 53 -j REDIRECT --to-ports 15053',
    '-A ISTIO_OUTPUT -j ISTIO_REDIRECT',
    '-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001',
    'COMMIT',
    '*raw',
    ':PREROUTING ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':ISTIO_OUTPUT - [0:0]',
    '-A OUTPUT -p udp -j ISTIO_OUTPUT',
    '-A ISTIO_OUTPUT -p udp --dport 53 -m owner --uid-owner 1337 -j CT --zone 1',
    '-A ISTIO_OUTPUT -p udp --sport 15053 -m owner --uid-owner 1337 -j CT --zone 2',
    '-A PREROUTING -p udp --sport 53 -j CT --zone 1',
    'COMMIT',
    '',
  ].join('\n');
}

const BROKEN = ['*nat', ':OUTPUT ACCEPT [0:0]', ':ISTIO_OUTPUT - [0:0]', '-A OUTPUT -p tcp -j ISTIO_OUTPUT', '-A ISTIO_OUTPUT -p tcp -j MP_NO_SUCH_TARGET', 'COMMIT', ''].join('\n');

/** The host's own rules as text without the timestamped comments; read-only. */
async function hostRules(): Promise<string> {
  const outputs = await Promise.all(['iptables-legacy-save', 'iptables-nft-save'].map((b) => realExec(b, [])));
  return outputs.map((o) => o.stdout.split('\n').filter((l) => !l.startsWith('#')).join('\n')).join('\n----\n');
}

for (const backend of ['legacy', 'nft'] as const) {
  for (const family of ['ipv4', 'ipv6'] as const) {
    it(`the Istio REDIRECT rule set applies with ${backend} ${family}, host tables untouched`, async (t) => {
      const before = await hostRules();
      const result = await dryRunRules(realExec, { backend, family, rules: istioRules(family), tables: ['nat', 'raw'], host: new HostRoot('/') });
      t.true(result.ran, result.skipped);
      t.true(result.ok, JSON.stringify(result.tables, null, 2));
      t.deepEqual(result.tables.map((x) => [x.table, x.ok]), [['nat', true], ['raw', true]]);
      t.is(result.cleanupError, undefined);
      t.false((await listNetns()).includes(result.namespace!));
      t.is(await hostRules(), before);
    });
  }
}

it('a nonexistent target fails with iptables-legacy-restore --test and its error line', async (t) => {
  const result = await dryRunRules(realExec, { backend: 'legacy', family: 'ipv4', rules: BROKEN, tables: ['nat'] });
  t.true(result.ran);
  t.false(result.ok);
  const nat = result.tables[0]!;
  t.is(nat.stage, 'test');
  t.is(nat.extension, 'target MP_NO_SUCH_TARGET');
  t.regex(nat.errorLine ?? '', /^iptables-restore v[\d.]+ \(legacy\): Couldn't load target `MP_NO_SUCH_TARGET'/);
  t.is(nat.line, 5);
  t.is(nat.ruleLine, '-A ISTIO_OUTPUT -p tcp -j MP_NO_SUCH_TARGET');
  t.false((await listNetns()).includes(result.namespace!));
});

it('a nonexistent target passes nft --test but fails the real restore, with its error line', async (t) => {
  const result = await dryRunRules(realExec, { backend: 'nft', family: 'ipv4', rules: BROKEN, tables: ['nat'] });
  t.true(result.ran);
  t.false(result.ok);
  const nat = result.tables[0]!;
  t.is(nat.stage, 'apply');
  t.is(nat.extension, 'chain MP_NO_SUCH_TARGET');
  t.regex(nat.errorLine ?? '', /^iptables-nft-restore v[\d.]+ \(nf_tables\): Chain 'MP_NO_SUCH_TARGET' does not exist/);
  t.false((await listNetns()).includes(result.namespace!));
});

it('an unknown table is reported per table while the others apply', async (t) => {
  const rules = istioRules('ipv4') + '*bogus\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n';
  const result = await dryRunRules(realExec, { backend: 'legacy', family: 'ipv4', rules, tables: ['nat', 'raw'] });
  t.false(result.ok);
  t.deepEqual(result.tables.map((x) => [x.table, x.ok]), [['nat', true], ['raw', true], ['bogus', false]]);
  t.is(result.tables[2]!.extension, 'table bogus');
  t.regex(result.tables[2]!.errorLine ?? '', /unable to initialize table 'bogus'/);
});
