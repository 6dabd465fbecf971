/**
 * `kubectl mesh-preflight nodes`: every node's readiness, backend, mesh, failing checks and last check,
 * from the labels and report annotation the agents publish — the dashboard's rows. Read the lean way
 * (metadata-only, `--chunk-size` pages like kubectl, one page in memory at a time); `--watch` then
 * follows a metadata watch and prints the rows that change.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { toApiReadiness } from '../../agent/node-directory.ts';
import { nodeReadiness } from '../../kube/cluster-view.ts';
import { LeanReadError, LeanReader, ObjectMetaSchema } from '../../kube/lean-read.ts';
import { rowFromReadiness, type NodeRow, type RowStatus } from '../../dashboard/rows.ts';
import { age, columnWidths, formatTable } from './table.ts';

export type NodesOutput = 'table' | 'wide' | 'json';

export interface NodesOptions {
  selector?: string;
  output: NodesOutput;
  chunkSize: number;
  watch: boolean;
  prefix?: string;
}

const statusWords: Record<RowStatus, string> = { ready: 'Ready', degraded: 'Degraded', 'not-ready': 'NotReady', unchecked: 'NeverChecked' };

/** A row of the dashboard from a node's metadata. */
export function rowOf(meta: { name: string; labels: Record<string, string>; annotations: Record<string, string> }, prefix?: string): NodeRow {
  return rowFromReadiness(toApiReadiness(nodeReadiness(meta, prefix)));
}

const list = (values: readonly string[]) => (values.length === 0 ? '<none>' : values.join(','));

function header(output: NodesOutput): string[] {
  const base = ['NAME', 'READINESS', 'BACKEND', 'MESH', 'FAILING', 'LAST-CHECK'];
  return output === 'wide' ? [...base, 'WARNING', 'MISSING-MODULES'] : base;
}

function cells(row: NodeRow, output: NodesOutput, now: number, warning: readonly string[]): string[] {
  const checked = row.status === 'unchecked' ? '<never>' : age(row.checkedAt, now);
  const base = [row.name, statusWords[row.status], row.backend ?? '<unknown>', row.mesh ?? '<unknown>', list(row.failing), checked];
  return output === 'wide' ? [...base, list(warning), list(row.missing)] : base;
}

/** The JSON form of a row (stable field names for scripts). */
export function rowJson(row: NodeRow, warning: readonly string[]) {
  return {
    name: row.name,
    readiness: row.status,
    backend: row.backend ?? null,
    mesh: row.mesh ?? null,
    failing: row.failing,
    warning,
    missingModules: row.missing,
    checkedAt: row.checkedAt ?? null,
  };
}

interface Listed {
  rows: Array<{ row: NodeRow; warning: string[] }>;
  resourceVersion: string;
}

async function listRows(reader: LeanReader, opts: NodesOptions): Promise<Listed> {
  let rows: Listed['rows'] = [];
  const stats = await reader.listNodeMetadata({
    ...(opts.selector ? { labelSelector: opts.selector } : {}),
    chunkSize: opts.chunkSize,
    onPage: (items, page) => {
      if (page.restart) rows = [];
      for (const item of items) {
        const readiness = toApiReadiness(nodeReadiness(item, opts.prefix));
        rows.push({ row: rowFromReadiness(readiness), warning: readiness.summary?.warning ?? [] });
      }
    },
  });
  return { rows, resourceVersion: stats.resourceVersion };
}

function summaryLine(rows: Listed['rows']): string {
  const count = (s: RowStatus) => rows.filter((r) => r.row.status === s).length;
  return `${rows.length} node${rows.length === 1 ? '' : 's'}: ${count('ready')} ready, ${count('degraded')} degraded, ${count('not-ready')} not ready, ${count('unchecked')} never checked`;
}

/** Runs `nodes`, writing to `out`; resolves when done (with --watch: when `signal` aborts). */
export async function runNodes(kc: KubeConfig, opts: NodesOptions, out: (text: string) => void, signal?: AbortSignal, now: () => number = Date.now): Promise<void> {
  const reader = new LeanReader(kc);
  let listed = await listRows(reader, opts);
  const widths = columnWidths(header(opts.output), listed.rows.map((r) => cells(r.row, opts.output, now(), r.warning)));
  if (opts.output === 'json') {
    if (opts.watch) for (const r of listed.rows) out(`${JSON.stringify(rowJson(r.row, r.warning))}\n`);
    else out(`${JSON.stringify({ nodes: listed.rows.map((r) => rowJson(r.row, r.warning)) }, null, 2)}\n`);
  } else {
    if (listed.rows.length === 0) {
      out(opts.selector ? `No nodes match the selector ${opts.selector}.\n` : 'No nodes found.\n');
    } else {
      out(formatTable(header(opts.output), listed.rows.map((r) => cells(r.row, opts.output, now(), r.warning)), widths).join('\n') + '\n');
      if (!opts.watch) out(`\n${summaryLine(listed.rows)}\n`);
    }
  }
  if (!opts.watch) return;

  // --watch: like `kubectl get -w`, print a row again whenever what it shows changes.
  const shown = new Map(listed.rows.map((r) => [r.row.name, JSON.stringify(rowJson(r.row, r.warning))]));
  const print = (row: NodeRow, warning: string[], deleted = false) => {
    const key = JSON.stringify(rowJson(row, warning));
    if (!deleted && shown.get(row.name) === key) return;
    if (deleted) shown.delete(row.name);
    else shown.set(row.name, key);
    if (opts.output === 'json') out(`${JSON.stringify({ ...rowJson(row, warning), ...(deleted ? { deleted: true } : {}) })}\n`);
    else out(`${formatTable(header(opts.output), [cells(row, opts.output, now(), warning)], widths)[1]}${deleted ? '   (deleted)' : ''}\n`);
  };
  let resourceVersion = listed.resourceVersion;
  while (!signal?.aborted) {
    let expired = false;
    const started = Date.now();
    try {
      await reader.watchMetadata(
        '/api/v1/nodes',
        // The server ends the watch after timeoutSeconds (as client-go's reflector asks), and it is watched again.
        { resourceVersion, timeoutSeconds: '300', ...(opts.selector ? { labelSelector: opts.selector } : {}) },
        (type, object) => {
          if (type === 'BOOKMARK') {
            const rv = (object as { metadata?: { resourceVersion?: unknown } } | null)?.metadata?.resourceVersion;
            if (typeof rv === 'string' && rv !== '') resourceVersion = rv;
            return;
          }
          const meta = ObjectMetaSchema.safeParse((object as { metadata?: unknown } | null)?.metadata);
          if (!meta.success) {
            const code = (object as { code?: number } | null)?.code;
            if (type === 'ERROR' && code === 410) expired = true;
            return;
          }
          if (meta.data.resourceVersion) resourceVersion = meta.data.resourceVersion;
          const readiness = toApiReadiness(nodeReadiness(meta.data, opts.prefix));
          print(rowFromReadiness(readiness), readiness.summary?.warning ?? [], type === 'DELETED');
        },
        signal,
      );
    } catch (error) {
      if (signal?.aborted) return;
      // A broken connection (no HTTP status) is watched again; 410 lists again; other answers end the command.
      if (!(error instanceof LeanReadError) || (error.code !== undefined && error.code !== 410)) throw error;
      if (error.code === 410) expired = true;
    }
    // A server that ends watches at once is not hammered.
    if (Date.now() - started < 1000 && !signal?.aborted) await new Promise((r) => setTimeout(r, 1000));
    if (expired && !signal?.aborted) {
      // The watch fell too far behind (410 Gone): list again and print what changed meanwhile.
      listed = await listRows(reader, opts);
      for (const r of listed.rows) print(r.row, r.warning);
      resourceVersion = listed.resourceVersion;
    }
  }
}
