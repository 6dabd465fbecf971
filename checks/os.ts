/** `os`: the distribution from /etc/os-release, naming the families with known mesh traps. */
import type { Check } from '../src/core/check.ts';
import type { OsInfo } from '../src/host/os-family.ts';

type OsFacts = OsInfo & { source?: string; problems?: string[] };

const IMMUTABLE_NOTES: Record<string, string> = {
  talos: 'Talos: /lib/modules and /etc are read-only; load modules through the machine config (machine.kernel.modules).',
  bottlerocket: 'Bottlerocket: modules are managed through settings.kernel.modules; the root filesystem is read-only.',
  flatcar: 'Flatcar: /usr is read-only; persist modules with Ignition (a file in /etc/modules-load.d).',
  cos: 'Container-Optimized OS: the root filesystem is read-only and the module set is fixed by the image.',
  'fedora-coreos': 'Fedora CoreOS: persist modules with Butane/Ignition (a file in /etc/modules-load.d).',
  rhcos: 'RHCOS: persist modules with a MachineConfig that writes /etc/modules-load.d.',
};

export const osCheck = {
  id: 'os',
  title: 'Operating system',
  collect: (ctx) => ctx.facts.os(),
  evaluate(os) {
    if (!os.source) {
      return {
        status: 'skip',
        summary: os.problems?.length ? `no readable os-release below the host root: ${os.problems[0]}` : 'no /etc/os-release or /usr/lib/os-release below the host root',
        evidence: os.problems ?? [],
        remediation: ['Mount the host /etc/os-release into the container (read-only).'],
      };
    }
    const name = os.prettyName ?? os.id ?? 'unknown distribution';
    const evidence = [`${os.source}: ID=${os.id ?? '?'} VERSION_ID=${os.versionId ?? '?'}`, ...(os.problems ?? [])];
    if (os.family === 'immutable' && os.immutable) {
      return { status: 'pass', summary: `${name} (immutable OS)`, evidence: [...evidence, IMMUTABLE_NOTES[os.immutable] ?? ''], remediation: [] };
    }
    if (os.family === 'rhel' && (os.major ?? 0) >= 8) {
      return {
        status: 'pass',
        summary: `${name}: nft-only iptables (no legacy package); the mesh's init container must run in nft mode`,
        evidence,
        remediation: [],
      };
    }
    return { status: 'pass', summary: name, evidence, remediation: [] };
  },
} satisfies Check<OsFacts>;
