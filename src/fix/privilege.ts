/**
 * Can this process load kernel modules? finit_module(2) needs CAP_SYS_MODULE in the initial user
 * namespace, and the kernel refuses every load once kernel.modules_disabled=1 (until reboot).
 * Sources: proc(5) (`CapEff:` line of /proc/[pid]/status, a 64-bit hex mask),
 * capabilities(7) / include/uapi/linux/capability.h (`#define CAP_SYS_MODULE 16`),
 * Documentation/admin-guide/sysctl/kernel.rst (modules_disabled).
 */
import { readFile } from 'node:fs/promises';

/** Bit number of CAP_SYS_MODULE in the capability masks. */
export const CAP_SYS_MODULE = 16;

export interface Privilege {
  /** True when CAP_SYS_MODULE is in the effective set; undefined when it could not be read. */
  capSysModule?: boolean;
  /** Effective uid (`Uid:` second field). */
  euid?: number;
  /** kernel.modules_disabled of the host kernel, when read. */
  modulesDisabled?: boolean;
  /** Where the facts came from, for evidence. */
  evidence: string[];
}

/** Parses the CapEff mask and effective uid from /proc/self/status text. */
export function parseProcStatus(text: string): { capEff?: bigint; euid?: number } {
  const capLine = /^CapEff:\s*([0-9a-fA-F]+)\s*$/m.exec(text);
  const uidLine = /^Uid:\s*(\d+)\s+(\d+)/m.exec(text);
  return {
    capEff: capLine?.[1] ? BigInt('0x' + capLine[1]) : undefined,
    euid: uidLine?.[2] ? Number(uidLine[2]) : undefined,
  };
}

/** True when bit `cap` is set in the mask. */
export function hasCapability(mask: bigint, cap: number): boolean {
  return ((mask >> BigInt(cap)) & 1n) === 1n;
}

/** Facts from the status text of this process and the host's modules_disabled text (either may be absent). */
export function privilegeFrom(statusText: string | undefined, modulesDisabledText: string | undefined): Privilege {
  const evidence: string[] = [];
  let capSysModule: boolean | undefined;
  let euid: number | undefined;
  if (statusText !== undefined) {
    const parsed = parseProcStatus(statusText);
    euid = parsed.euid;
    if (parsed.capEff !== undefined) {
      capSysModule = hasCapability(parsed.capEff, CAP_SYS_MODULE);
      evidence.push(`/proc/self/status: CapEff: ${parsed.capEff.toString(16).padStart(16, '0')} (CAP_SYS_MODULE ${capSysModule ? 'set' : 'clear'})`);
    }
  }
  let modulesDisabled: boolean | undefined;
  if (modulesDisabledText !== undefined && /^[01]\s*$/.test(modulesDisabledText)) {
    modulesDisabled = modulesDisabledText.trim() === '1';
    evidence.push(`/proc/sys/kernel/modules_disabled: ${modulesDisabledText.trim()}`);
  }
  return { capSysModule, euid, modulesDisabled, evidence };
}

/** Why modprobe cannot work here, or undefined when it may. */
export function missingPrivilege(p: Privilege): string | undefined {
  if (p.modulesDisabled) {
    return 'kernel.modules_disabled=1: this kernel refuses every module load until the next reboot. Persist the modules and reboot.';
  }
  if (p.capSysModule === false) {
    const who = p.euid === 0 ? 'running as root but' : `running as uid ${p.euid ?? '?'} and`;
    return (
      `${who} without CAP_SYS_MODULE (bit ${CAP_SYS_MODULE} of CapEff in /proc/self/status is clear): ` +
      'run as root on the node, or give the container securityContext.capabilities.add: ["SYS_MODULE"] ' +
      '(or privileged: true); in a user namespace (rootless) modules cannot be loaded at all.'
    );
  }
  return undefined;
}

/** Reads this process's privilege; `readHost` reads host files below the host root. */
export async function readPrivilege(readHost: (hostPath: string) => Promise<string | undefined>): Promise<Privilege> {
  // Our own capabilities: /proc/self of the process running modprobe, not of the host root.
  const status = await readFile('/proc/self/status', 'utf8').catch(() => undefined);
  const disabled = await readHost('/proc/sys/kernel/modules_disabled');
  return privilegeFrom(status, disabled);
}
