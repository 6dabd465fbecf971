/** Facts about the node's iptables, as observed (src/iptables/observe.ts). */
import type { ObservedBackend, RuleBackend } from '../core/report.ts';
import type { Family } from '../core/requirements.types.ts';

/** What one `iptables-{legacy,nft}-save` (or ip6 variant) run showed. */
export interface BackendSnapshot {
  backend: RuleBackend;
  family: Family;
  /** The save binary exists and ran. */
  available: boolean;
  /** Rules (`-A` lines) across all tables. */
  rules: number;
  /** Tables present in the output. */
  tables: string[];
  /** kubelet/kube-proxy canary chains present (KUBE-IPTABLES-HINT, KUBE-KUBELET-CANARY). */
  canary: boolean;
  command: string;
  error?: string;
}

export interface IptablesObservation {
  backend: ObservedBackend;
  /** One line: why this backend was chosen (canary, rule counts, host default). */
  reason: string;
  evidence: string[];
  snapshots: BackendSnapshot[];
  /** The host default binary and its version as `iptables --version` prints it (`iptables v1.8.9 (nf_tables)`); the version is read from that backend's save header, so it is absent when no tables were saved. */
  hostVersion?: string;
  /** The backend the host's default `iptables` binary uses. */
  hostDefault?: RuleBackend;
  /** Set when the rules could not be read at all (no binary, no privileges): the reason. */
  unavailable?: string;
}
