/** Loads the real-log fixtures (test/fixtures/logs/**.log) with their sidecar .source expectations. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DiagnosisCategory } from '../../src/diagnose/types.ts';

export const LOGS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/logs');

export interface LogFixture {
  name: string;
  file: string;
  holdout: boolean;
  text: string;
  url: string;
  category: DiagnosisCategory;
  nodeProblem: boolean;
  modules: string[];
  context?: { exitCode?: number; container?: string };
}

/** Every fixture below dir (holdout/ included), sorted by name. */
export function loadLogFixtures(dir = LOGS_DIR): LogFixture[] {
  const out: LogFixture[] = [];
  for (const sub of ['', 'holdout']) {
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
        holdout: sub === 'holdout',
        text: readFileSync(file, 'utf8'),
        url: fields.url ?? '',
        category: fields.category as DiagnosisCategory,
        nodeProblem: fields.nodeProblem === 'true',
        modules: (fields.modules ?? '').split(/\s+/).filter(Boolean),
        context:
          fields.exitCode || fields.container
            ? { exitCode: fields.exitCode ? Number(fields.exitCode) : undefined, container: fields.container || undefined }
            : undefined,
      });
    }
  }
  return out;
}
