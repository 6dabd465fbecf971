/**
 * Executes a FixPlan step by step and records each outcome as a FixAction. One failing module does
 * not stop the others; a plan with any rejected module name runs nothing at all.
 *
 * Loading into the host kernel from the DaemonSet: a container shares the host's kernel, so modprobe
 * inside it loads into the host kernel; what it lacks is the host's module files. The host's root is
 * mounted at --host-root (e.g. /host, with /lib/modules under it), and we run
 * `modprobe -d <dir> -S <release> -- <name>`: `-d` makes kmod look for
 * `<dir>/lib/modules/<release>/modules.dep` and the .ko files there (kmod lets the OS follow links, so
 * <dir> comes from HostRoot.modprobeDir: the directory whose lib/modules/<release> is the tree resolved
 * inside the host root, or a refusal), `-S` names the release
 * (the host's `uname -r`, the same kernel the container runs on). The container needs CAP_SYS_MODULE
 * (securityContext.capabilities.add: [SYS_MODULE] or privileged). Note kmod still reads modprobe.d
 * options and blacklists from the container's /etc, not the host's.
 * Source: modprobe(8) (kmod): `-d, --dirname` "Root directory for modules", `-S, --set-version`.
 */
import path from 'node:path';
import { DEFAULT_TIMEOUT_MS, commandLine, type Exec } from '../host/exec.ts';
import { HostPathError, HostRoot, type HostDirectory } from '../host/root.ts';
import type { FixAction } from '../core/report.ts';
import { MODULE_NAME_PATTERN, type FixPlan } from './plan.ts';
import { nodeFs, removeOwnedFile, writeOwnedFile, type FsLayer } from './atomic-write.ts';
import { missingPrivilege, type Privilege } from './privilege.ts';
import { PERSIST_PATH } from './persist-file.ts';

/** Where modprobe finds module files: a root directory (`-d`) and a kernel release (`-S`). */
export interface ModuleDir {
  dir: string;
  release: string;
}

export interface ApplyDeps {
  exec: Exec;
  /** Privilege of this process; when it says loading cannot work, modprobe is not run. */
  privilege?: Privilege;
  moduleDir?: ModuleDir;
  /** Why modprobe may not be given the host's module tree (HostRoot.modprobeDir): nothing is loaded then. */
  moduleDirRefused?: string;
  /** The host root writes go below (default: a HostRoot of plan.hostRoot). */
  host?: HostRoot;
  fs?: FsLayer;
  now?: () => Date;
  modprobe?: string;
  timeoutMs?: number;
}

/** Modprobe argument array for one module (name validated again here, defence in depth). */
export function modprobeArgs(module: string, moduleDir?: ModuleDir): string[] {
  if (!MODULE_NAME_PATTERN.test(module)) throw new Error(`invalid module name: ${JSON.stringify(module)}`);
  const dirArgs = moduleDir ? ['-d', moduleDir.dir, '-S', moduleDir.release] : [];
  return [...dirArgs, '--', module];
}


/** Runs the plan: modprobe each planned module, then the persist step. */
export async function applyPlan(plan: FixPlan, deps: ApplyDeps): Promise<FixAction[]> {
  const at = () => (deps.now ?? (() => new Date()))().toISOString();
  if (plan.rejected.length > 0) {
    return plan.rejected.map((r) => ({ at: at(), kind: 'modprobe', target: r.module, ok: false, message: `not run: ${r.reason}; nothing was changed` }));
  }
  const actions: FixAction[] = [];
  if (plan.load.length > 0) actions.push(...(await loadModules(plan.load.map((l) => l.module), deps)));
  if (plan.persistStep) actions.push(await persist(plan, deps));
  return actions;
}

/** modprobe each module separately; failures are recorded with modprobe's own message. */
export async function loadModules(modules: readonly string[], deps: ApplyDeps): Promise<FixAction[]> {
  const at = () => (deps.now ?? (() => new Date()))().toISOString();
  const missing = deps.privilege ? missingPrivilege(deps.privilege) : undefined;
  if (missing) return modules.map((m) => ({ at: at(), kind: 'modprobe', target: m, ok: false, message: `not run: ${missing}` }));
  if (deps.moduleDirRefused) {
    const refused = deps.moduleDirRefused;
    return modules.map((m) => ({ at: at(), kind: 'modprobe', target: m, ok: false, message: `not run: ${refused}` }));
  }
  const file = deps.modprobe ?? 'modprobe';
  const timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const actions: FixAction[] = [];
  for (const module of modules) {
    let args: string[];
    try {
      args = modprobeArgs(module, deps.moduleDir);
    } catch (error) {
      actions.push({ at: at(), kind: 'modprobe', target: module, ok: false, message: `not run: ${(error as Error).message}` });
      continue;
    }
    const result = await deps.exec(file, args, { timeoutMs });
    const shown = commandLine(file, args);
    let message: string;
    if (result.ok) message = `$ ${shown}: ok`;
    else if (result.notFound) message = `$ ${shown}: ${file} not found (install kmod in the image / on the node)`;
    else if (result.timedOut) message = `$ ${shown}: timed out after ${Math.round(timeoutMs / 1000)}s`;
    else message = `$ ${shown}: exit ${result.exitCode ?? 'signal'}: ${firstLines(result.stderr) || firstLines(result.stdout) || (result.error ?? 'failed')}`;
    actions.push({ at: at(), kind: 'modprobe', target: module, ok: result.ok, message });
  }
  return actions;
}

async function persist(plan: FixPlan, deps: ApplyDeps): Promise<FixAction> {
  const step = plan.persistStep!;
  const at = (deps.now ?? (() => new Date()))().toISOString();
  switch (step.kind) {
    case 'none':
      return { at, kind: 'persist', target: PERSIST_PATH, ok: true, message: step.reason };
    case 'foreign-file':
      return { at, kind: 'persist', target: step.hostPath, ok: false, message: step.message };
    case 'os-managed':
      return {
        at,
        kind: 'persist',
        target: step.advice.os,
        ok: false,
        message: `not written: ${step.advice.why} Persist ${step.modules.join(', ')} the OS's way (see the plan; ${step.advice.sources[0] ?? ''}).`,
      };
    case 'write': {
      const host = deps.host ?? new HostRoot(plan.hostRoot);
      const name = path.posix.basename(step.hostPath);
      let dir: HostDirectory | undefined;
      try {
        dir = await host.openDirectory(path.posix.dirname(step.hostPath), { create: true });
        const opened = dir;
        const result = await writeOwnedFile(opened.entry(name), step.content, {
          force: step.change === 'replace-foreign',
          fs: deps.fs ?? nodeFs,
          now: deps.now,
          guard: () => opened.verify(),
        });
        if (result.outcome !== 'unchanged' && result.outcome !== 'foreign-kept') await opened.verify();
        const where = opened.shown(name) === step.hostPath ? '' : ` at ${opened.shown(name)}`;
        const messages: Record<typeof result.outcome, string> = {
          created: `created${where} with ${step.modules.join(' ')}`,
          updated: `updated${where}: ${step.modules.join(' ')}`,
          unchanged: `already up to date${where}; not rewritten`,
          'foreign-kept': 'exists and is not ours: left alone (use --force to replace it, a backup is kept)',
          'replaced-foreign': `replaced a file we did not write${where}; backup kept at ${result.backup ? opened.shown(path.posix.basename(result.backup)) : '?'}`,
        };
        return { at, kind: 'persist', target: step.hostPath, ok: result.outcome !== 'foreign-kept', message: messages[result.outcome] };
      } catch (error) {
        if (error instanceof HostPathError) return { at, kind: 'persist', target: step.hostPath, ok: false, message: `refused, not written: ${error.message}` };
        const e = error as NodeJS.ErrnoException;
        const hint = e.code === 'EROFS' || e.code === 'EACCES' || e.code === 'EPERM' ? " (mount the host's /etc writable, or persist the OS's way)" : '';
        return { at, kind: 'persist', target: step.hostPath, ok: false, message: `write failed, file unchanged: ${e.code ?? ''} ${e.message}${hint}`.trim() };
      } finally {
        await dir?.close();
      }
    }
  }
}

/** `--undo`: removes the persist file (resolved inside the host root) only when we wrote it. */
export async function undoPersist(hostRoot: HostRoot | string, deps: { fs?: FsLayer; now?: () => Date } = {}): Promise<FixAction> {
  const at = (deps.now ?? (() => new Date()))().toISOString();
  const host = typeof hostRoot === 'string' ? new HostRoot(hostRoot) : hostRoot;
  const name = path.posix.basename(PERSIST_PATH);
  let dir: HostDirectory | undefined;
  try {
    if (await host.isLink(PERSIST_PATH)) {
      return { at, kind: 'undo', target: PERSIST_PATH, ok: true, message: `${host.describe(PERSIST_PATH)} is a symbolic link, not a file mesh-preflight wrote: left alone` };
    }
    const resolution = await host.resolve(path.posix.dirname(PERSIST_PATH));
    if (!resolution.type) return { at, kind: 'undo', target: PERSIST_PATH, ok: true, message: 'not present: nothing to undo' };
    dir = await host.openDirectory(path.posix.dirname(PERSIST_PATH));
    const opened = dir;
    const outcome = await removeOwnedFile(opened.entry(name), deps.fs ?? nodeFs, () => opened.verify());
    const where = opened.shown(name) === PERSIST_PATH ? '' : ` (${opened.shown(name)})`;
    const messages = {
      removed: `removed${where} (it carried our ownership marker)`,
      absent: 'not present: nothing to undo',
      'foreign-kept': `not written by mesh-preflight (no ownership marker)${where}: left alone`,
    } as const;
    // A foreign file is not ours to undo: leaving it is the correct outcome, not a failure.
    return { at, kind: 'undo', target: PERSIST_PATH, ok: true, message: messages[outcome] };
  } catch (error) {
    if (error instanceof HostPathError) return { at, kind: 'undo', target: PERSIST_PATH, ok: false, message: `refused, nothing removed: ${error.message}` };
    const e = error as NodeJS.ErrnoException;
    return { at, kind: 'undo', target: PERSIST_PATH, ok: false, message: `remove failed: ${e.code ?? ''} ${e.message}`.trim() };
  } finally {
    await dir?.close();
  }
}

function firstLines(text: string): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, 3)
    .join(' | ');
}
