/** RSS of a whole process tree, from /proc (Linux): the process and every descendant alive right now. */
import { readFile, readdir } from 'node:fs/promises';

async function childrenOf(pid: number): Promise<number[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const lists = await Promise.all(tasks.map((tid) => readFile(`/proc/${pid}/task/${tid}/children`, 'utf8').catch(() => '')));
  return lists.flatMap((l) => l.split(' ').filter(Boolean).map(Number));
}

async function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
}

/** Every pid in the tree rooted at `pid` (the root first). */
export async function treePids(pid: number): Promise<number[]> {
  const all = [pid];
  for (let i = 0; i < all.length; i += 1) all.push(...(await childrenOf(all[i]!)));
  return all;
}

/** Sum of VmRSS (MiB) over the tree, and how many processes it counted. */
export async function treeRssMiB(pid: number): Promise<{ mib: number; processes: number }> {
  const pids = await treePids(pid);
  const kib = await Promise.all(pids.map((p) => statusKiB(p, 'VmRSS')));
  return { mib: kib.reduce((a, b) => a + b, 0) / 1024, processes: pids.length };
}

/** The root process's own peak RSS (VmHWM), MiB. */
export async function peakRssMiB(pid: number): Promise<number> {
  return (await statusKiB(pid, 'VmHWM')) / 1024;
}
