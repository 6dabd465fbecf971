/**
 * `mesh-preflight fix`: load missing-but-loadable netfilter modules now (modprobe) and persist them
 * (modules-load.d). Safe by default: without --yes it only prints the plan. Also the helpers the agent
 * calls for `agent --fix off|now|persist|both`.
 */
import type { FixAction, Report, Verdict } from '../../core/report.ts';
import type { Exec } from '../../host/exec.ts';
import type { OsInfo } from '../../host/os-family.ts';
import type { HostRoot } from '../../host/root.ts';
import { applyPlan, loadModules, undoPersist, type ModuleDir } from '../../fix/apply.ts';
import { nodeFs, type FsLayer } from '../../fix/atomic-write.ts';
import { BOOT_ID_PATH, readBootRecord, recordAttempts } from '../../fix/boot-record.ts';
import { readFixContext } from '../../fix/context.ts';
import { isOwnedContent, PERSIST_PATH } from '../../fix/persist-file.ts';
import { planFix, touchedModules, type FixPlan } from '../../fix/plan.ts';
import { readPrivilege, type Privilege } from '../../fix/privilege.ts';
import { moduleChanges, renderActions, renderChanges, renderPlan, type ModuleChange } from '../../fix/render.ts';

export interface FixCommandOptions {
  yes: boolean;
  now: boolean;
  persist: boolean;
  undo: boolean;
  force: boolean;
  output: 'table' | 'json';
}

/** What applying fixes needs (the agent passes these; the command adds a check). */
export interface AgentFixDeps {
  exec: Exec;
  host: HostRoot;
  allowedModules: ReadonlySet<string>;
  os: OsInfo;
  /** modprobe -d/-S; defaults to HostRoot.modprobeDir (the resolved module tree) when --host-root is not `/`. */
  moduleDir?: ModuleDir;
  privilege?: Privilege;
  fs?: FsLayer;
  now?: () => Date;
}

export interface FixCommandDeps extends AgentFixDeps {
  /** Runs a fresh check (called before, and again after applying). */
  check: () => Promise<Report>;
}

export interface FixCommandResult {
  exitCode: 0 | 1 | 2;
  stdout: string;
  stderr: string;
}

/** Runs `fix`: plan from a fresh check, print it, apply only with --yes, re-check and show before → after. */
export async function runFix(opts: FixCommandOptions, deps: FixCommandDeps): Promise<FixCommandResult> {
  if (opts.undo && (opts.now || opts.persist)) {
    return { exitCode: 2, stdout: '', stderr: 'mesh-preflight fix: --undo cannot be combined with --now or --persist\n' };
  }
  if (opts.undo) return runUndo(opts, deps);

  const bothByDefault = !opts.now && !opts.persist;
  const now = bothByDefault || opts.now;
  const persist = bothByDefault || opts.persist;
  const before = await deps.check();
  const fs = deps.fs ?? nodeFs;
  const hostCtx = await readFixContext(deps.host);
  const plan = planFix(before, {
    now,
    persist,
    allowedModules: deps.allowedModules,
    os: deps.os,
    existingFile: hostCtx.existingFile,
    modulesLoadDWritable: hostCtx.modulesLoadDWritable,
    persistResolved: hostCtx.persistResolved,
    force: opts.force,
    hostRoot: deps.host.root,
  });
  const { moduleDir, moduleDirRefused } = await moduleDirOf(deps, before.kernel.release);
  if (moduleDirRefused && plan.load.length > 0) plan.notes.push(`modprobe will not be run: ${moduleDirRefused}`);

  if (!opts.yes) {
    const exitCode = exitFor(before.verdict);
    if (opts.output === 'json') return { exitCode, stdout: json({ dryRun: true, verdict: before.verdict, plan }), stderr: '' };
    return { exitCode, stdout: renderPlan(plan, moduleDir) + 'Dry run: nothing changed. Re-run with --yes to apply.\n', stderr: '' };
  }

  const privilege = deps.privilege ?? (now ? await readPrivilege((p) => deps.host.readText(p)) : undefined);
  const actions = await applyPlan(plan, { exec: deps.exec, privilege, moduleDir, moduleDirRefused, host: deps.host, fs, now: deps.now });
  const after = await deps.check();
  const changes = moduleChanges(before, after, touchedModules(plan));
  const refused = refusedLines(actions);
  // A file fix did not write is never a success, whatever the verdict says.
  const exitCode = refused || failedFileAction(actions) ? 1 : exitFor(after.verdict);
  if (opts.output === 'json') {
    return {
      exitCode,
      stdout: json({ dryRun: false, plan, actions, verdict: { before: before.verdict, after: after.verdict }, changes, report: { ...after, fixes: actions } }),
      stderr: refused,
    };
  }
  return { exitCode, stdout: renderPlan(plan, moduleDir) + renderActions(actions) + renderChanges(before, after, changes), stderr: refused };
}

/** One stderr line per file action refused at the host boundary. */
function refusedLines(actions: readonly FixAction[]): string {
  return actions
    .filter((a) => !a.ok && (a.kind === 'persist' || a.kind === 'undo') && a.message.startsWith('refused'))
    .map((a) => `mesh-preflight fix: ${a.message}\n`)
    .join('');
}

function failedFileAction(actions: readonly FixAction[]): boolean {
  return actions.some((a) => !a.ok && (a.kind === 'persist' || a.kind === 'undo'));
}

async function moduleDirOf(deps: AgentFixDeps, release: string | undefined): Promise<{ moduleDir?: ModuleDir; moduleDirRefused?: string }> {
  if (deps.moduleDir) return { moduleDir: deps.moduleDir };
  const found = await deps.host.modprobeDir(release);
  if (!found) return {};
  return 'refused' in found ? { moduleDirRefused: found.refused } : { moduleDir: found };
}

async function runUndo(opts: FixCommandOptions, deps: FixCommandDeps): Promise<FixCommandResult> {
  if (!opts.yes) {
    const content = await deps.host.readText(PERSIST_PATH);
    const text =
      content === undefined
        ? `${PERSIST_PATH} is not present: nothing to undo.\n`
        : isOwnedContent(content)
          ? `Would remove ${PERSIST_PATH} (written by mesh-preflight). Modules already loaded stay loaded until reboot.\nDry run: nothing changed. Re-run with --yes to apply.\n`
          : `${PERSIST_PATH} was not written by mesh-preflight: it would be left alone.\n`;
    if (opts.output === 'json') return { exitCode: 0, stdout: json({ dryRun: true, undo: { path: PERSIST_PATH, present: content !== undefined, owned: content !== undefined && isOwnedContent(content) } }), stderr: '' };
    return { exitCode: 0, stdout: text, stderr: '' };
  }
  const action = await undoPersist(deps.host, { fs: deps.fs, now: deps.now });
  const exitCode = action.ok ? 0 : 1;
  const stderr = refusedLines([action]);
  if (opts.output === 'json') return { exitCode, stdout: json({ dryRun: false, actions: [action] }), stderr };
  return { exitCode, stdout: renderActions([action]), stderr };
}

/** `agent --fix` modes. */
export type AgentFixMode = 'off' | 'now' | 'persist' | 'both';


/** The plan the agent would apply for this mode (undefined for `off`), e.g. for the API. */
export async function planOnlyForAgent(report: Report, mode: AgentFixMode, deps: AgentFixDeps): Promise<FixPlan | undefined> {
  if (mode === 'off') return undefined;
  const hostCtx = await readFixContext(deps.host);
  return planFix(report, {
    now: mode === 'now' || mode === 'both',
    persist: mode === 'persist' || mode === 'both',
    allowedModules: deps.allowedModules,
    os: deps.os,
    existingFile: hostCtx.existingFile,
    modulesLoadDWritable: hostCtx.modulesLoadDWritable,
    persistResolved: hostCtx.persistResolved,
    // The agent never replaces a file it did not write.
    force: false,
    hostRoot: deps.host.root,
  });
}

// Fallback when the record file cannot be written: still at most once per boot for this process.
const attemptedInProcess = new Map<string, Set<string>>();

/**
 * Applies the agent's fix for this report: each module is modprobe'd at most once per boot (record
 * keyed by the host's boot_id below the host root); persisting is idempotent so it runs every time,
 * but yields an action only when the file is created/updated or cannot be written.
 */
export async function applyForAgent(report: Report, mode: AgentFixMode, deps: AgentFixDeps): Promise<{ plan?: FixPlan; actions: FixAction[] }> {
  const plan = await planOnlyForAgent(report, mode, deps);
  if (!plan) return { actions: [] };
  const fs = deps.fs ?? nodeFs;
  const bootId = (await deps.host.readText(BOOT_ID_PATH))?.trim() || 'unknown-boot';
  const memory = attemptedInProcess.get(bootId) ?? new Set<string>();
  attemptedInProcess.set(bootId, memory);
  const record = await readBootRecord(deps.host, bootId);
  const done = new Set([...record.attempted, ...memory]);
  const toLoad = plan.load.map((l) => l.module).filter((m) => !done.has(m));

  const actions: FixAction[] = [];
  if (plan.rejected.length > 0) return { plan, actions: await applyPlan(plan, { exec: deps.exec, host: deps.host, fs, now: deps.now }) };
  if (toLoad.length > 0) {
    // Recorded before running, so a crash mid-load does not turn into a retry loop.
    for (const m of toLoad) memory.add(m);
    await recordAttempts(deps.host, record, toLoad, fs).catch(() => undefined);
    const privilege = deps.privilege ?? (await readPrivilege((p) => deps.host.readText(p)));
    const { moduleDir, moduleDirRefused } = await moduleDirOf(deps, report.kernel.release);
    actions.push(...(await loadModules(toLoad, { exec: deps.exec, privilege, moduleDir, moduleDirRefused, now: deps.now })));
  }
  // Re-checks run often: report the persist step only when it does (or fails to do) something.
  const step = plan.persistStep;
  const idle = !step || step.kind === 'none' || (step.kind === 'write' && step.change === 'unchanged');
  if (!idle) actions.push(...(await applyPlan({ ...plan, load: [] }, { exec: deps.exec, host: deps.host, fs, now: deps.now })));
  return { plan, actions };
}

/** Exit code for a verdict: 0 when the node can run the mesh (ready or degraded). */
function exitFor(verdict: Verdict): 0 | 1 {
  return verdict === 'not-ready' ? 1 : 0;
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

export type { ModuleChange };
