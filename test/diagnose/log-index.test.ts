/** The log fixtures' layout and test/fixtures/logs/INDEX.tsv (written by scripts/gen-log-index.ts). */
import test from 'ava';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { INDEX_FILE, LOG_GROUPS, LOGS_DIR, parseIndex, readLogSources, renderIndex } from '../fixtures/logs/catalog.ts';
import { renderScores, scoreRow, type Scored } from '../../scripts/score-logs.ts';

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

test('each batch\'s first-run results add up to the blind score its notes recorded', (t) => {
  for (const batch of new Set(sources.map((s) => s.batch))) {
    const notes = path.join(LOGS_DIR, 'batches', `${batch}.md`);
    const inBatch = sources.filter((s) => s.batch === batch);
    if (batch === 'main') {
      t.true(inBatch.every((s) => s.firstRun === undefined), 'the main corpus was never scored blind');
      continue;
    }
    if (!existsSync(notes)) {
      t.true(inBatch.every((s) => s.firstRun === undefined), `${batch}: firstRun without batches/${batch}.md`);
      continue;
    }
    const text = readFileSync(notes, 'utf8');
    // blind.md says "Total: 9/15"; the others "Blind score: N/M"; holdout.md has one row per round.
    const stated = /\*\*(?:Blind score|Total): (\d+)\/(\d+)/.exec(text);
    const rounds = [...text.matchAll(/^\| \d+ \([^)]*\) \| \d+ \| (\d+)\/(\d+) \|/gm)];
    const right = stated ? Number(stated[1]) : rounds.reduce((n, m) => n + Number(m[1]), 0);
    const of = stated ? Number(stated[2]) : rounds.reduce((n, m) => n + Number(m[2]), 0);
    // A batch whose notes give no blind score (a later one, not scored blind) must not claim first runs.
    if (of === 0) t.true(inBatch.every((s) => s.firstRun === undefined), `${batch}: firstRun without a score in its notes`);
    t.is(inBatch.filter((s) => s.firstRun !== undefined).length, of, batch);
    t.is(inBatch.filter((s) => s.firstRun === 'right').length, right, batch);
  }
});

test('the scoring script: per group (mesh groups first, with their sum) and per batch, from the index', (t) => {
  const rows: Scored[] = [
    { file: 'meshes/a.log', group: 'meshes', batch: 'blind2', firstRun: 'miss', category: 'config-error', nodeProblem: false, modules: [], url: 'u', rightNow: true, blamedNode: false },
    { file: 'node-agents/b.log', group: 'node-agents', batch: 'blind2', firstRun: 'right', category: 'xtables-lock', nodeProblem: true, modules: [], url: 'u', rightNow: false, blamedNode: false },
    { file: 'other/c.log', group: 'other', batch: 'main', category: 'config-error', nodeProblem: false, modules: [], url: 'u', rightNow: false, blamedNode: true },
  ];
  const lines = renderScores(rows).split('\n');
  t.is(lines[2], '| `meshes/` | 1 | 0/1 (0%) | 1/1 (100%) | 0 |');
  t.is(lines[5], '| **meshes + mesh-cni + node-agents** | 2 | 1/2 (50%) | 1/2 (50%) | 0 |');
  t.is(lines[8], '| `other/` | 1 | — | 0/1 (0%) | 1 |');
  t.true(lines.includes('| `main` | 1 | — | 0/1 (0%) | 1 |'));
  t.true(lines.includes('| `blind2` (2 mesh-side) | 2 | 1/2 (50%) | 1/2 (50%) | 0 |'));
  const real = scoreRow({ ...rows[0]!, category: 'missing-iptables-table', modules: ['iptable_nat'] }, "iptables-restore v1.6.1: iptables-restore: unable to initialize table 'nat'\n");
  t.true(real.rightNow);
});
