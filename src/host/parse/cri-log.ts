/**
 * CRI container log format, as kubelet/containerd/CRI-O write /var/log/pods/.../<n>.log:
 * `<RFC3339Nano time> <stdout|stderr> <tags> <text>` where tags is `F` (full line) or `P` (partial: the
 * line continues in the next entry of the same stream). Tags are `:`-separated for future use.
 * Source: https://github.com/kubernetes/design-proposals-archive/blob/main/node/kubelet-cri-logging.md
 * and kubernetes pkg/kubelet/kuberuntime/logs/logs.go (parseCRILog: "timestamp stream tag log").
 */

export type CriStream = 'stdout' | 'stderr';

export interface CriLogEntry {
  time: string;
  stream: CriStream;
  text: string;
  /** The last entry of a stream ended with a `P` line and no `F` followed (file cut or still writing). */
  partial?: boolean;
}

export interface CriLogParse {
  entries: CriLogEntry[];
  /** Lines that are not CRI records (tolerated, skipped). */
  garbage: number;
  /** Lines read. */
  lines: number;
}

const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)$/;
const TAGS = /^[A-Z](?::[A-Z]){0,7}$/;

/** Default cap on entries kept (the newest are kept). */
export const CRI_MAX_ENTRIES = 100_000;
// A run of partial lines longer than this is flushed, so one endless `P` stream stays bounded.
const MAX_JOINED_CHARS = 1024 * 1024;

/** Parse CRI log text; partial lines are joined per stream until their `F` line. Never throws. */
export function parseCriLog(text: string, maxEntries = CRI_MAX_ENTRIES): CriLogParse {
  const entries: CriLogEntry[] = [];
  const pending: Partial<Record<CriStream, { time: string; parts: string[]; size: number }>> = {};
  let garbage = 0;
  let lines = 0;
  const push = (e: CriLogEntry) => {
    entries.push(e);
    if (entries.length > maxEntries * 2) entries.splice(0, entries.length - maxEntries);
  };

  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end).replace(/\r$/, '');
    start = end + 1;
    if (line === '' && end === text.length) break;
    lines++;
    const record = parseLine(line);
    if (!record) {
      garbage++;
      continue;
    }
    const open = pending[record.stream];
    if (record.partial) {
      if (open) {
        open.parts.push(record.text);
        open.size += record.text.length;
        if (open.size > MAX_JOINED_CHARS) {
          push({ time: open.time, stream: record.stream, text: open.parts.join(''), partial: true });
          delete pending[record.stream];
        }
      } else {
        pending[record.stream] = { time: record.time, parts: [record.text], size: record.text.length };
      }
      continue;
    }
    if (open) {
      open.parts.push(record.text);
      push({ time: open.time, stream: record.stream, text: open.parts.join('') });
      delete pending[record.stream];
    } else {
      push({ time: record.time, stream: record.stream, text: record.text });
    }
  }
  for (const stream of ['stdout', 'stderr'] as const) {
    const open = pending[stream];
    if (open) push({ time: open.time, stream, text: open.parts.join(''), partial: true });
  }
  return { entries: entries.length > maxEntries ? entries.slice(-maxEntries) : entries, garbage, lines };
}

function parseLine(line: string): { time: string; stream: CriStream; partial: boolean; text: string } | undefined {
  const s1 = line.indexOf(' ');
  if (s1 <= 0) return undefined;
  const time = line.slice(0, s1);
  if (!TIME.test(time)) return undefined;
  const s2 = line.indexOf(' ', s1 + 1);
  const stream = line.slice(s1 + 1, s2 === -1 ? undefined : s2);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  if (s2 === -1) return { time, stream, partial: false, text: '' };
  const s3 = line.indexOf(' ', s2 + 1);
  const tags = line.slice(s2 + 1, s3 === -1 ? undefined : s3);
  if (TAGS.test(tags)) {
    return { time, stream, partial: tags.split(':').includes('P'), text: s3 === -1 ? '' : line.slice(s3 + 1) };
  }
  // Early CRI writers had no tag field: the rest is the text.
  return { time, stream, partial: false, text: line.slice(s2 + 1) };
}

/** Whether text looks like a CRI log (most of its first non-empty lines are CRI records). */
export function looksLikeCriLog(text: string): boolean {
  const head = text.slice(0, 8192).split('\n').filter((l) => l.trim() !== '').slice(0, 20);
  if (head.length === 0) return false;
  const hits = head.filter((l) => parseLine(l) !== undefined).length;
  return hits * 2 > head.length;
}

/** The log text of a CRI log (entries' text joined by newlines, both streams in file order). */
export function criLogText(parse: CriLogParse): string {
  return parse.entries.map((e) => e.text).join('\n');
}
