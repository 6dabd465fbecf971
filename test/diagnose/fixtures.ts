/** Loads the real-log fixtures (test/fixtures/logs/**.log) with their sidecar .source expectations. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DiagnosisCategory } from '../../src/diagnose/types.ts';

export const LOGS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/logs');

/**
 * main: the corpus signatures were written against; holdout/blind: logs scored before any fix (see their
 * README.md); modes: the batch `modes-2026-12` (issue 16's wordings), scored blind before its fixes.
 */
export type FixtureSet = 'main' | 'holdout' | 'blind' | 'modes';

/** Directories grouping logs by the component that wrote them (issue 14's layout); absent ones are skipped. */
export const COMPONENT_DIRS = ['meshes', 'mesh-cni', 'cni', 'runtimes', 'node-agents', 'other'] as const;

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
  batch?: string;
}

/** Every fixture below dir (holdout/, blind/ and the component directories included; blind2/ is someone else's), sorted by name. */
export function loadLogFixtures(dir = LOGS_DIR): LogFixture[] {
  const out: LogFixture[] = [];
  for (const sub of ['', 'holdout', 'blind', ...COMPONENT_DIRS]) {
    const d = path.join(dir, sub);
    if (!existsSync(d)) continue;
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
        set: setOf(sub, fields.batch),
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
        ...(fields.batch ? { batch: fields.batch } : {}),
      });
    }
  }
  return out;
}

function setOf(sub: string, batch: string | undefined): FixtureSet {
  if (sub === 'holdout' || sub === 'blind') return sub;
  return batch === 'modes-2026-12' ? 'modes' : 'main';
}
