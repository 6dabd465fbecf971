/** Summary and remediation wording for the autoload causes (shared by the modules check and fix). */
import type { AutoloadCause, ModuleAutoload } from './types.ts';

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
  const groups = new Map<AutoloadCause, string[]>();
  for (const m of modules) groups.set(m.label, [...(groups.get(m.label) ?? []), m.module]);
  return [...groups].map(([label, names]) => `${names.join(', ')} (${CAUSE_SUMMARY[label]})`).join('; ');
}

/** What to do about modules the pod cannot get, by cause. */
export function autoloadRemediation(modules: readonly ModuleAutoload[]): string[] {
  const out: string[] = [];
  const names = (pred: (m: ModuleAutoload) => boolean) => modules.filter(pred).map((m) => m.module);
  const loadOnHost = names((m) => ['selinux-enforcing', 'no-modprobe', 'legacy-bootstrap', 'host-only', 'blacklisted', 'unreadable', 'install-command'].includes(m.label));
  if (loadOnHost.length > 0) {
    const why = [...new Set(modules.filter((m) => loadOnHost.includes(m.module)).map((m) => CAUSE_SUMMARY[m.label]))].join('; ');
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
