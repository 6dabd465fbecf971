import test from 'ava';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { has, missing, missingMessage } from './requirements.ts';
import { parseSkipRecords, skipSummary, type SkipRecord } from './skip-summary.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const iptables = { name: 'iptables', install: 'iptables (iptables-legacy and iptables-nft)', debianPackage: 'iptables' };
const netns = { name: 'netns', install: 'iproute2 (ip netns), as root', debianPackage: 'iproute2' };
const root = { name: 'root', install: 'run as root' };
const kubectl = { name: 'kubectl', install: 'kubectl (with its built-in kustomize)' };

test('the summary names every missing tool once, its Debian packages, and root when a test needs it', (t) => {
  const records: SkipRecord[] = [
    { file: 'test/a.test.ts', title: 'one', missing: [root, netns, iptables] },
    { file: 'test/a.test.ts', title: 'two', missing: [root, netns, iptables] },
    { file: 'test/b.test.ts', title: 'three', missing: [kubectl] },
  ];
  t.is(
    skipSummary(records),
    'skipped 3 tests: install iproute2 (ip netns); iptables (iptables-legacy and iptables-nft); kubectl (with its built-in kustomize) ' +
      '(Debian/Ubuntu: apt-get install iproute2 iptables) and run as root to run them (with CI=true they fail instead of skipping)',
  );
  t.is(skipSummary([{ file: 'x', title: 'y', missing: [root] }]), 'skipped 1 test: run as root to run it (with CI=true they fail instead of skipping)');
  t.is(skipSummary([]), undefined);
});

test('skip records: one JSON object a line; a torn line is ignored', (t) => {
  const line = JSON.stringify({ file: 'f', title: 't', missing: [kubectl] });
  t.deepEqual(parseSkipRecords(`${line}\n{"file":"f","tit\n\n${line}\n`).length, 2);
});

test('availability is decided once and reported by name', (t) => {
  t.is(has('root'), process.getuid?.() === 0);
  t.deepEqual(missing(['root', 'root']).length, has('root') ? 0 : 2);
  t.regex(missingMessage(['kmod', 'chromium']), /^missing on this machine: kmod \(kmod \(modprobe, depmod\)\), chromium$/);
});

/** Runs the guard's fixture test file through `npm test`'s runner with chromium made absent. */
function runFixture(env: Record<string, string>) {
  return execa(process.execPath, ['--import=tsx', 'scripts/run-tests.ts', '--config', 'test/fixtures/requirements/ava.config.mjs'], {
    cwd: repo,
    env: { CHROMIUM_PATH: '/nonexistent/chromium', CI: '', ...env },
    reject: false,
    timeout: 90_000,
    all: true,
  });
}

test('outside CI a missing tool skips the test, and the runner prints one line naming what to install; exit 0', async (t) => {
  const result = await runFixture({});
  t.is(result.exitCode, 0, result.all);
  t.regex(result.all, /\[skip\] a test that needs chromium \(needs chromium\)/);
  t.regex(result.all, /1 test passed/);
  const summary = result.all.split('\n').filter((l) => l.startsWith('skipped '));
  t.deepEqual(summary, ['skipped 1 test: install chromium (Debian/Ubuntu: apt-get install chromium) to run it (with CI=true they fail instead of skipping)']);
});

test('with CI=true a missing tool fails the test naming the tool; the runner exits with ava\'s status', async (t) => {
  const result = await runFixture({ CI: 'true' });
  t.is(result.exitCode, 1, result.all);
  t.regex(result.all, /CI is set, so this test may not skip: missing on this machine: chromium/);
  t.notRegex(result.all, /^skipped /m);
});
