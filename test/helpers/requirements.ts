/**
 * What a test needs from the machine (root, network namespaces, iptables, kmod, chromium, kubectl, …),
 * decided once per tool and process. `needs(...)` gives the test function to register with: the real
 * one when everything is there; otherwise, outside CI, a skip whose title names what is missing (and a
 * record for the one summary line `npm test` prints at the end, scripts/run-tests.ts); under CI a test that
 * fails naming the missing tool, so CI can never pass by skipping.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { SKIP_DIR_ENV } from './skip-dir.ts';
import type { SkipRecord } from './skip-summary.ts';

export type Requirement = 'root' | 'netns' | 'unshare' | 'iptables' | 'nft' | 'kmod' | 'ipset' | 'chromium' | 'kubectl';

interface RequirementSpec {
  /** What to install (or do) to meet it, as said in the summary line. */
  install: string;
  /** A Debian package providing it, when there is one. */
  debianPackage?: string;
  available(): boolean;
}


/** Whether `file` can be started from PATH (any exit status counts: only "not found" does not). */
function runs(file: string, args: readonly string[]): boolean {
  const result = spawnSync(file, [...args], { stdio: 'ignore', timeout: 10_000 });
  return (result.error as NodeJS.ErrnoException | undefined)?.code !== 'ENOENT';
}

function succeeds(file: string, args: readonly string[]): boolean {
  const result = spawnSync(file, [...args], { stdio: 'ignore', timeout: 10_000 });
  return result.error === undefined && result.status === 0;
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** chromium's executable: CHROMIUM_PATH, else `chromium` or `chromium-browser` on PATH. */
export function chromiumPath(): string | undefined {
  const fromEnv = process.env['CHROMIUM_PATH'];
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined;
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter).filter(Boolean)) {
    for (const name of ['chromium', 'chromium-browser']) {
      const candidate = path.join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}

const SPECS: Record<Requirement, RequirementSpec> = {
  root: { install: 'run as root', available: isRoot },
  netns: {
    install: 'iproute2 (ip netns), as root',
    debianPackage: 'iproute2',
    available: () => isRoot() && succeeds('ip', ['netns', 'list']),
  },
  unshare: {
    install: 'util-linux (unshare -n), as root',
    debianPackage: 'util-linux',
    available: () => succeeds('unshare', ['-n', 'true']),
  },
  iptables: {
    install: 'iptables (iptables-legacy and iptables-nft)',
    debianPackage: 'iptables',
    available: () => runs('iptables-legacy', ['--version']) && runs('iptables-nft', ['--version']),
  },
  nft: { install: 'nftables (nft)', debianPackage: 'nftables', available: () => runs('nft', ['--version']) },
  kmod: {
    install: 'kmod (modprobe, depmod)',
    debianPackage: 'kmod',
    available: () => runs('modprobe', ['--version']) && runs('depmod', ['--version']),
  },
  ipset: { install: 'ipset', debianPackage: 'ipset', available: () => runs('ipset', ['--version']) },
  chromium: { install: 'chromium', debianPackage: 'chromium', available: () => chromiumPath() !== undefined },
  kubectl: {
    install: 'kubectl (with its built-in kustomize; https://kubernetes.io/docs/tasks/tools/)',
    available: () => runs('kubectl', ['version', '--client']),
  },
};

const decided = new Map<Requirement, boolean>();

/** Whether the requirement is met here; probed once per process. */
export function has(requirement: Requirement): boolean {
  let value = decided.get(requirement);
  if (value === undefined) {
    value = SPECS[requirement].available();
    decided.set(requirement, value);
  }
  return value;
}

/** The requirements not met here, in the order given. */
export function missing(requirements: readonly Requirement[]): Requirement[] {
  return requirements.filter((r) => !has(r));
}

export function requirementSpec(requirement: Requirement): Readonly<RequirementSpec> {
  return SPECS[requirement];
}

/** CI=true (or any value but "false"/"0"): a missing tool fails instead of skipping. */
export function inCi(): boolean {
  const value = process.env['CI'];
  return value !== undefined && value !== '' && value !== 'false' && value !== '0';
}


function recordSkip(record: SkipRecord): void {
  const dir = process.env[SKIP_DIR_ENV];
  if (!dir) return;
  appendFileSync(path.join(dir, `skips-${process.pid}.jsonl`), `${JSON.stringify(record)}\n`);
}

/** Which test file registered the test (for the skip record), from the call stack. */
function callerFile(): string {
  const stack = new Error().stack?.split('\n') ?? [];
  const line = stack.find((l) => /\.test\.ts/.test(l)) ?? '';
  const match = /(test\/[^\s:)]+\.test\.ts)/.exec(line.replace(/\\/g, '/'));
  return match?.[1] ?? 'unknown';
}

type Implementation = (t: ExecutionContext) => void | Promise<void>;

export interface GuardedTest {
  (title: string, implementation: Implementation): void;
  serial(title: string, implementation: Implementation): void;
  /** Whether the tests registered through it really run. */
  readonly runs: boolean;
}

/** The failure a missing requirement is under CI: one line naming each tool and how to get it. */
export function missingMessage(absent: readonly Requirement[]): string {
  return `missing on this machine: ${absent.map((r) => (SPECS[r].install === r ? r : `${r} (${SPECS[r].install})`)).join(', ')}`;
}

/**
 * The test function for tests that need these requirements: `needs('root', 'iptables')('title', impl)`
 * or `.serial(...)`.
 */
export function needs(...requirements: Requirement[]): GuardedTest {
  const absent = missing(requirements);
  const register = (serial: boolean) => (title: string, implementation: Implementation) => {
    if (absent.length === 0) {
      (serial ? test.serial : test)(title, implementation);
    } else if (inCi()) {
      (serial ? test.serial : test)(title, (t) => {
        t.fail(`CI is set, so this test may not skip: ${missingMessage(absent)}`);
      });
    } else {
      recordSkip({
        file: callerFile(),
        title,
        missing: absent.map((name) => ({ name, install: SPECS[name].install, ...(SPECS[name].debianPackage ? { debianPackage: SPECS[name].debianPackage } : {}) })),
      });
      (serial ? test.serial.skip : test.skip)(`${title} (needs ${absent.join(', ')})`, implementation);
    }
  };
  const guarded = register(false) as GuardedTest;
  Object.defineProperty(guarded, 'serial', { value: register(true) });
  Object.defineProperty(guarded, 'runs', { value: absent.length === 0 });
  return guarded;
}
