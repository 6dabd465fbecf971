/** Parser for os-release(5): `KEY=value` lines, values optionally quoted with shell-style escapes. */

export type OsRelease = Record<string, string>;

export function parseOsRelease(text: string): OsRelease {
  const result: OsRelease = {};
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) continue;
    const key = match[1]!;
    result[key] = unquote(match[2]!);
  }
  return result;
}

function unquote(value: string): string {
  const quote = value[0];
  if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
    const inner = value.slice(1, -1);
    return quote === '"' ? inner.replace(/\\(["\\$`])/g, '$1') : inner;
  }
  return value;
}
