/**
 * Executes a FixPlan step by step and records each outcome as a FixAction. One failing module does
 * not stop the others; a plan with any rejected module name runs nothing at all.
 *
 * Loading into the host kernel from the DaemonSet: a container shares the host's kernel, so modprobe
 * inside it loads into the host kernel; what it lacks is the host's module files. The host's root is
 * mounted at --host-root (e.g. /host, with /lib/modules under it), and we run
 * `modprobe -d <hostRoot> -S <release> -- <name>`: `-d` makes kmod look for
 * `<hostRoot>/lib/modules/<release>/modules.dep` and the .ko files there, `-S` names the release
 * (the host's `uname -r`, the same kernel the container runs on). The container needs CAP_SYS_MODULE
 * (securityContext.capabilities.add: [SYS_MODULE] or privileged). Note kmod still reads modprobe.d
 * options and blacklists from the container's /etc, not the host's.
 * Source: modprobe(8) (kmod): `-d, --dirname` "Root directory for modules", `-S, --set-version`.
 */
import { DEFAULT_TIMEOUT_MS, commandLine, type Exec } from '../host/exec.ts';
import type { FixAction } from '../core/report.ts';
import { MODULE_NAME_PATTERN, type FixPlan } from './plan.ts';
import { nodeFs, removeOwnedFile, writeOwnedFile, type FsLayer } from './atomic-write.ts';
import { missingPrivilege, type Privilege } from './privilege.ts';
import { PERSIST_PATH } from './persist-file.ts';
import path from 'node:path';

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

/** The module directory to use for a host root: none for `/`, else the host root and release. */
export function moduleDirFor(hostRoot: string, release: string | undefined): ModuleDir | undefined {
  if (path.resolve(hostRoot) === '/' || !release) return undefined;
  return { dir: path.resolve(hostRoot), release };
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
      try {
        const result = await writeOwnedFile(step.path, step.content, { force: step.change === 'replace-foreign', fs: deps.fs ?? nodeFs, now: deps.now });
        const messages: Record<typeof result.outcome, string> = {
          created: `created with ${step.modules.join(' ')}`,
          updated: `updated: ${step.modules.join(' ')}`,
          unchanged: 'already up to date; not rewritten',
          'foreign-kept': 'exists and is not ours: left alone (use --force to replace it, a backup is kept)',
          'replaced-foreign': `replaced a file we did not write; backup kept at ${result.backup ? displayBelow(plan.hostRoot, result.backup) : '?'}`,
        };
        return { at, kind: 'persist', target: step.hostPath, ok: result.outcome !== 'foreign-kept', message: messages[result.outcome] };
      } catch (error) {
        const e = error as NodeJS.ErrnoException;
        const hint = e.code === 'EROFS' || e.code === 'EACCES' || e.code === 'EPERM' ? " (mount the host's /etc writable, or persist the OS's way)" : '';
        return { at, kind: 'persist', target: step.hostPath, ok: false, message: `write failed, file unchanged: ${e.code ?? ''} ${e.message}${hint}`.trim() };
      }
    }
  }
}

/** `--undo`: removes the persist file below the host root only when we wrote it. */
export async function undoPersist(hostRoot: string, deps: { fs?: FsLayer; now?: () => Date } = {}): Promise<FixAction> {
  const at = (deps.now ?? (() => new Date()))().toISOString();
  const file = path.join(path.resolve(hostRoot), PERSIST_PATH);
  try {
    const outcome = await removeOwnedFile(file, deps.fs ?? nodeFs);
    const messages = {
      removed: 'removed (it carried our ownership marker)',
      absent: 'not present: nothing to undo',
      'foreign-kept': 'not written by mesh-preflight (no ownership marker): left alone',
    } as const;
    // A foreign file is not ours to undo: leaving it is the correct outcome, not a failure.
    return { at, kind: 'undo', target: PERSIST_PATH, ok: true, message: messages[outcome] };
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return { at, kind: 'undo', target: PERSIST_PATH, ok: false, message: `remove failed: ${e.code ?? ''} ${e.message}`.trim() };
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

function displayBelow(hostRoot: string, absolute: string): string {
  const root = path.resolve(hostRoot);
  return root === '/' ? absolute : '/' + path.relative(root, absolute);
}
