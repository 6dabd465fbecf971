/** The node facts behind the autoload judgement, and the judgement itself. */
import type { ModprobeDirective } from './modprobe-d.ts';

export type SelinuxMode = 'enforcing' | 'permissive' | 'disabled' | 'off' | 'unknown';

export interface SelinuxFacts {
  /** `off`: no SELinux on this host at all; `disabled`: configured SELINUX=disabled. */
  mode: SelinuxMode;
  /** SELINUXTYPE from /etc/selinux/config (e.g. `targeted`). */
  policyType?: string;
  /** `file: value` / `file:line: text` lines. */
  evidence: string[];
  /** For `unknown`: what could not be read. */
  why?: string;
  /** The domain pods run in, from the policy's lxc_contexts (`container_t`), with `file:line: text`. */
  containerDomain?: { domain: string; source: string };
}

export interface AutoloadFacts {
  selinux: SelinuxFacts;
  /** os-release ID: whose SELinux policy is loaded (Bottlerocket's own, else container-selinux). */
  osId?: string;
  modulesDisabled?: boolean;
  modulesDisabledSource: string;
  /** kernel.modprobe; '' when empty; undefined when not readable. */
  modprobePath?: string;
  modprobePathSource: string;
  /** install/blacklist lines of the effective modprobe.d files. */
  modprobeD: ModprobeDirective[];
  modprobeDFiles: string[];
}

export type AutoloadValue = 'yes' | 'no' | 'unknown';

/** Why a module does or does not arrive (ModuleAutoload.label). */
export type AutoloadCause =
  | 'autoload'
  | 'modules-disabled'
  | 'no-modprobe'
  | 'selinux-enforcing'
  | 'legacy-bootstrap'
  | 'host-only'
  | 'install-blocked'
  | 'install-command'
  | 'blacklisted'
  | 'unreadable';

/** One not-loaded module: can the mesh's pod get it, and why (or why not). */
export interface ModuleAutoload {
  module: string;
  value: AutoloadValue;
  cause: string;
  /** Short name of the cause, for summaries. */
  label: AutoloadCause;
  /** Further causes that would block it too (legacy bootstrap and SELinux enforcing, say). */
  also?: AutoloadCause[];
  /** Set when a modprobe.d line decides: `file:line: text`. */
  blockedBy?: string;
}

export interface AutoloadJudgement {
  value: AutoloadValue;
  /** One line naming the cause(s) and the modules concerned. */
  reason: string;
  /** Per not-loaded module. */
  modules: ModuleAutoload[];
}
