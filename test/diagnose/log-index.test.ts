/** The log fixtures' layout and test/fixtures/logs/INDEX.tsv (written by scripts/gen-log-index.ts). */
import test from 'ava';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { INDEX_FILE, LOG_GROUPS, LOGS_DIR, parseIndex, readLogSources, renderIndex } from '../fixtures/logs/catalog.ts';

const sources = readLogSources();

test('INDEX.tsv is up to date with the .source files (else run: node --import=tsx scripts/gen-log-index.ts)', (t) => {
  t.is(readFileSync(INDEX_FILE, 'utf8'), renderIndex(sources));
});

test('the index reads back: one row per log, with its group, batch, label and source', (t) => {
  const rows = parseIndex(readFileSync(INDEX_FILE, 'utf8'));
  t.is(rows.length, sources.length);
  t.deepEqual(
    rows.find((r) => r.file === 'meshes/istio-28897-restore-nat.log'),
    { file: 'meshes/istio-28897-restore-nat.log', group: 'meshes', batch: 'main', category: 'missing-iptables-table', nodeProblem: true, modules: ['iptable_nat', 'ip_tables'], url: 'https://github.com/istio/istio/issues/28897' },
  );
  t.throws(() => parseIndex('file\tgroup\n'), { message: /header/ });
});

test('every log sits in a component group with its .source, and every batch has its notes in batches/', (t) => {
  const dirs = readdirSync(LOGS_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  t.deepEqual(dirs, [...LOG_GROUPS, 'batches'].sort());
  for (const group of LOG_GROUPS) {
    for (const file of readdirSync(path.join(LOGS_DIR, group))) {
      t.regex(file, /\.(log|source)$/, `${group}/${file}`);
      const twin = file.endsWith('.log') ? file.replace(/\.log$/, '.source') : file.replace(/\.source$/, '.log');
      t.true(existsSync(path.join(LOGS_DIR, group, twin)), `${group}/${file} has no ${twin}`);
    }
  }
  const batches = new Set(sources.map((s) => s.batch));
  for (const batch of batches) {
    // Batches added later (e.g. modes-2026-12) may say how they were collected in their own file; the
    // scored ones must.
    if (/^(main|holdout|blind\d*)$/.test(batch)) t.true(existsSync(path.join(LOGS_DIR, 'batches', `${batch}.md`)), `batches/${batch}.md`);
  }
  t.true(sources.length >= 528);
});
