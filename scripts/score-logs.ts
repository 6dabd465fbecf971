/**
 * The README's accuracy tables, from test/fixtures/logs/INDEX.tsv: per component group (the groups a
 * mesh operator meets first) and per batch. "Right" = the category equals the label and every labelled
 * module is named, reading the log alone (as each batch was scored). "First run" is the batch's blind
 * score, recorded per log (`firstRun:`) when the batch was scored; "now" is today's classifier, which
 * has seen every batch's misses, so it is not blind.
 *
 *   node --import=tsx scripts/score-logs.ts            # markdown tables
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { classifyLog } from '../src/diagnose/classify.ts';
import { INDEX_FILE, LOG_GROUPS, LOGS_DIR, MESH_GROUPS, parseIndex, type IndexRow } from '../test/fixtures/logs/catalog.ts';

export interface Scored extends IndexRow {
  rightNow: boolean;
  /** A configuration error (not the node's fault) that the classifier blamed on the node. */
  blamedNode: boolean;
}

export function scoreRow(row: IndexRow, text: string): Scored {
  const r = classifyLog(text);
  return {
    ...row,
    rightNow: r.category === row.category && row.modules.every((m) => r.modules.includes(m)),
    blamedNode: row.category === 'config-error' && r.nodeProblem,
  };
}

interface Tally {
  logs: number;
  firstRunLogs: number;
  firstRunRight: number;
  rightNow: number;
  blamedNode: number;
}

function tally(rows: readonly Scored[]): Tally {
  const firstRun = rows.filter((r) => r.firstRun !== undefined);
  return {
    logs: rows.length,
    firstRunLogs: firstRun.length,
    firstRunRight: firstRun.filter((r) => r.firstRun === 'right').length,
    rightNow: rows.filter((r) => r.rightNow).length,
    blamedNode: rows.filter((r) => r.blamedNode).length,
  };
}

function ratio(right: number, of: number): string {
  return of === 0 ? '—' : `${right}/${of} (${Math.round((100 * right) / of)}%)`;
}

function row(label: string, t: Tally): string {
  return `| ${label} | ${t.logs} | ${ratio(t.firstRunRight, t.firstRunLogs)} | ${ratio(t.rightNow, t.logs)} | ${t.blamedNode} |`;
}

const HEADER = (first: string) => [`| ${first} | logs | first run (blind) | now (not blind) | config errors blamed on the node now |`, '| --- | --- | --- | --- | --- |'];

/** Both tables as markdown. */
export function renderScores(scored: readonly Scored[]): string {
  const groupRows = LOG_GROUPS.map((g) => row(`\`${g}/\``, tally(scored.filter((s) => s.group === g))));
  const mesh = tally(scored.filter((s) => MESH_GROUPS.includes(s.group)));
  const byGroup = [
    ...HEADER('component group'),
    ...groupRows.slice(0, MESH_GROUPS.length),
    row(`**${MESH_GROUPS.join(' + ')}**`, mesh),
    ...groupRows.slice(MESH_GROUPS.length),
    row('**all**', tally(scored)),
  ];
  const batches = [...new Set(scored.map((s) => s.batch))].sort(compareBatches);
  const byBatch = [
    ...HEADER('batch'),
    ...batches.map((b) => {
      const inBatch = scored.filter((s) => s.batch === b);
      const meshLogs = inBatch.filter((s) => MESH_GROUPS.includes(s.group)).length;
      return row(`\`${b}\`${meshLogs > 0 ? ` (${meshLogs} mesh-side)` : ''}`, tally(inBatch));
    }),
  ];
  return `${byGroup.join('\n')}\n\n${byBatch.join('\n')}\n`;
}

/** main, holdout, blind, blind2 … blind30 in number order, then any later batch by name. */
function compareBatches(a: string, b: string): number {
  const rank = (x: string) => (x === 'main' ? -3 : x === 'holdout' ? -2 : x === 'blind' ? -1 : /^blind\d+$/.test(x) ? Number(x.slice(5)) : 1000);
  return rank(a) - rank(b) || a.localeCompare(b);
}

export function scoreIndex(indexText: string, logsDir = LOGS_DIR): Scored[] {
  return parseIndex(indexText).map((r) => scoreRow(r, readFileSync(path.join(logsDir, r.file), 'utf8')));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(renderScores(scoreIndex(readFileSync(INDEX_FILE, 'utf8'))));
}
