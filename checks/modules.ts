/**
 * `modules`: the state of every kernel module (and config symbol) the mesh's rules need on the backend
 * its init container will use. missing → fail; loadable but not loaded → warn (a mesh pod without
 * privileges may not be able to trigger the load); unknown → warn.
 */
import type { Check } from '../src/core/check.ts';
import type { MeshBackendChoice } from '../src/core/facts.ts';
import type { ModuleReport } from '../src/core/report.ts';
import type { KconfigRequirement } from '../src/core/requirements.types.ts';
import { kconfigSymbolsFor } from './kernel-data/netfilter-map.ts';

interface ModulesFacts {
  modules: ModuleReport[];
  kconfig: { requirement: KconfigRequirement; value?: string }[];
  kconfigSource?: string;
  backend: MeshBackendChoice;
  /** Host files read through links (`a → b`) and files there but unreadable, as evidence lines. */
  hostNotes?: string[];
}

export const PERSIST_FILE = '/etc/modules-load.d/99-mesh-preflight.conf';

export const modulesCheck = {
  id: 'modules',
  title: 'Kernel modules',
  async collect(ctx) {
    const [modules, requirements, kconfig, backend, inventory] = await Promise.all([
      ctx.facts.moduleStates(),
      ctx.facts.requirements(),
      ctx.facts.kconfig(),
      ctx.facts.meshBackend(),
      ctx.facts.moduleInventory().catch(() => undefined),
    ]);
    const configLink = kconfig.source?.includes(' → ') ? [`kernel config: ${kconfig.source}`] : [];
    const hostNotes = [...(inventory?.links ?? []), ...configLink, ...(inventory?.problems ?? []), ...(kconfig.problems ?? [])];
    return {
      modules,
      kconfig: requirements.kconfig.map((requirement) => ({ requirement, value: kconfig.values.get(requirement.symbol) })),
      kconfigSource: kconfig.source,
      backend,
      ...(hostNotes.length > 0 ? { hostNotes: [...new Set(hostNotes)] } : {}),
    };
  },
  evaluate({ modules, kconfig, kconfigSource, backend, hostNotes }) {
    const by = (state: string) => modules.filter((m) => m.state === state);
    const missing = by('missing');
    const loadable = by('loadable');
    const unknown = by('unknown');
    const missingSymbols = kconfig.filter((k) => k.value === 'n' || (kconfigSource !== undefined && k.value === undefined));
    const unknownSymbols = kconfig.filter((k) => k.value === undefined && kconfigSource === undefined);
    const evidence = [
      `required for ${backend.backend} mode (${backend.reason})`,
      ...modules.map((m) => `${m.name}: ${m.state} (${m.source})`),
      ...kconfig.map((k) => `${k.requirement.symbol}: ${k.value ?? 'not found'}${kconfigSource ? ` (${kconfigSource})` : ''}`),
      ...(hostNotes ?? []),
    ];
    const remediation: string[] = [];
    for (const m of missing) {
      const symbols = kconfigSymbolsFor(m.providedBy ?? m.name);
      remediation.push(
        `${m.name} (${m.requiredFor.join(', ') || 'required'}) cannot be loaded on this kernel: install the distribution's extra kernel modules package (e.g. linux-modules-extra-$(uname -r), kernel-modules-extra), reboot into a kernel whose module tree has it, or use a kernel built with ${symbols.join(' or ') || 'it'}.`,
      );
    }
    for (const k of missingSymbols) {
      remediation.push(`${k.requirement.symbol} (${k.requirement.requiredFor.join(', ')}) must be enabled in the kernel: it cannot be loaded as a module.`);
    }
    if (loadable.length > 0) {
      const names = loadable.map((m) => m.name).join(' ');
      remediation.push(`mesh-preflight fix --yes   # or by hand: modprobe -a ${names}`);
      remediation.push(`printf '%s\\n' ${names} > ${PERSIST_FILE}   # load at every boot`);
    }
    if (unknown.length > 0 || unknownSymbols.length > 0) {
      remediation.push('Mount the host /lib/modules (and /usr/lib/modules, /boot, /proc) read-only under the host root so module states can be read.');
    }

    if (missing.length > 0 || missingSymbols.length > 0) {
      const names = [...missing.map((m) => m.name), ...missingSymbols.map((k) => k.requirement.symbol)];
      return { status: 'fail', summary: `missing from this kernel: ${names.join(', ')}`, evidence, remediation };
    }
    if (loadable.length > 0 || unknown.length > 0 || unknownSymbols.length > 0) {
      const parts = [];
      if (loadable.length > 0) parts.push(`loadable but not loaded: ${loadable.map((m) => m.name).join(', ')}`);
      if (unknown.length + unknownSymbols.length > 0) {
        parts.push(`cannot tell: ${[...unknown.map((m) => m.name), ...unknownSymbols.map((k) => k.requirement.symbol)].join(', ')}`);
      }
      return { status: 'warn', summary: parts.join('; '), evidence, remediation };
    }
    const builtin = by('builtin').length;
    const loaded = by('loaded').length;
    return {
      status: 'pass',
      summary: `all ${modules.length} required modules present (${loaded} loaded, ${builtin} built in)`,
      evidence,
      remediation,
    };
  },
} satisfies Check<ModulesFacts>;
