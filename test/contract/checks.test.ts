/** Every listed check obeys the contract, and the runner isolates checks from each other. */
import test from 'ava';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { allChecks } from '../../checks/index.ts';
import type { AnyCheck, CheckContext } from '../../src/core/check.ts';
import { checkOptions } from '../../src/core/options.ts';
import { CheckResultSchema } from '../../src/core/report.ts';
import { runChecks } from '../../src/core/runner.ts';
import { HostRoot } from '../../src/host/root.ts';
import { fakeFacts } from '../helpers/fake-facts.ts';

const checksDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../checks');

test('ids are unique, kebab-case, and name the check file', (t) => {
  const ids = allChecks.map((c) => c.id);
  t.is(new Set(ids).size, ids.length);
  for (const check of allChecks) {
    t.regex(check.id, /^[a-z][a-z0-9-]*$/);
    t.true(existsSync(path.join(checksDir, `${check.id}.ts`)), `checks/${check.id}.ts`);
    t.true(check.title.length > 0);
  }
});

test('only rules-dry-run needs --probe and nft-binary --native-nftables; the rest run by default', (t) => {
  const skipped = allChecks.filter((c) => c.skipReason?.(checkOptions()) !== undefined).map((c) => c.id);
  t.deepEqual(skipped, ['nft-binary', 'rules-dry-run']);
  t.deepEqual(allChecks.filter((c) => c.skipReason?.(checkOptions({ probe: true, nativeNftables: true })) !== undefined), []);
});

function context(): CheckContext {
  return {
    options: checkOptions({ hostRoot: '/nonexistent-host-root' }),
    host: new HostRoot('/nonexistent-host-root'),
    exec: async () => {
      throw new Error('exec is not available here');
    },
    facts: fakeFacts({}),
    now: () => new Date('2026-01-01T00:00:00Z'),
  };
}

test('with no facts at all every check still returns a valid result (skip or a reasoned status), never a crash', async (t) => {
  const runs = await runChecks(allChecks, context(), 5000);
  t.deepEqual(runs.map((r) => r.result.id), allChecks.map((c) => c.id));
  for (const { result } of runs) {
    CheckResultSchema.parse(result);
    t.true(result.summary.length > 0, result.id);
    if (result.status === 'fail' || result.status === 'warn') t.true(result.evidence.length > 0, `${result.id} gives evidence`);
  }
});

test('the runner turns a throw or a timeout into skip with the reason, and keeps the other results', async (t) => {
  const ok: AnyCheck = { id: 'ok', title: 'ok', collect: async () => 1, evaluate: () => ({ status: 'pass', summary: 'fine', evidence: [], remediation: [] }) };
  const throws: AnyCheck = { id: 'throws', title: 'throws', collect: async () => { throw new Error('iptables-save: permission denied\nstack…'); }, evaluate: () => ({ status: 'pass', summary: '', evidence: [], remediation: [] }) };
  const hangs: AnyCheck = { id: 'hangs', title: 'hangs', collect: () => new Promise(() => undefined), evaluate: () => ({ status: 'pass', summary: '', evidence: [], remediation: [] }) };
  const runs = await runChecks([ok, throws, hangs], context(), 200);
  t.deepEqual(runs.map((r) => [r.result.id, r.result.status]), [['ok', 'pass'], ['throws', 'skip'], ['hangs', 'skip']]);
  t.is(runs[1]!.result.summary, 'could not run: iptables-save: permission denied');
  t.regex(runs[2]!.result.summary, /took longer than 200 ms/);
});
