/**
 * `npm test`'s runner: ava with a fresh directory where tests skipped for a missing tool are recorded
 * (test/helpers/requirements.ts), then one summary line naming what to install. The exit status is
 * ava's. Arguments are passed to ava.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { SKIP_DIR_ENV } from '../test/helpers/skip-dir.ts';
import { parseSkipRecords, skipSummary } from '../test/helpers/skip-summary.ts';

const skipDir = mkdtempSync(path.join(os.tmpdir(), 'mesh-preflight-skips-'));
// ava's bin (`entrypoints/cli.mjs`) sits next to its main entry point.
const avaCli = path.join(path.dirname(createRequire(import.meta.url).resolve('ava')), 'cli.mjs');

const child = spawn(process.execPath, [avaCli, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, [SKIP_DIR_ENV]: skipDir },
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));

child.on('exit', (code, signal) => {
  const text = readdirSync(skipDir).map((name) => readFileSync(path.join(skipDir, name), 'utf8')).join('\n');
  rmSync(skipDir, { recursive: true, force: true });
  const line = skipSummary(parseSkipRecords(text));
  if (line !== undefined) console.log(`\n${line}`);
  process.exitCode = code ?? (signal ? 1 : 0);
});
