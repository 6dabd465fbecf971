/**
 * How to persist kernel modules on OSes where writing /etc/modules-load.d is wrong or useless:
 * immutable / declaratively managed OSes, whose own configuration is the place to do it. Each entry
 * cites the OS documentation it follows.
 */
import type { ImmutableOsId } from '../host/os-family.ts';

export interface OsPersistAdvice {
  /** Human name of the OS. */
  os: string;
  /** Why we do not write the file ourselves. */
  why: string;
  /** Exact steps or config snippets, ready to paste. */
  steps: string[];
  /** Documentation the steps follow. */
  sources: string[];
}

const MODULES_LOAD_D_MAN = 'https://man.archlinux.org/man/modules-load.d.5';

/** Advice for persisting these modules on an immutable OS. */
export function immutableOsAdvice(os: ImmutableOsId, modules: readonly string[]): OsPersistAdvice {
  const list = [...modules].sort();
  switch (os) {
    case 'talos':
      return {
        os: 'Talos Linux',
        why: 'Talos has no writable /etc/modules-load.d; modules are loaded from the machine configuration.',
        steps: [
          'Add to the machine config (talosctl patch machineconfig --patch @modules.yaml):',
          ['machine:', '  kernel:', '    modules:', ...list.map((m) => `      - name: ${m}`)].join('\n'),
        ],
        sources: [
          'https://www.talos.dev/latest/reference/configuration/ (machine.kernel.modules)',
          'https://www.talos.dev/v1.12/advanced/kernel-module/',
        ],
      };
    case 'bottlerocket':
      return {
        os: 'Bottlerocket',
        why: 'Bottlerocket manages module loading through its settings API; /etc is not the place to persist it.',
        steps: [
          `apiclient set ${list.flatMap((m) => [`settings.kernel.modules.${m}.allowed=true`, `settings.kernel.modules.${m}.autoload=true`]).join(' ')}`,
          'or in user data (TOML):',
          list.map((m) => `[settings.kernel.modules.${m}]\nallowed = true\nautoload = true`).join('\n'),
        ],
        sources: ['https://bottlerocket.dev/en/os/1.24.x/api/settings/kernel/ (settings.kernel.modules.<name>.allowed / .autoload)'],
      };
    case 'flatcar':
      return {
        os: 'Flatcar Container Linux',
        why: 'Flatcar nodes are provisioned by Ignition; a file written by hand is lost when the node is re-provisioned.',
        steps: [
          'Add to the node\'s Butane config (transpiled to Ignition):',
          ['variant: flatcar', 'version: 1.0.0', butaneModulesFile(list)].join('\n'),
        ],
        sources: ['https://flatcar.org/docs/latest/setup/customization/other-settings/ (Loading kernel modules)', MODULES_LOAD_D_MAN],
      };
    case 'fedora-coreos':
    case 'rhcos':
      return {
        os: os === 'rhcos' ? 'Red Hat Enterprise Linux CoreOS' : 'Fedora CoreOS',
        why: 'CoreOS nodes are configured by Ignition (and on OpenShift by the Machine Config Operator, which reverts hand edits).',
        steps: [
          os === 'rhcos'
            ? 'Create a MachineConfig from a Butane config (variant: openshift) with this storage.files entry, then `oc apply` it:'
            : 'Add to the node\'s Butane config (variant: fcos) and re-provision:',
          butaneModulesFile(list),
        ],
        sources: ['https://coreos.github.io/butane/getting-started/', MODULES_LOAD_D_MAN],
      };
    case 'cos':
      return {
        os: 'Container-Optimized OS',
        why: 'On COS /etc is a stateless tmpfs: a modules-load.d file does not survive a reboot.',
        steps: [
          'Load the modules at every boot instead: run the mesh-preflight DaemonSet with `agent --fix now`',
          '(it loads them once per boot, before mesh pods need them), or a cloud-init `bootcmd: [modprobe …]` on plain GCE.',
          `modules: ${list.join(' ')}`,
        ],
        sources: ['https://cloud.google.com/container-optimized-os/docs/concepts/disks-and-filesystem (/etc: writable, stateless, tmpfs)'],
      };
  }
}

/** Advice when /etc/modules-load.d below the host root cannot be written (read-only mount, no permission). */
export function notWritableAdvice(hostPath: string, content: string): OsPersistAdvice {
  return {
    os: 'this node',
    why: `${hostPath} is not writable from here (read-only mount or missing permission).`,
    steps: [
      `On the node, as root, write ${hostPath} with this content (or mount the host's /etc writable into the container):`,
      content.trimEnd(),
    ],
    sources: [MODULES_LOAD_D_MAN],
  };
}

/** The Butane `storage.files` entry that writes our modules-load.d file (Flatcar, Fedora CoreOS, RHCOS). */
function butaneModulesFile(modules: readonly string[]): string {
  return [
    'storage:',
    '  files:',
    '    - path: /etc/modules-load.d/99-mesh-preflight.conf',
    '      mode: 0644',
    '      contents:',
    '        inline: |',
    ...modules.map((m) => `          ${m}`),
  ].join('\n');
}
