/** Loads the real-log fixtures (test/fixtures/logs/**.log) with their sidecar .source expectations. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DiagnosisCategory } from '../../src/diagnose/types.ts';

export const LOGS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/logs');

/** main: the corpus signatures were written against; holdout/blind: logs scored before any fix (see their README.md). */
export type FixtureSet = 'main' | 'holdout' | 'blind';

export interface LogFixture {
  name: string;
  file: string;
  set: FixtureSet;
  holdout: boolean;
  text: string;
  url: string;
  category: DiagnosisCategory;
  nodeProblem: boolean;
  modules: string[];
  context?: { exitCode?: number; container?: string; backend?: 'nft' | 'legacy' };
  note?: string;
}

/** Every fixture below dir (holdout/ and blind/ included; blind2/ is someone else's), sorted by name. */
export function loadLogFixtures(dir = LOGS_DIR): LogFixture[] {
  const out: LogFixture[] = [];
  for (const sub of ['', 'holdout', 'blind'] as const) {
    const d = path.join(dir, sub);
    for (const f of readdirSync(d).filter((n) => n.endsWith('.source')).sort()) {
      const fields = Object.fromEntries(
        readFileSync(path.join(d, f), 'utf8')
          .split('\n')
          .map((l) => /^([a-zA-Z]+):\s*(.*)$/.exec(l))
          .filter((m): m is RegExpExecArray => m !== null)
          .map((m) => [m[1], (m[2] ?? '').trim()]),
      ) as Record<string, string>;
      const name = f.replace(/\.source$/, '');
      const file = path.join(d, `${name}.log`);
      out.push({
        name,
        file,
        set: sub === '' ? 'main' : sub,
        holdout: sub === 'holdout',
        text: readFileSync(file, 'utf8'),
        url: fields.url ?? '',
        category: fields.category as DiagnosisCategory,
        nodeProblem: fields.nodeProblem === 'true',
        modules: (fields.modules ?? '').split(/\s+/).filter(Boolean),
        context:
          fields.exitCode || fields.container || fields.backend
            ? {
                exitCode: fields.exitCode ? Number(fields.exitCode) : undefined,
                container: fields.container || undefined,
                backend: fields.backend === 'nft' || fields.backend === 'legacy' ? fields.backend : undefined,
              }
            : undefined,
        note: fields.note,
      });
    }
  }
  return out;
}
