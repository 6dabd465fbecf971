// Makes the built CLI entry executable (tsc does not keep file modes).
import { chmodSync, existsSync } from 'node:fs';

for (const bin of ['main.js', 'kubectl-plugin.js']) {
  const entry = new URL(`../dist/src/cli/${bin}`, import.meta.url);
  if (existsSync(entry)) chmodSync(entry, 0o755);
}
