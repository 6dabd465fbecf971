/**
 * The check options shared by every command that runs the checks (`check`, `fix`, `diagnose`, `agent`).
 * Validated with zod at the CLI boundary; the rest of the code receives a parsed CheckOptions.
 */
import { z } from 'zod';
import { MeshSchema, OptionSourcesSchema } from './report.ts';

export const BackendChoiceSchema = z.enum(['auto', 'nft', 'legacy']);
export type BackendChoice = z.infer<typeof BackendChoiceSchema>;

export const InterceptionSchema = z.enum(['redirect', 'tproxy']);
export type Interception = z.infer<typeof InterceptionSchema>;

/** Container names of the mesh init containers the log scan and watcher look for. */
export const DEFAULT_INIT_CONTAINERS = ['istio-init', 'istio-validation', 'linkerd-init'] as const;

/** Where an option's value came from (report `options.optionSources`). */
export const OptionSourceSchema = z.enum(['flag', 'default', 'cluster', 'auto']);
export type OptionSource = z.infer<typeof OptionSourceSchema>;

export const CheckOptionsSchema = z.object({
  mesh: MeshSchema.default('istio'),
  backend: BackendChoiceSchema.default('auto'),
  dnsCapture: z.boolean().default(false),
  interception: InterceptionSchema.default('redirect'),
  ipv6: z.boolean().default(false),
  probe: z.boolean().default(false),
  hostRoot: z.string().min(1).default('/'),
  /** Extra init container names to scan and watch, on top of the defaults. */
  initContainers: z.array(z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)).default([]),
  /** Node name for the report; defaults to the host name. */
  nodeName: z.string().min(1).optional(),
  /** Where each option's value came from (report `options.optionSources`); absent ones are unrecorded. */
  optionSources: OptionSourcesSchema.optional(),
  /** Why `ipv6` is what it is, when it was decided automatically. */
  ipv6Reason: z.string().optional(),
  // Issue 16's mode options (names agreed in COORDINATION.md; branch `modes` adds their flags).
  dataplane: z.enum(['sidecar', 'ambient']).default('sidecar'),
  nativeNftables: z.boolean().default(false),
  cni: z.boolean().default(false),
  meshVersion: z.string().regex(/^\d+\.\d+$/).optional(),
});
export type CheckOptions = z.infer<typeof CheckOptionsSchema>;

/** CheckOptions with every default applied, for tests and library callers. */
export function checkOptions(partial: Partial<CheckOptions> = {}): CheckOptions {
  return CheckOptionsSchema.parse(partial);
}
