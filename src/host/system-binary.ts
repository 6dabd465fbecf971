/**
 * The system's own binary for a name, by absolute path: under `npm test`/`npx` the PATH starts with
 * node_modules/.bin, where `nft` is @vercel/nft (Node File Trace), not nftables. The first of the usual
 * sbin/bin directories that has the file wins; otherwise the bare name (PATH lookup).
 */
import { existsSync } from 'node:fs';

const SYSTEM_DIRS = ['/usr/sbin', '/sbin', '/usr/local/sbin', '/usr/bin', '/bin'];

export function systemBinary(name: string, exists: (path: string) => boolean = existsSync): string {
  for (const dir of SYSTEM_DIRS) {
    const candidate = `${dir}/${name}`;
    if (exists(candidate)) return candidate;
  }
  return name;
}
