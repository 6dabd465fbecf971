/**
 * `modules`: the state of every kernel module (and config symbol) the mesh's rules need on the backend
 * its init container will use. missing → fail; loadable but not loaded → fail where the mesh's pod
 * cannot get it (src/autoload/judge.ts: legacy without ip_tables, SELinux enforcing, modules disabled,
 * no modprobe, a modprobe.d block), warn where the kernel will autoload it, warn when that cannot be
 * told; unknown → warn.
 */
import type { Check } from '../src/core/check.ts';
import type { MeshBackendChoice } from '../src/core/facts.ts';
import type { ModuleReport } from '../src/core/report.ts';
import type { KconfigRequirement } from '../src/core/requirements.types.ts';
import { kconfigSymbolsFor } from './kernel-data/netfilter-map.ts';
import type { AutoloadJudgement } from '../src/autoload/types.ts';
import { autoloadRemediation, causeSources, groupByCause, nextStep } from '../src/autoload/wording.ts';

interface ModulesFacts {
  modules: ModuleReport[];
  kconfig: { requirement: KconfigRequirement; value?: string }[];
  kconfigSource?: string;
  backend: MeshBackendChoice;
  /** Whether the mesh's pod gets the loadable-but-not-loaded modules; absent = not judged. */
  autoload?: AutoloadJudgement;
}

export const PERSIST_FILE = '/etc/modules-load.d/99-mesh-preflight.conf';

export const modulesCheck = {
  id: 'modules',
  title: 'Kernel modules',
  async collect(ctx) {
    const [modules, requirements, kconfig, backend, autoload] = await Promise.all([
      ctx.facts.moduleStates(),
      ctx.facts.requirements(),
      ctx.facts.kconfig(),
      ctx.facts.meshBackend(),
      ctx.facts.autoload(),
    ]);
    return {
      modules,
      kconfig: requirements.kconfig.map((requirement) => ({ requirement, value: kconfig.values.get(requirement.symbol) })),
      kconfigSource: kconfig.source,
      backend,
      autoload,
    };
  },
  evaluate({ modules, kconfig, kconfigSource, backend, autoload }) {
    const by = (state: string) => modules.filter((m) => m.state === state);
    const missing = by('missing');
    const loadable = by('loadable');
    const judged = autoload?.modules ?? [];
    const unreachable = judged.filter((m) => m.value === 'no');
    const undecided = judged.filter((m) => m.value === 'unknown');
    const autoloaded = judged.filter((m) => m.value === 'yes');
    const unknown = by('unknown');
    const missingSymbols = kconfig.filter((k) => k.value === 'n' || (kconfigSource !== undefined && k.value === undefined));
    const unknownSymbols = kconfig.filter((k) => k.value === undefined && kconfigSource === undefined);
    const evidence = [
      `required for ${backend.backend} mode (${backend.reason})`,
      ...modules.map((m) => `${m.name}: ${m.state} (${m.source})`),
      ...kconfig.map((k) => `${k.requirement.symbol}: ${k.value ?? 'not found'}${kconfigSource ? ` (${kconfigSource})` : ''}`),
      ...(autoload ? [`autoload by the mesh's pod: ${autoload.value} — ${autoload.reason}`] : []),
      ...judged.map((m) => `${m.module}: autoload ${m.value}: ${m.cause}`),
      ...causeSources([...unreachable, ...undecided]),
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
    remediation.push(...autoloadRemediation([...unreachable, ...undecided]));
    // A module modprobe.d disables, or any module while loading is disabled, is not worth a modprobe line.
    const loadingDisabled = judged.some((m) => m.label === 'modules-disabled');
    const loadableNow = loadable.filter((m) => !judged.some((j) => j.module === m.name && j.label === 'install-blocked'));
    if (loadableNow.length > 0 && !loadingDisabled) {
      const names = loadableNow.map((m) => m.name).join(' ');
      remediation.push(`${unreachable.length > 0 ? '' : 'mesh-preflight fix --yes   # or '}by hand: modprobe -a ${names}`);
      remediation.push(`printf '%s\\n' ${names} > ${PERSIST_FILE}   # load at every boot`);
    }
    if (unknown.length > 0 || unknownSymbols.length > 0) {
      remediation.push('Mount the host /lib/modules (and /usr/lib/modules, /boot, /proc) read-only under the host root so module states can be read.');
    }

    const cannotGet = unreachable.length > 0 ? `not loaded and the mesh's pod cannot load them: ${groupByCause(unreachable)} — ${nextStep(unreachable)}` : '';
    if (missing.length > 0 || missingSymbols.length > 0) {
      const names = [...missing.map((m) => m.name), ...missingSymbols.map((k) => k.requirement.symbol)];
      return { status: 'fail', summary: [`missing from this kernel: ${names.join(', ')}`, cannotGet].filter(Boolean).join('; '), evidence, remediation };
    }
    if (cannotGet) return { status: 'fail', summary: cannotGet, evidence, remediation };
    if (loadable.length > 0 || unknown.length > 0 || unknownSymbols.length > 0) {
      const parts = [];
      if (autoloaded.length > 0) parts.push(`not loaded, the kernel will autoload them for the mesh's pod: ${autoloaded.map((m) => m.module).join(', ')}`);
      if (undecided.length > 0) parts.push(`not loaded, cannot tell whether the mesh's pod can load them: ${undecided.map((m) => m.module).join(', ')} (${[...new Set(undecided.map((m) => m.cause))].join('; ')})`);
      const unjudged = loadable.filter((m) => !judged.some((j) => j.module === m.name));
      if (unjudged.length > 0) parts.push(`loadable but not loaded: ${unjudged.map((m) => m.name).join(', ')}`);
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
