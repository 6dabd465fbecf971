/**
 * Parser for a kernel .config (/proc/config.gz, /boot/config-<release>, lib/modules/<release>/config):
 * `CONFIG_X=y`, `CONFIG_X=m`, `CONFIG_X="string"`, `CONFIG_X=123`, and `# CONFIG_X is not set` (→ `n`).
 */
export function parseKconfig(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    const notSet = /^# (CONFIG_[A-Za-z0-9_]+) is not set$/.exec(line);
    if (notSet) {
      values.set(notSet[1]!, 'n');
      continue;
    }
    const assignment = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/.exec(line);
    if (assignment) values.set(assignment[1]!, assignment[2]!.replace(/^"(.*)"$/, '$1'));
  }
  return values;
}
