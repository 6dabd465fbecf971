/**
 * The one-shot check's floor, shared by the benchmarks that compare against it: starting Node plus
 * reading the node's rules with the four `ip{,6}tables-{legacy,nft}-save`, concurrently, as the check's
 * exec does — the least a check can do.
 */
export const SAVES = ['iptables-legacy-save', 'iptables-nft-save', 'ip6tables-legacy-save', 'ip6tables-nft-save'];

/** `node -e` source of the floor. */
export const FLOOR_SCRIPT = `const { execFile } = require('node:child_process');
Promise.all(${JSON.stringify(SAVES)}.map((f) => new Promise((r) => execFile(f, [], { maxBuffer: 16 << 20 }, () => r()))));`;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
