/** `kernel`: the running kernel's release and version, against the mesh's documented minimum. */
import type { Check } from '../src/core/check.ts';
import type { Requirements } from '../src/core/requirements.types.ts';
import { compareKernel, parseKernelRelease } from '../src/modules/kernel.ts';
import type { KernelFacts } from '../src/modules/types.ts';

interface KernelCheckFacts {
  kernel: KernelFacts;
  minKernel: Requirements['minKernel'];
}

export const kernelCheck = {
  id: 'kernel',
  title: 'Kernel release',
  async collect(ctx) {
    const [kernel, requirements] = await Promise.all([ctx.facts.kernel(), ctx.facts.requirements()]);
    return { kernel, minKernel: requirements.minKernel };
  },
  evaluate({ kernel, minKernel }, options) {
    if (!kernel.release || !kernel.parsed) {
      return {
        status: 'skip',
        summary: `kernel release not readable (${kernel.source})`,
        evidence: [kernel.source],
        remediation: ['Mount the host /proc (or run on the node) so /proc/sys/kernel/osrelease is visible.'],
      };
    }
    const evidence = [`${kernel.source}: ${kernel.release}`, ...(kernel.version ? [`/proc/sys/kernel/version: ${kernel.version}`] : [])];
    const minimum = parseKernelRelease(minKernel.release);
    if (minimum && compareKernel(kernel.parsed, minimum) < 0) {
      return {
        status: 'fail',
        summary: `kernel ${kernel.release} is older than ${options.mesh}'s minimum ${minKernel.release}`,
        evidence: [...evidence, `minimum: ${minKernel.release} (${minKernel.source})`],
        remediation: [`Upgrade the node's kernel to ${minKernel.release} or newer and reboot.`],
      };
    }
    return {
      status: 'pass',
      summary: `kernel ${kernel.release} (${options.mesh} needs ≥ ${minKernel.release})`,
      evidence,
      remediation: [],
    };
  },
} satisfies Check<KernelCheckFacts>;
