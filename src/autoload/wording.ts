/** Summary and remediation wording for the autoload causes (shared by the modules check and fix). */
import type { AutoloadCause, ModuleAutoload } from './types.ts';
import { AUTOLOAD_FACTS, type AutoloadFactId } from '../../checks/kernel-data/autoload.ts';

/** The kernel fact behind each cause (checks/kernel-data/autoload.ts), cited in evidence. */
const FACT_OF: Partial<Record<AutoloadCause, AutoloadFactId>> = {
  'modules-disabled': 'modulesDisabled',
  'no-modprobe': 'modprobePathEmpty',
  'selinux-enforcing': 'selinuxEnforcing',
  'legacy-bootstrap': 'legacyBootstrap',
  'install-blocked': 'modprobeInstall',
  'install-command': 'modprobeInstall',
  blacklisted: 'modprobeBlacklist',
};

/** `why: <statement> [source]` for each distinct cause among the modules. */
export function causeSources(modules: readonly ModuleAutoload[]): string[] {
  const ids = new Set(modules.flatMap((m) => [m.label, ...(m.also ?? [])]).map((l) => FACT_OF[l]).filter((id) => id !== undefined));
  return [...ids].map((id) => `why: ${AUTOLOAD_FACTS[id].statement} [${AUTOLOAD_FACTS[id].source}]`);
}

export const CAUSE_SUMMARY: Readonly<Record<AutoloadCause, string>> = {
  autoload: 'the kernel loads them when the rules need them',
  'modules-disabled': 'kernel.modules_disabled=1: no module can be loaded until reboot',
  'no-modprobe': 'kernel.modprobe is empty: the kernel cannot autoload modules',
  'selinux-enforcing': 'SELinux enforcing: pods cannot autoload modules',
  'legacy-bootstrap': 'legacy iptables cannot bootstrap without ip_tables loaded',
  'host-only': 'nothing in the mesh pod loads them',
  'install-blocked': 'blocked by a modprobe.d install line',
  'install-command': 'modprobe.d runs a custom install command instead',
  blacklisted: 'blacklisted in modprobe.d and requested by alias',
  unreadable: 'cannot tell whether pods can autoload them',
};

/** `iptable_raw, xt_CT (SELinux enforcing: pods cannot autoload modules); ip_tables (legacy …)`. */
export function groupByCause(modules: readonly ModuleAutoload[]): string {
  const groups = new Map<string, string[]>();
  for (const m of modules) {
    const key = m.blockedBy && (m.label === 'install-blocked' || m.label === 'blacklisted')
      ? `${CAUSE_SUMMARY[m.label]}: ${m.blockedBy}`
      : [m.label, ...(m.also ?? [])].map((l) => CAUSE_SUMMARY[l]).join('; ');
    groups.set(key, [...(groups.get(key) ?? []), m.module]);
  }
  return [...groups].map(([why, names]) => `${names.join(', ')} (${why})`).join('; ');
}

const LOAD_ON_HOST: readonly AutoloadCause[] = ['selinux-enforcing', 'no-modprobe', 'legacy-bootstrap', 'host-only', 'blacklisted', 'unreadable', 'install-command'];

/** The short "what to do" that ends a summary line. */
export function nextStep(modules: readonly ModuleAutoload[]): string {
  const labels = new Set(modules.map((m) => m.label));
  const steps: string[] = [];
  if (modules.some((m) => LOAD_ON_HOST.includes(m.label))) steps.push('load them on the host: mesh-preflight fix --now --persist');
  if (labels.has('modules-disabled')) steps.push('persist them and reboot: mesh-preflight fix --persist');
  if (labels.has('install-blocked')) steps.push('allow them in modprobe.d first');
  return steps.join('; ');
}

/** What to do about modules the pod cannot get, by cause. */
export function autoloadRemediation(modules: readonly ModuleAutoload[]): string[] {
  const out: string[] = [];
  const names = (pred: (m: ModuleAutoload) => boolean) => modules.filter(pred).map((m) => m.module);
  const loadOnHost = names((m) => LOAD_ON_HOST.includes(m.label));
  if (loadOnHost.length > 0) {
    const why = [...new Set(modules.filter((m) => loadOnHost.includes(m.module)).flatMap((m) => [m.label, ...(m.also ?? [])]).map((l) => CAUSE_SUMMARY[l]))].join('; ');
    out.push(`${why} — load them on the host: mesh-preflight fix --now --persist --yes   # modprobe ${loadOnHost.join(' ')} now and at every boot`);
  }
  const disabled = names((m) => m.label === 'modules-disabled');
  if (disabled.length > 0) {
    out.push(
      `kernel.modules_disabled=1: nothing can be loaded until reboot — mesh-preflight fix --persist --yes, then reboot the node (systemd-modules-load loads ${disabled.join(' ')} before systemd-sysctl can disable modules again)`,
    );
  }
  for (const m of modules.filter((x) => x.label === 'install-blocked' && x.blockedBy)) {
    out.push(`${m.module} is disabled on purpose by ${m.blockedBy} — remove or comment out that line if the mesh may use it, then: mesh-preflight fix --now --persist --yes`);
  }
  for (const m of modules.filter((x) => x.label === 'blacklisted' && x.blockedBy)) {
    out.push(`${m.module} is blacklisted by ${m.blockedBy}: modprobe by name still loads it, but systemd-modules-load honours the blacklist at boot — remove the line, or load it from a boot script`);
  }
  return out;
}
