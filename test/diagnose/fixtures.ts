/** Loads the real-log fixtures (test/fixtures/logs/<group>/*.log) with their sidecar .source expectations. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DiagnosisCategory } from '../../src/diagnose/types.ts';
import { LOGS_DIR, logPath as catalogLogPath, readLogSources, type LogGroup, type LogSource } from '../fixtures/logs/catalog.ts';

export { LOGS_DIR };

export interface LogFixture {
  name: string;
  /** Absolute path of the .log. */
  file: string;
  group: LogGroup;
  /** The set it was first scored in: main, holdout, blind, blind2 … (test/fixtures/logs/batches/). */
  batch: string;
  /** In the main corpus the signatures were written against (batch main, or copied there later). */
  mainCorpus: boolean;
  holdout: boolean;
  text: string;
  url: string;
  category: DiagnosisCategory;
  nodeProblem: boolean;
  modules: string[];
  context?: { exitCode?: number; container?: string; backend?: 'nft' | 'legacy' };
  note?: string;
}

function fixtureOf(dir: string, s: LogSource): LogFixture {
  const file = path.join(dir, s.file);
  return {
    name: s.name,
    file,
    group: s.group,
    batch: s.batch,
    mainCorpus: s.mainCorpus,
    holdout: s.batch === 'holdout',
    text: readFileSync(file, 'utf8'),
    url: s.url,
    category: s.category as DiagnosisCategory,
    nodeProblem: s.nodeProblem,
    modules: s.modules,
    context:
      s.exitCode !== undefined || s.container || s.backend
        ? { exitCode: s.exitCode, container: s.container, backend: s.backend }
        : undefined,
    note: s.note,
  };
}

/** Every fixture of every group and batch, in group order, then by name. */
export function loadLogFixtures(dir = LOGS_DIR): LogFixture[] {
  return readLogSources(dir).map((s) => fixtureOf(dir, s));
}

/** The .log file of the fixture with this name, whichever group holds it. */
export function logPath(name: string): string {
  return catalogLogPath(name);
}
