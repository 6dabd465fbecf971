/**
 * Scan the node's pod logs (/var/log/pods/<namespace>_<pod>_<uid>/<container>/<restart>.log, plus rotated
 * `<restart>.log.<YYYYMMDD-hhmmss>[.gz]`) for the mesh init containers and the mesh node agents
 * (src/core/mesh-agents.ts: the istio-cni node agent, ztunnel) and classify the newest failure of each
 * (pod, container): for an agent that is its crashed previous run or error lines in its current log.
 * Bounded: newest files first, a cap on files read and bytes per file (the tail).
 */
import type { HostRoot } from '../host/root.ts';
import type { InitContainerFinding, RuleBackend } from '../core/report.ts';
import { DEFAULT_INIT_CONTAINERS } from '../core/options.ts';
import { MESH_AGENT_CONTAINERS, meshAgentOf, type MeshAgentContainer } from '../core/mesh-agents.ts';
import { criLogText, looksLikeCriLog, parseCriLog } from '../host/parse/cri-log.ts';
import { readTail } from './read-tail.ts';

export const PODS_DIR = '/var/log/pods';

export interface LogScanOptions {
  /** Extra init container names on top of DEFAULT_INIT_CONTAINERS. */
  extraContainers?: readonly string[];
  backend?: RuleBackend;
  /** Cap on log files read in one scan (default 200). */
  maxFiles?: number;
  /** Bytes read from the end of each file (default 256 KiB). */
  maxBytesPerFile?: number;
  /** Cap on pod directories looked at (default 5000). */
  maxPods?: number;
  /** Node agent containers followed besides the init containers (default MESH_AGENT_CONTAINERS; [] for none). */
  agents?: readonly MeshAgentContainer[];
}

/** One finding with the file it came from. */
export interface ScannedFinding {
  finding: InitContainerFinding;
  /** Host path of the log file, as shown in evidence. */
  file: string;
}

export interface LogScanResult {
  /** /var/log/pods exists below the host root. */
  podsDirPresent: boolean;
  findings: ScannedFinding[];
  filesRead: number;
  /** Some files or pods were left out because of the caps. */
  truncated: boolean;
  /** Pod log files or directories there but unreadable (a loop, a FIFO ...), one line each (the first few). */
  unreadable?: string[];
}

const MAX_UNREADABLE_SHOWN = 5;

interface LogFile {
  name: string;
  restart: number;
  /** Rotation stamp (`YYYYMMDD-hhmmss`); '' for the live file. */
  rotated: string;
}

interface Group {
  namespace: string;
  pod: string;
  podUid?: string;
  container: string;
  dir: string;
  files: LogFile[];
  newest: number;
}

const LOG_FILE = /^(\d{1,6})\.log(?:\.(\d{8}-\d{6}))?(?:\.gz)?$/;

/** Scan below host for failed mesh init containers. Never throws; an absent /var/log/pods is a value. */
export async function scanInitContainerLogs(host: HostRoot, options: LogScanOptions = {}): Promise<LogScanResult> {
  const maxFiles = options.maxFiles ?? 200;
  const maxBytes = options.maxBytesPerFile ?? 256 * 1024;
  const maxPods = options.maxPods ?? 5000;
  const wanted = new Set<string>([...DEFAULT_INIT_CONTAINERS, ...(options.extraContainers ?? [])]);
  const agents = options.agents ?? MESH_AGENT_CONTAINERS;

  const podDirs = await host.list(PODS_DIR);
  const problem = host.problem(PODS_DIR);
  if (!podDirs) return { podsDirPresent: false, findings: [], filesRead: 0, truncated: false, ...(problem ? { unreadable: [problem] } : {}) };
  const unreadable: string[] = [];
  const noteUnreadable = (hostPath: string) => {
    const why = host.problem(hostPath);
    if (why && unreadable.length < MAX_UNREADABLE_SHOWN) unreadable.push(why);
  };
  let truncated = podDirs.length > maxPods;

  const groups: Group[] = [];
  for (const podDir of podDirs.slice(0, maxPods)) {
    const id = parsePodDir(podDir);
    if (!id) continue;
    const containers = await host.list(`${PODS_DIR}/${podDir}`);
    if (!containers) noteUnreadable(`${PODS_DIR}/${podDir}`);
    for (const container of containers ?? []) {
      if (!wanted.has(container) && !meshAgentOf(id.pod, container, agents)) continue;
      const dir = `${PODS_DIR}/${podDir}/${container}`;
      const listed = await host.list(dir);
      if (!listed) noteUnreadable(dir);
      const files = (listed ?? []).map(parseLogFile).filter((f): f is LogFile => f !== undefined);
      if (files.length === 0) continue;
      files.sort((a, b) => b.restart - a.restart || compareRotation(a.rotated, b.rotated));
      const newest = await mtimeMs(host, `${dir}/${files[0]?.name}`);
      groups.push({ ...id, container, dir, files, newest });
    }
  }
  groups.sort((a, b) => b.newest - a.newest);

  const findings: ScannedFinding[] = [];
  let filesRead = 0;
  for (const group of groups) {
    if (filesRead >= maxFiles) {
      truncated = true;
      break;
    }
    // The newest file of the newest restart; if it is empty (just started), the one before it.
    for (const file of group.files.slice(0, 2)) {
      if (filesRead >= maxFiles) break;
      const path = `${group.dir}/${file.name}`;
      const read = await readTail(host, path, maxBytes);
      filesRead++;
      if (!read) {
        noteUnreadable(path);
        continue;
      }
      const cri = looksLikeCriLog(read.text) ? parseCriLog(read.text) : undefined;
      const text = cri ? criLogText(cri) : read.text;
      if (text.trim() === '') continue;
      // The classifier and its catalogue load only when there is a log to read (not on most check runs).
      const { classifyLog, findingFields } = await import('../diagnose/classify.ts');
      const result = classifyLog(text, { container: group.container, backend: options.backend });
      if (result.findings.length > 0) {
        const lastTime = cri?.entries[cri.entries.length - 1]?.time;
        findings.push({
          file: host.describe(path),
          finding: {
            namespace: group.namespace,
            pod: group.pod,
            ...(group.podUid ? { podUid: group.podUid } : {}),
            container: group.container,
            restartCount: file.restart,
            observedAt: lastTime ?? read.mtime.toISOString(),
            source: 'log-scan',
            ...findingFields(result),
          },
        });
      }
      break;
    }
  }
  return { podsDirPresent: true, findings, filesRead, truncated, ...(unreadable.length > 0 ? { unreadable } : {}) };
}

/** `<namespace>_<pod>_<uid>`: namespaces and pod names are DNS names, so `_` only separates. */
export function parsePodDir(name: string): { namespace: string; pod: string; podUid?: string } | undefined {
  const parts = name.split('_');
  if (parts.length < 3) return undefined;
  const namespace = parts[0] ?? '';
  const podUid = parts[parts.length - 1] ?? '';
  const pod = parts.slice(1, -1).join('_');
  if (!namespace || !pod) return undefined;
  return { namespace, pod, ...(podUid ? { podUid } : {}) };
}

function parseLogFile(name: string): LogFile | undefined {
  const m = LOG_FILE.exec(name);
  if (!m) return undefined;
  return { name, restart: Number(m[1]), rotated: m[2] ?? '' };
}

// The live file ('' stamp) is newer than any rotated part of the same restart; later stamps are newer.
function compareRotation(a: string, b: string): number {
  if (a === b) return 0;
  if (a === '') return -1;
  if (b === '') return 1;
  return a < b ? 1 : -1;
}

async function mtimeMs(host: HostRoot, hostPath: string): Promise<number> {
  return (await host.stat(hostPath))?.mtimeMs ?? 0;
}
