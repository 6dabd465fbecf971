/**
 * Parses `iptables --version`. The check no longer runs it (the host default comes from the iptables link
 * chain, src/iptables/host-default.ts); the integration test compares that answer with the real command.
 */
import type { RuleBackend } from '../../src/core/report.ts';

/** `iptables v1.8.9 (nf_tables)` → nft; `(legacy)` → legacy; a pre-1.8 `iptables v1.6.1` is legacy only. */
export function parseIptablesVersion(text: string): { version?: string; backend?: RuleBackend } {
  const match = /\bv(\d+)\.(\d+)(?:\.(\d+))?(?:\s+\(([^)]+)\))?/.exec(text);
  if (!match) return {};
  const version = `${match[1]}.${match[2]}${match[3] === undefined ? '' : `.${match[3]}`}`;
  const mode = match[4]?.toLowerCase();
  if (mode === 'nf_tables') return { version, backend: 'nft' };
  if (mode === 'legacy') return { version, backend: 'legacy' };
  const major = Number(match[1]);
  const minor = Number(match[2]);
  return major === 1 && minor < 8 ? { version, backend: 'legacy' } : { version };
}
