/**
 * Writes test/fixtures/logs/INDEX.tsv from the .source files (file, group, batch, category, nodeProblem,
 * modules, url). Run after adding or moving a log: `node --import=tsx scripts/gen-log-index.ts`
 * (test/diagnose/log-index.test.ts fails while the index is stale).
 */
import { writeFileSync } from 'node:fs';
import { INDEX_FILE, readLogSources, renderIndex } from '../test/fixtures/logs/catalog.ts';

const sources = readLogSources();
writeFileSync(INDEX_FILE, renderIndex(sources));
console.log(`${INDEX_FILE}: ${sources.length} logs`);
