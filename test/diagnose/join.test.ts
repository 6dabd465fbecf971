import test from 'ava';
import { joinWithReport } from '../../src/diagnose/join.ts';
import type { ModuleReport } from '../../src/core/report.ts';

const mod = (name: string, state: ModuleReport['state'], source = '/proc/modules', providedBy?: string): ModuleReport => ({
  name,
  state,
  source,
  requiredFor: [],
  ...(providedBy ? { providedBy } : {}),
});

test('loadable, missing, builtin and unchecked modules each get their line', (t) => {
  const join = joinWithReport(
    { category: 'missing-iptables-table', modules: ['iptable_raw', 'xt_owner', 'ip_tables', 'xt_foo'] },
    { modules: [mod('iptable_raw', 'loadable', 'modules.dep'), mod('xt_owner', 'missing', 'modules.dep'), mod('ip_tables', 'builtin', 'modules.builtin')] },
  );
  t.is(join.lines[0], 'iptable_raw is loadable but not loaded here (modules.dep): run `mesh-preflight fix`');
  t.regex(join.lines[1] ?? '', /^xt_owner is missing from this kernel/);
  t.regex(join.lines[2] ?? '', /^ip_tables is built in here .*the failure came from elsewhere/);
  t.regex(join.lines[3] ?? '', /xt_foo is not among the modules/);
  t.is(join.explainedHere, true);
  t.deepEqual(join.modules.map((m) => m.state), ['loadable', 'missing', 'builtin', 'not-checked']);
});

test('all present here: the node does not explain the failure', (t) => {
  const join = joinWithReport({ category: 'missing-xtables-extension', modules: ['xt_owner'] }, { modules: [mod('xt_owner', 'loaded')] });
  t.is(join.explainedHere, false);
  t.regex(join.lines[0] ?? '', /loaded here.*elsewhere/);
});

test('a module provided by a renamed one is found through providedBy', (t) => {
  const join = joinWithReport({ category: 'missing-xtables-extension', modules: ['xt_mark'] }, { modules: [mod('xt_MARK', 'builtin', 'config: CONFIG_NETFILTER_XT_MARK=y', 'xt_mark')] });
  t.is(join.modules[0]?.state, 'builtin');
});

test('backend mismatch between the log and the node is called out', (t) => {
  const join = joinWithReport(
    { category: 'iptables-backend-mismatch', modules: [], backend: 'nft' },
    { modules: [], iptables: { backend: 'legacy', meshBackend: 'legacy', meshBackendSource: 'auto', modes: [] } },
  );
  t.regex(join.lines.join('\n'), /used nft; this node's rules are in legacy/);
  t.is(join.explainedHere, undefined);
});
