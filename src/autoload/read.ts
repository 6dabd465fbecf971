/**
 * Reads the node facts the autoload judgement needs, below the host root: SELinux mode, the loaded
 * policy's owner (os-release ID), kernel.modules_disabled, kernel.modprobe and the modprobe.d
 * install/blacklist lines. Every fact keeps the file and line it came from, for evidence.
 */
import type { HostRoot } from '../host/root.ts';
import type { OsInfo } from '../host/os-family.ts';
import { LXC_CONTEXTS, MODPROBE_D_DIRS } from '../../checks/kernel-data/autoload.ts';
import { effectiveConfFiles, parseModprobeConf } from './modprobe-d.ts';
import type { AutoloadFacts, SelinuxFacts } from './types.ts';

export const SELINUX_ENFORCE = '/sys/fs/selinux/enforce';
export const SELINUX_CONFIG = '/etc/selinux/config';
export const MODULES_DISABLED = '/proc/sys/kernel/modules_disabled';
export const MODPROBE_PATH = '/proc/sys/kernel/modprobe';

type Host = Pick<HostRoot, 'readText' | 'list'>;

export async function readAutoloadFacts(host: Host, os: Pick<OsInfo, 'id' | 'family'>): Promise<AutoloadFacts> {
  const [selinux, disabledText, modprobeText, modprobeD] = await Promise.all([
    readSelinux(host, os),
    host.readText(MODULES_DISABLED, 64),
    host.readText(MODPROBE_PATH, 4096),
    readModprobeD(host),
  ]);
  const disabled = disabledText?.trim();
  return {
    selinux,
    osId: os.id,
    modulesDisabled: disabled === '1' ? true : disabled === '0' ? false : undefined,
    modulesDisabledSource: disabled === undefined ? `${MODULES_DISABLED}: not readable` : `${MODULES_DISABLED}: ${disabled}`,
    // The file holds the path and a newline; an empty path reads as "\n".
    modprobePath: modprobeText === undefined ? undefined : modprobeText.replace(/\n$/, '').trim(),
    modprobePathSource: modprobeText === undefined ? `${MODPROBE_PATH}: not readable` : `${MODPROBE_PATH}: ${JSON.stringify(modprobeText.replace(/\n$/, ''))}`,
    ...modprobeD,
  };
}

/** `KEY=value` lines of /etc/selinux/config with their line numbers. */
function configValue(text: string, key: string): { value: string; line: number } | undefined {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = new RegExp(`^\\s*${key}\\s*=\\s*"?([\\w-]+)"?\\s*$`).exec(lines[i] ?? '');
    if (match) return { value: match[1]!.toLowerCase(), line: i + 1 };
  }
  return undefined;
}

async function readSelinux(host: Host, os: Pick<OsInfo, 'id' | 'family'>): Promise<SelinuxFacts> {
  const [enforce, config] = await Promise.all([host.readText(SELINUX_ENFORCE, 64), host.readText(SELINUX_CONFIG, 64 * 1024)]);
  const evidence: string[] = [];
  const configured = config === undefined ? undefined : configValue(config, 'SELINUX');
  const policyType = config === undefined ? undefined : configValue(config, 'SELINUXTYPE')?.value;
  if (configured) evidence.push(`${SELINUX_CONFIG}:${configured.line}: SELINUX=${configured.value}`);
  const value = enforce?.trim();
  if (value === '1' || value === '0') {
    evidence.unshift(`${SELINUX_ENFORCE}: ${value}`);
    const containerDomain = policyType ? await readContainerDomain(host, policyType) : undefined;
    if (containerDomain) evidence.push(containerDomain.source);
    return {
      mode: value === '1' ? 'enforcing' : 'permissive',
      evidence,
      ...(policyType ? { policyType } : {}),
      ...(containerDomain ? { containerDomain } : {}),
    };
  }
  if (configured?.value === 'disabled') return { mode: 'disabled', evidence };
  if (configured) {
    return {
      mode: 'unknown',
      evidence: [...evidence, `${SELINUX_ENFORCE}: not readable`],
      why: `${SELINUX_CONFIG} sets SELINUX=${configured.value} but ${SELINUX_ENFORCE} is not readable (mount the host's /sys/fs read-only below the host root)`,
      ...(policyType ? { policyType } : {}),
    };
  }
  // RHEL-family hosts run SELinux enforcing unless told otherwise: no file is not proof of no SELinux.
  if (os.family === 'rhel' || os.family === 'fedora') {
    return {
      mode: 'unknown',
      evidence: [`${SELINUX_ENFORCE}: not readable`, `${SELINUX_CONFIG}: not readable`],
      why: `a ${os.id ?? os.family} host (SELinux enforcing by default) without a readable ${SELINUX_ENFORCE} or ${SELINUX_CONFIG}: mount /sys/fs and /etc/selinux read-only below the host root`,
    };
  }
  return { mode: 'off', evidence: [`${SELINUX_ENFORCE}, ${SELINUX_CONFIG}: absent (no SELinux on this host)`] };
}

/** `process = "system_u:system_r:container_t:s0"` of the policy's lxc_contexts → `container_t`. */
async function readContainerDomain(host: Host, policyType: string): Promise<SelinuxFacts['containerDomain']> {
  if (!/^[\w-]+$/.test(policyType)) return undefined;
  const file = `/etc/selinux/${policyType}/${LXC_CONTEXTS}`;
  const text = await host.readText(file, 64 * 1024);
  const lines = text?.split('\n') ?? [];
  for (let i = 0; i < lines.length; i++) {
    const match = /^\s*process\s*=\s*"?([^"\s]+)"?\s*$/.exec(lines[i] ?? '');
    const domain = match?.[1]?.split(':')[2];
    if (domain) return { domain, source: `${file}:${i + 1}: ${lines[i]!.trim()}` };
  }
  return undefined;
}

async function readModprobeD(host: Host): Promise<Pick<AutoloadFacts, 'modprobeD' | 'modprobeDFiles'>> {
  const listing = await Promise.all(MODPROBE_D_DIRS.map(async (dir) => ({ dir, entries: await host.list(dir) })));
  const files = effectiveConfFiles(listing);
  const texts = await Promise.all(files.map(async (file) => ({ file, text: await host.readText(file, 1024 * 1024) })));
  return {
    modprobeD: texts.flatMap(({ file, text }) => (text === undefined ? [] : parseModprobeConf(text, file))),
    modprobeDFiles: texts.filter((t) => t.text !== undefined).map((t) => t.file),
  };
}
