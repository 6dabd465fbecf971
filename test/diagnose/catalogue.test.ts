import test from 'ava';
import { classifyLog } from '../../src/diagnose/classify.ts';
import { diagnosisCategories } from '../../src/diagnose/types.ts';
import { loadLogFixtures, type LogFixture } from './fixtures.ts';

const fixtures = loadLogFixtures();
const trained = fixtures.filter((f) => f.mainCorpus);
const holdout = fixtures.filter((f) => f.holdout);

function right(f: LogFixture): boolean {
  const r = classifyLog(f.text, f.context ?? {});
  return r.category === f.category && r.nodeProblem === f.nodeProblem && f.modules.every((m) => r.modules.includes(m));
}

test('at least 25 real logs, each citing its source', (t) => {
  t.true(fixtures.length >= 25, `${fixtures.length} fixtures`);
  for (const f of fixtures) {
    // A GitHub issue, PR or commit, a gist, or another public page (pastebin, a blog, a forum thread; two
    // blogs of the later batches are served over plain http only).
    t.regex(f.url, /^(?:https:\/\/(?:github\.com\/[\w.-]+\/[\w.-]+\/(issues|pull|commit)\/\w+|gist\.github\.com\/[\w.-]+\/[0-9a-f]{20,})|https?:\/\/[\w.-]+\.[a-z]{2,}\/\S+)/, f.name);
  }
});

test('the fixtures cover every category', (t) => {
  const covered = new Set(fixtures.map((f) => f.category));
  for (const c of diagnosisCategories) t.true(covered.has(c), `no fixture for ${c}`);
});

for (const f of trained) {
  test(`real log ${f.name}: ${f.category}`, (t) => {
    const r = classifyLog(f.text, f.context ?? {});
    t.is(r.category, f.category, r.matchedLine);
    t.is(r.nodeProblem, f.nodeProblem);
    for (const m of f.modules) t.true(r.modules.includes(m), `expected ${m} in [${r.modules.join(' ')}]`);
    if (f.category !== 'unknown') {
      t.truthy(r.signatureId);
      t.true(r.matchedLine.length > 0);
      t.true(r.remediation.length > 0);
      t.notRegex(r.explanation + r.remediation.join(' '), /\{[a-zA-Z]+\}/, 'unfilled placeholder');
    }
  });
}

test('negatives are not blamed on the node (config errors, rerun, control plane)', (t) => {
  const negatives = fixtures.filter((f) => f.category === 'config-error');
  t.true(negatives.length >= 8);
  for (const f of negatives) t.false(classifyLog(f.text).nodeProblem, f.name);
});

test('held-out logs: hit rate on category and modules', (t) => {
  t.true(holdout.length >= 10);
  const hits = holdout.filter(right);
  const misses = holdout.filter((f) => !right(f)).map((f) => f.name);
  t.log(`held-out hit rate ${hits.length}/${holdout.length}; misses: ${misses.join(', ') || 'none'} (first-run rates in test/fixtures/logs/batches/holdout.md)`);
  t.true(hits.length / holdout.length >= 0.9, `hit rate ${hits.length}/${holdout.length}`);
});
