/**
 * The user's kubeconfig, as kubectl finds it: `--kubeconfig FILE`, else the files of `KUBECONFIG`
 * (merged), else `~/.kube/config`; `--context NAME` picks a context. Bad input is a one-line UsageError.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { UsageError } from '../../core/errors.ts';

export interface KubeConfigFlags {
  kubeconfig?: string;
  context?: string;
  env?: NodeJS.ProcessEnv;
}

export interface UserKubeConfig {
  kc: KubeConfig;
  /** The context's namespace, else `default` (kubectl's rule for `-n` absent). */
  namespace: string;
}

export function loadUserKubeConfig(flags: KubeConfigFlags): UserKubeConfig {
  const env = flags.env ?? process.env;
  const kc = new KubeConfig();
  let what: string;
  try {
    if (flags.kubeconfig) {
      what = `--kubeconfig ${flags.kubeconfig}`;
      if (!existsSync(flags.kubeconfig)) throw new UsageError(`${what}: no such file`);
      kc.loadFromFile(flags.kubeconfig);
    } else if (env['KUBECONFIG']) {
      what = `KUBECONFIG=${env['KUBECONFIG']}`;
      const files = env['KUBECONFIG'].split(path.delimiter).filter((f) => f !== '' && existsSync(f));
      if (files.length === 0) throw new UsageError(`${what}: none of its files exists`);
      // kubectl merges the files: the first file to set a name (or the current context) wins.
      kc.loadFromFile(files[0]!);
      for (const file of files.slice(1)) {
        const more = new KubeConfig();
        more.loadFromFile(file);
        for (const c of more.clusters) if (!kc.getCluster(c.name)) kc.addCluster(c);
        for (const u of more.users) if (!kc.getUser(u.name)) kc.addUser(u);
        for (const c of more.contexts) if (!kc.getContextObject(c.name)) kc.addContext(c);
        if (!kc.getCurrentContext() && more.getCurrentContext()) kc.setCurrentContext(more.getCurrentContext());
      }
    } else {
      const file = path.join(env['HOME'] ?? homedir(), '.kube', 'config');
      what = file;
      if (!existsSync(file)) throw new UsageError('no kubeconfig: give --kubeconfig FILE, set KUBECONFIG, or create ~/.kube/config');
      kc.loadFromFile(file);
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    throw new UsageError(`invalid kubeconfig (${flags.kubeconfig ?? env['KUBECONFIG'] ?? '~/.kube/config'}): ${message}`);
  }
  if (flags.context) {
    if (!kc.getContextObject(flags.context)) {
      throw new UsageError(`--context ${flags.context}: no such context in ${what}; it has: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'}`);
    }
    kc.setCurrentContext(flags.context);
  }
  if (!kc.getCurrentCluster()) throw new UsageError(`${what}: the current context names no cluster (set one with --context)`);
  const namespace = kc.getContextObject(kc.getCurrentContext())?.namespace || 'default';
  return { kc, namespace };
}
