/**
 * How a log reaches us is not how the program printed it: an issue page escapes it as HTML, a blog
 * turns quotes typographic, a structured logger wraps each line in JSON, a collector prefixes each line
 * with its own record header (klog, journald, docker compose, a markdown quote). These helpers undo
 * that, so one signature per wording is enough.
 */

const HTML_ENTITY = /&(?:#(\d{1,7})|#x([0-9a-f]{1,6})|(amp|lt|gt|quot|apos|nbsp));/gi;
const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Whole-text repairs that never change what a plain log says. */
export function normalizeText(text: string): string {
  let out = text;
  if (out.includes('&') && /&(?:#\d|#x[0-9a-f]|amp;|lt;|gt;|quot;|apos;|nbsp;)/i.test(out)) {
    out = out.replace(HTML_ENTITY, (whole, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
      const code = dec ? Number(dec) : hex ? Number.parseInt(hex, 16) : undefined;
      if (code !== undefined) return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
      return NAMED_ENTITIES[(name ?? '').toLowerCase()] ?? whole;
    });
  }
  // Blogs and word processors turn ' and ` into typographic quotes (`can’t initialize ... `filter’`).
  if (/[\u2018\u2019\u201c\u201d\u00a0]/.test(out)) {
    out = out.replace(/[\u2018\u2019]/g, "'").replace(/[\u201c\u201d]/g, '"').replace(/\u00a0/g, ' ');
  }
  return out;
}

// Fields structured loggers (zap, logrus JSON, klog JSON, Docker's json-file) put the message in.
// The command a record names comes first, so what follows reads as its output.
const MESSAGE_FIELDS = ['command', 'cmd', 'msg', 'message', 'log', 'error', 'err', 'stderr', 'output', 'reason'] as const;

/**
 * A JSON log record (`{"level":"error","msg":"...","error":"..."}`) as the text lines it carries, or
 * undefined when the line is not one. Embedded newlines become lines of their own.
 */
export function structuredLines(line: string): string[] | undefined {
  const start = line.indexOf('{"');
  // zap's console encoder puts time, level, logger, caller and message before the JSON fields.
  if (start < 0 || start > 240 || !line.trimEnd().endsWith('}')) return undefined;
  let record: unknown;
  try {
    record = JSON.parse(line.slice(start));
  } catch {
    return undefined;
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return undefined;
  const fields = record as Record<string, unknown>;
  const head = line.slice(0, start).trim();
  const out: string[] = head === '' ? [] : [head];
  for (const key of MESSAGE_FIELDS) {
    const v = fields[key];
    if (typeof v === 'string' && v.trim() !== '') out.push(...v.split(/\r?\n/));
  }
  return out.length > (head === '' ? 0 : 1) ? out : undefined;
}

// A collector's header in front of each line. Only headers that cannot be the message itself.
const RECORD_PREFIXES: readonly RegExp[] = [
  /^(?:>[ \t]?)+/, // markdown quote
  /^[IWEF]\d{4} \d\d:\d\d:\d\d\.\d{3,9}\s+\d+ [\w.-]{1,80}:\d{1,6}\] /, // klog
  /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?:\.\d+)? \S{1,80} [^\s:[]{1,80}(?:\[\d{1,9}\])?: /, // syslog / journald
  /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?\s+(?:(?:\[?(?:INFO|WARN(?:ING)?|ERRO(?:R)?|DEBU(?:G)?|FATAL|info|warn(?:ing)?|error|debug|fatal)\]?|[IWEF])\s+)?/, // timestamp, level
  /^[\w.-]{1,60}\s{1,30}\| /, // docker compose
  /^\s{0,12}Message:\s+/, // kubectl describe's terminated state
  /^time="[^"]{1,60}"\s+level=\w{1,10}\s+msg="/, // logrus text
  /^\s+/,
];

/** The line without the record headers a collector put in front of it (several may stack). */
export function withoutRecordPrefix(line: string): string {
  let out = line;
  for (let round = 0; round < 3; round++) {
    const before = out;
    for (const re of RECORD_PREFIXES) {
      const m = re.exec(out);
      if (m && m[0].length > 0 && m[0].length < out.length) out = out.slice(m[0].length);
    }
    if (out === before) break;
  }
  return out;
}
