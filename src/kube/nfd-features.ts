/**
 * `--nfd-features-dir`: the same facts as our node labels, written as a node-feature-discovery "local"
 * feature file, for clusters that let NFD own node labels instead of our publisher.
 *
 * Format (NFD docs/usage/customization-guide.md, "Local feature source"): one `<namespace>/<name>[=<value>]`
 * per line, `#` comments, `# +expiry-time=<RFC 3339>` directive; files over 64 kB are ignored; dot
 * files are ignored, so write `.name` and rename it over `name` to avoid NFD reading a half file.
 * NFD must allow our label namespace (nfd-master `-extra-label-ns` when it is denied).
 * The directory is a host path, resolved and written inside --host-root like every host file.
 */
import path from 'node:path';
import type { Report } from '../core/report.ts';
import { atomicReplace } from '../fix/atomic-write.ts';
import type { HostRoot } from '../host/root.ts';
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

/**
 * Writes the feature file atomically (dot temp file, fsync, rename) into the host directory `dir`,
 * resolved inside the host root (made when absent); returns the host path written, as evidence shows it.
 */
export async function writeNfdFeatureFile(host: HostRoot, dir: string, report: Report, opts: NfdFeatureFileOptions = {}): Promise<string> {
  const name = opts.fileName ?? 'mesh-preflight';
  if (name.startsWith('.') || name.includes('/')) throw new Error(`invalid NFD feature file name ${JSON.stringify(name)}`);
  const text = nfdFeatureText(report, opts);
  const directory = await host.openDirectory(host.hostPathOf(dir), { create: true });
  try {
    await atomicReplace(directory.entry(name), text, undefined, 0o644, () => directory.verify());
    await directory.verify();
    return directory.shown(name);
  } finally {
    await directory.close();
  }
}
