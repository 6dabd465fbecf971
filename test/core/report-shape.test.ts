/**
 * checkNode returns its report without parsing it through ReportSchema (that parse was a fifth of a
 * one-shot check). This holds it to the contract instead: for every fixture host and every mesh mode, the
 * report parses, and parsing changes nothing — no key zod would strip, no default it would fill.
 */
import test from 'ava';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkNode } from '../../src/core/check-node.ts';
import { checkOptions } from '../../src/core/options.ts';
import { ReportSchema, type Report } from '../../src/core/report.ts';
import { fixtureExec } from '../helpers/fixture-exec.ts';
import { hostFixturePath, listHostFixtures } from '../fixtures/hosts/index.ts';

const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

function assertUnchangedByParse(t: import('ava').ExecutionContext, report: Report, label: string): void {
  const parsed = ReportSchema.safeParse(report);
  if (!parsed.success) {
    t.fail(`${label}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return;
  }
  // Same value, key for key (JSON: what every consumer reads), and no key parse would drop or add.
  t.deepEqual(plain(parsed.data), plain(report), label);
}

const OPTION_SETS = [
  {},
  { ipv6: true, dnsCapture: true },
  { backend: 'legacy' as const },
  { dataplane: 'ambient' as const },
  { nativeNftables: true, cni: true },
  { mesh: 'linkerd' as const },
  { mesh: 'kuma' as const },
  { mesh: 'consul' as const, ipv6: true },
];

for (const name of listHostFixtures()) {
  test(`${name}: every report is its own ReportSchema parse`, async (t) => {
    const root = hostFixturePath(name);
    for (const set of OPTION_SETS) {
      const report = await checkNode(checkOptions({ hostRoot: root, nodeName: name, ...set }), { exec: fixtureExec(root), now: () => new Date(0) });
      assertUnchangedByParse(t, report, `${name} ${JSON.stringify(set)}`);
    }
  });
}

test('a report with init-container findings from the log scan and the agent\'s watch is its own parse too', async (t) => {
  const root = await mkdtemp(path.join(tmpdir(), 'mp-shape-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  await cp(hostFixturePath('ubuntu-22.04'), root, { recursive: true, verbatimSymlinks: true });
  const logs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/var-log-pods');
  await cp(path.join(logs, 'var'), path.join(root, 'var'), { recursive: true, verbatimSymlinks: true });
  const watched = {
    namespace: 'shop',
    pod: 'cart-1',
    container: 'istio-init',
    source: 'watch' as const,
    category: 'missing-module',
    nodeProblem: true,
    modules: ['iptable_raw'],
    matchedLine: "iptables-restore: unable to initialize table 'raw'",
    explanation: 'x',
    remediation: ['modprobe iptable_raw'],
  };
  const report = await checkNode(checkOptions({ hostRoot: root, nodeName: 'logs' }), {
    exec: fixtureExec(root),
    observed: { initContainers: () => [watched] },
  });
  t.true(report.initContainers.length > 1, `${report.initContainers.length} findings`);
  assertUnchangedByParse(t, report, 'with init containers');
});
