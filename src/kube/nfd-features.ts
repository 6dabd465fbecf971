/**
 * `--nfd-features-dir`: the same facts as our node labels, written as a node-feature-discovery "local"
 * feature file, for clusters that let NFD own node labels instead of our publisher.
 *
 * Format (NFD docs/usage/customization-guide.md, "Local feature source"): one `<namespace>/<name>[=<value>]`
 * per line, `#` comments, `# +expiry-time=<RFC 3339>` directive; files over 64 kB are ignored; dot
 * files are ignored, so write `.name` and rename it over `name` to avoid NFD reading a half file.
 * NFD must allow our label namespace (nfd-master `-extra-label-ns` when it is denied).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Report } from '../core/report.ts';
import { desiredNodeState, kubeTime } from './node-status.ts';

/** NFD ignores feature files larger than this. */
export const NFD_MAX_BYTES = 64 * 1024;

export interface NfdFeatureFileOptions {
  prefix?: string;
  fileName?: string;
  /** Lines expire this long after writing, so a dead agent's labels do not linger; default 2 h. */
  expiresAfterMs?: number;
  now?: Date;
}

/** The feature file text for a report. */
export function nfdFeatureText(report: Report, opts: NfdFeatureFileOptions = {}): string {
  const now = opts.now ?? new Date();
  const desired = desiredNodeState(report, opts.prefix ? { prefix: opts.prefix } : {});
  const lines = [
    '# Written by mesh-preflight; rewritten on every check. Do not edit.',
    `# +expiry-time=${kubeTime(new Date(now.getTime() + (opts.expiresAfterMs ?? 2 * 3600_000)))}`,
    ...Object.entries(desired.labels)
      .filter((e): e is [string, string] => e[1] !== null)
      .map(([k, v]) => `${k}=${v}`),
  ];
  const text = lines.join('\n') + '\n';
  if (Buffer.byteLength(text) > NFD_MAX_BYTES) throw new Error(`bug: NFD feature file would exceed ${NFD_MAX_BYTES} bytes`);
  return text;
}

/** Writes the feature file atomically (dot temp file, fsync, rename); returns its path. */
export async function writeNfdFeatureFile(dir: string, report: Report, opts: NfdFeatureFileOptions = {}): Promise<string> {
  const name = opts.fileName ?? 'mesh-preflight';
  if (name.startsWith('.') || name.includes('/')) throw new Error(`invalid NFD feature file name ${JSON.stringify(name)}`);
  await mkdir(dir, { recursive: true });
  const target = join(dir, name);
  const temp = join(dir, `.${name}.${randomBytes(4).toString('hex')}`);
  const text = nfdFeatureText(report, opts);
  try {
    const fh = await open(temp, 'w', 0o644);
    try {
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(temp, target);
  } finally {
    await rm(temp, { force: true });
  }
  return target;
}
