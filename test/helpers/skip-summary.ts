/**
 * The one line `npm test` prints after ava when tests were skipped for a missing tool (pure: it reads
 * the records test/helpers/requirements.ts wrote, so scripts/run-tests.ts need not load ava).
 */
export interface SkipRecord {
  file: string;
  title: string;
  missing: { name: string; install: string; debianPackage?: string }[];
}

/** The summary for these records, or undefined when nothing was skipped. */
export function skipSummary(records: readonly SkipRecord[]): string | undefined {
  if (records.length === 0) return undefined;
  const byName = new Map<string, SkipRecord['missing'][number]>();
  for (const record of records) for (const m of record.missing) byName.set(m.name, m);
  const tools = [...byName.values()].filter((m) => m.name !== 'root');
  const packages = [...new Set(tools.map((m) => m.debianPackage).filter((p): p is string => p !== undefined))].sort();
  const asRoot = byName.has('root') || tools.some((m) => /as root/.test(m.install));
  const install = tools.length === 0 ? '' : `install ${tools.map((m) => m.install.replace(/, as root$/, '')).sort().join('; ')}`;
  const apt = packages.length === 0 ? '' : ` (Debian/Ubuntu: apt-get install ${packages.join(' ')})`;
  const how = [install + apt, asRoot ? 'run as root' : ''].filter(Boolean).join(' and ');
  const count = records.length === 1 ? '1 test' : `${records.length} tests`;
  return `skipped ${count}: ${how} to run ${records.length === 1 ? 'it' : 'them'} (with CI=true they fail instead of skipping)`;
}

/** Parses the JSON lines the test workers appended; a torn or foreign line is ignored. */
export function parseSkipRecords(text: string): SkipRecord[] {
  const records: SkipRecord[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value = JSON.parse(line) as SkipRecord;
      if (typeof value.title === 'string' && Array.isArray(value.missing)) records.push(value);
    } catch {
      // an interrupted worker's half line: nothing to count
    }
  }
  return records;
}
