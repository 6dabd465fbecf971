// Preloaded by the benchmarks (node --import): writes the process's peak RSS (KiB) to $MESH_PREFLIGHT_RSS_OUT at exit.
import { writeFileSync } from 'node:fs';

const out = process.env.MESH_PREFLIGHT_RSS_OUT;
if (out) process.on('exit', () => writeFileSync(out, String(process.resourceUsage().maxRSS)));
