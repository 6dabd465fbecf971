/**
 * Report → FixPlan, pure. The plan is everything `fix` would do (and what the dry run prints): which
 * modules to load now, what the persisted modules-load.d file would contain, and which modules no fix
 * here can help with, with what to do instead. Nothing runs unless every module name passed validation.
 *
 * What gets persisted: exactly the required modules the check found loadable but not loaded (what is
 * loaded already was loaded by something the node runs at boot), plus modules an earlier run of ours
 * listed that this report does not contradict (so a second run changes nothing once they are loaded,
 * and running the fix for Istio and then for Linkerd does not drop the first set). Built-in modules need
 * nothing; `missing` and `unknown` ones are never written (systemd-modules-load would fail on them).
 */
import path from 'node:path';
import type { Report, ModuleState } from '../core/report.ts';
import { installBlock } from '../autoload/judge.ts';
import type { OsInfo } from '../host/os-family.ts';
import { configSymbolFor } from './kconfig-symbols.ts';
import { immutableOsAdvice, notWritableAdvice, type OsPersistAdvice } from './os-persistence.ts';
import { PERSIST_PATH, isOwnedContent, parseModulesLoadFile, renderPersistFile } from './persist-file.ts';

/**
 * Strict module-name shape: kernel names use `_` (`-` is an accepted spelling), xt_REDIRECT has
 * capitals. At most 55 characters: struct module has `char name[MODULE_NAME_LEN]`, MODULE_NAME_LEN =
 * 64 - sizeof(unsigned long) = 56 on 64-bit including the NUL (include/linux/module.h, moduleparam.h).
 * No leading `-`, so a name can never read as a modprobe option (we also pass `--`).
 */
export const MODULE_NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,54}$/;

/** The current content of the persist file, when it exists. */
export interface ExistingFile {
  content: string;
}

export interface PlanOptions {
  /** Load modules now (modprobe). */
  now: boolean;
  /** Persist modules (modules-load.d or the OS's own way). */
  persist: boolean;
  /** Module names we are willing to pass to modprobe (checks/kernel-data knownModuleNames()). */
  allowedModules: ReadonlySet<string>;
  os: OsInfo;
  existingFile?: ExistingFile;
  /** Replace a persist file we did not write (after a backup). */
  force: boolean;
  hostRoot: string;
  /** False when /etc/modules-load.d below the host root cannot be written; undefined = assume writable. */
  modulesLoadDWritable?: boolean;
}

export interface PlannedLoad {
  module: string;
  /** The name(s) in the report this load satisfies (differs when providedBy is set). */
  forModules: string[];
  requiredFor: string[];
  state: ModuleState;
}

export interface Unfixable {
  module: string;
  state: 'missing' | 'unknown';
  requiredFor: string[];
  /** What to do instead. */
  advice: string[];
}

/** A module a modprobe.d `install` line disables: neither loaded nor persisted, the line is named instead. */
export interface Blocked {
  module: string;
  /** `file:line: text` of the modprobe.d line. */
  by: string;
  requiredFor: string[];
}

export interface Rejected {
  module: string;
  reason: string;
}

export type PersistStep =
  | {
      kind: 'write';
      hostPath: string;
      /** Absolute path below the host root. */
      path: string;
      content: string;
      modules: string[];
      change: 'create' | 'update' | 'unchanged' | 'replace-foreign';
    }
  | { kind: 'foreign-file'; hostPath: string; path: string; modules: string[]; message: string }
  | { kind: 'os-managed'; modules: string[]; advice: OsPersistAdvice }
  | { kind: 'none'; reason: string };

export interface FixPlan {
  now: boolean;
  persist: boolean;
  hostRoot: string;
  /** Modules to modprobe, sorted; empty unless `now`. */
  load: PlannedLoad[];
  /** Modules that are already fine (loaded or built in). */
  alreadyOk: { module: string; state: 'loaded' | 'builtin' }[];
  unfixable: Unfixable[];
  /** Modules a modprobe.d install line disables (not tried). */
  blocked: Blocked[];
  /** kernel.modules_disabled=1: nothing is loaded now; persisted modules load after a reboot. */
  rebootNeeded: boolean;
  /** Names that failed validation; when non-empty nothing is run at all. */
  rejected: Rejected[];
  /** Undefined when persistence was not asked for. */
  persistStep?: PersistStep;
  notes: string[];
}

/** Why a name may not be passed to modprobe, or undefined when it may. */
export function validateModuleName(name: string, allowed: ReadonlySet<string>): string | undefined {
  if (!MODULE_NAME_PATTERN.test(name)) return `not a module name (must match ${MODULE_NAME_PATTERN.source})`;
  if (!allowed.has(name) && !allowed.has(name.replace(/-/g, '_'))) {
    return 'not in the list of netfilter modules mesh-preflight knows; refusing to load it';
  }
  return undefined;
}

/** Computes the fix plan for a report (pure). */
export function planFix(report: Report, opts: PlanOptions): FixPlan {
  const targets = groupByTarget(report);
  const rejected: Rejected[] = [];
  for (const target of targets.values()) {
    const reason = validateModuleName(target.module, opts.allowedModules);
    if (reason) rejected.push({ module: target.module, reason });
  }
  const rejectedNames = new Set(rejected.map((r) => r.module));
  const valid = [...targets.values()].filter((t) => !rejectedNames.has(t.module)).sort((a, b) => cmp(a.module, b.module));

  const load: PlannedLoad[] = [];
  const alreadyOk: FixPlan['alreadyOk'] = [];
  const unfixable: Unfixable[] = [];
  const blocked: Blocked[] = [];
  const modulesDisabled = report.autoload?.modulesDisabled === true;
  const blockOf = (module: string) =>
    (report.autoload?.modprobeD ?? []).map((d) => (d.module === module ? installBlock(d) : undefined)).find((b) => b !== undefined);
  for (const t of valid) {
    const by = t.state === 'loadable' ? blockOf(t.module) : undefined;
    if (by) {
      blocked.push({ module: t.module, by, requiredFor: t.requiredFor });
    } else if (t.state === 'loadable') {
      if (opts.now && !modulesDisabled) load.push({ module: t.module, forModules: t.forModules, requiredFor: t.requiredFor, state: t.state });
    } else if (t.state === 'loaded' || t.state === 'builtin') {
      alreadyOk.push({ module: t.module, state: t.state });
    } else {
      unfixable.push({
        module: t.module,
        state: t.state,
        requiredFor: t.requiredFor,
        advice: t.state === 'missing' ? missingAdvice(t.module, opts.os, report.kernel.release) : unknownAdvice(t.module),
      });
    }
  }

  const notes: string[] = [];
  if (rejected.length > 0) {
    notes.push('Some module names failed validation: nothing will be run until the report is corrected.');
  }
  if (modulesDisabled) {
    notes.push(
      opts.persist
        ? 'kernel.modules_disabled=1: this kernel refuses every module load until reboot, so nothing is loaded now. Reboot the node after persisting: systemd-modules-load loads the persisted modules at boot, before systemd-sysctl can disable loading again.'
        : 'kernel.modules_disabled=1: this kernel refuses every module load until reboot, so nothing is loaded now. Persist the modules (--persist) and reboot the node.',
    );
  }
  for (const b of blocked) {
    notes.push(`${b.module} is disabled by ${b.by}: not loaded and not persisted (modprobe would run that command instead). Remove or comment out the line if the mesh may use ${b.module}.`);
  }
  for (const d of report.autoload?.modprobeD ?? []) {
    if (d.kind !== 'blacklist' || !valid.some((t) => t.module === d.module && t.state === 'loadable')) continue;
    notes.push(
      `${d.module} is blacklisted by ${d.file}:${d.line}: modprobe by name loads it now, but systemd-modules-load applies blacklists, so the persisted entry will not load it at boot — remove that line, or load it from a boot script.`,
    );
  }
  const blockedNames = new Set(blocked.map((b) => b.module));
  const persistStep = opts.persist ? planPersist(valid.filter((t) => !blockedNames.has(t.module)), targets, opts, notes) : undefined;
  if (opts.now && load.length === 0 && rejected.length === 0 && !modulesDisabled) {
    notes.push('No module needs loading now: every required module is loaded, built in, or cannot be loaded here.');
  }
  return { now: opts.now, persist: opts.persist, hostRoot: opts.hostRoot, load, alreadyOk, unfixable, blocked, rebootNeeded: modulesDisabled, rejected, persistStep, notes };
}

/** Module names the plan would act on (load or persist), for before → after displays. */
export function touchedModules(plan: FixPlan): string[] {
  const names = new Set(plan.load.map((l) => l.module));
  return [...names].sort(cmp);
}

interface Target {
  module: string;
  state: ModuleState;
  forModules: string[];
  requiredFor: string[];
}

// Several report entries can resolve to one module (providedBy after a merge); the best state wins,
// since a module that is loaded for one entry is loaded for all of them.
const STATE_RANK: Record<ModuleState, number> = { builtin: 0, loaded: 1, loadable: 2, unknown: 3, missing: 4 };

function groupByTarget(report: Report): Map<string, Target> {
  const targets = new Map<string, Target>();
  for (const m of report.modules) {
    const module = m.providedBy ?? m.name;
    const existing = targets.get(module);
    if (!existing) {
      targets.set(module, { module, state: m.state, forModules: [m.name], requiredFor: [...m.requiredFor] });
      continue;
    }
    if (STATE_RANK[m.state] < STATE_RANK[existing.state]) existing.state = m.state;
    if (!existing.forModules.includes(m.name)) existing.forModules.push(m.name);
    for (const r of m.requiredFor) if (!existing.requiredFor.includes(r)) existing.requiredFor.push(r);
  }
  return targets;
}

function planPersist(valid: Target[], all: Map<string, Target>, opts: PlanOptions, notes: string[]): PersistStep {
  const wanted = new Set(valid.filter((t) => t.state === 'loadable').map((t) => t.module));
  const existing = opts.existingFile;
  const owned = existing !== undefined && isOwnedContent(existing.content);
  if (owned) {
    for (const name of parseModulesLoadFile(existing.content)) {
      const reported = all.get(name);
      if (validateModuleName(name, opts.allowedModules)) {
        notes.push(`Dropping "${name}" from our earlier modules-load.d file: it failed validation.`);
      } else if (!reported || reported.state === 'loaded' || reported.state === 'loadable') {
        wanted.add(name);
      }
    }
  }
  const modules = [...wanted].sort(cmp);
  if (modules.length === 0) {
    return { kind: 'none', reason: 'No required module is loadable but not loaded (all loaded, built in, missing or unknown): nothing to persist.' };
  }
  const content = renderPersistFile(modules);
  if (opts.os.immutable) return { kind: 'os-managed', modules, advice: immutableOsAdvice(opts.os.immutable, modules) };
  if (opts.modulesLoadDWritable === false) return { kind: 'os-managed', modules, advice: notWritableAdvice(PERSIST_PATH, content) };

  const filePath = path.join(path.resolve(opts.hostRoot), PERSIST_PATH);
  if (existing === undefined) return { kind: 'write', hostPath: PERSIST_PATH, path: filePath, content, modules, change: 'create' };
  if (owned) {
    const change = existing.content === content ? 'unchanged' : 'update';
    return { kind: 'write', hostPath: PERSIST_PATH, path: filePath, content, modules, change };
  }
  if (opts.force) return { kind: 'write', hostPath: PERSIST_PATH, path: filePath, content, modules, change: 'replace-foreign' };
  return {
    kind: 'foreign-file',
    hostPath: PERSIST_PATH,
    path: filePath,
    modules,
    message: `${PERSIST_PATH} exists and was not written by mesh-preflight (no ownership marker): left alone. Re-run with --force to replace it (a backup is kept).`,
  };
}

function missingAdvice(module: string, os: OsInfo, release: string | undefined): string[] {
  const r = release ?? '$(uname -r)';
  const advice: string[] = [];
  switch (os.family) {
    case 'rhel':
    case 'fedora':
    case 'amazon':
      advice.push(`Install the kernel's extra modules package: dnf install kernel-modules-extra-${r} (some netfilter modules ship only there).`);
      break;
    case 'ubuntu':
      advice.push(`Install the kernel's extra modules package: apt-get install linux-modules-extra-${r}.`);
      break;
    case 'debian':
      advice.push(`Reinstall the running kernel's package so its module tree is complete: apt-get install --reinstall linux-image-${r}.`);
      break;
    case 'suse':
      advice.push('Install the extra modules package of the running kernel flavour (e.g. zypper install kernel-default-extra on SLE).');
      break;
    case 'immutable':
      advice.push('Packages cannot be added on this OS: use an OS image / kernel variant that ships the module (see the OS vendor docs).');
      break;
    default:
      advice.push(`Install the package that provides ${module}.ko for kernel ${r}.`);
  }
  advice.push(
    `If /lib/modules has only a newer release than ${r} (kernel upgraded, old tree removed), reboot into the upgraded kernel: its tree has the module.`,
  );
  const symbol = configSymbolFor(module);
  advice.push(
    symbol
      ? `Or use a kernel built with ${symbol}=m (or =y).`
      : `Or use a kernel built with the CONFIG_ option that builds ${module} (=m or =y).`,
  );
  return advice;
}

function unknownAdvice(module: string): string[] {
  return [
    `Cannot tell whether ${module} is available: the module tree was not readable.`,
    "Mount the host's /lib/modules (read-only) below --host-root, or run on the node, then re-run the check.",
  ];
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
