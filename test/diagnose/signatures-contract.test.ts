import test from 'ava';
import { signatures } from '../../checks/signatures/index.ts';
import { diagnosisCategories } from '../../src/diagnose/types.ts';
import { loadLogFixtures } from './fixtures.ts';
import { classifyLog } from '../../src/diagnose/classify.ts';
import { sourceWordings } from './source-wordings.ts';

const lines = loadLogFixtures().flatMap((f) =>
  f.text.split('\n').flatMap((l) => (l.includes('msg=') || l.includes('"msg":') ? l.split('\\n') : [l])),
);

test('ids are unique kebab-case', (t) => {
  const ids = signatures.map((s) => s.id);
  t.is(new Set(ids).size, ids.length);
  for (const id of ids) t.regex(id, /^[a-z][a-z0-9-]*$/);
});

for (const sig of signatures) {
  test(`signature ${sig.id} obeys the contract`, (t) => {
    t.true((diagnosisCategories as readonly string[]).includes(sig.category));
    t.true(sig.patterns.length > 0);
    for (const p of sig.patterns) {
      t.true(p instanceof RegExp);
      t.false(p.global || p.sticky, 'stateful flags make exec() order-dependent');
      t.notThrows(() => new RegExp(p.source, p.flags));
    }
    t.regex(sig.source, /https:\/\/|[\w-]+\/[\w.-]+ [\w/.-]+\.(?:go|rs|c|h|sh)\b/, 'source must cite a URL or repo path');
    t.true(sig.explanation.length > 20);
    t.true(sig.remediation.length > 0);
    if (sig.category === 'config-error') t.false(sig.nodeProblem, 'config errors are not the node');
    const matched =
      lines.some((l) => sig.patterns.some((p) => p.test(l))) ||
      // a wording may carry the command it follows, on the line before it
      sourceWordings.some((w) => w.signatureId === sig.id && w.line.split('\n').some((l) => sig.patterns.some((p) => p.test(l))));
    t.true(matched, `no test log (or wording from a cited source) matches ${sig.id}`);
  });
}

for (const w of sourceWordings) {
  test(`source wording of ${w.signatureId} (${w.source}) is classified by it`, (t) => {
    t.regex(w.source, /^[\w-]+\/[\w.-]+ [\w/.-]+$/, 'repo + path');
    t.is(classifyLog(w.line).signatureId, w.signatureId, w.line);
  });
}
