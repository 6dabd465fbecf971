/**
 * The check options shared by every command that runs the checks (`check`, `fix`, `diagnose`, `agent`).
 * Validated with zod at the CLI boundary; the rest of the code receives a parsed CheckOptions.
 */
import { z } from 'zod';
import { DataplaneSchema, MeshSchema, OptionSourceSchema } from './report-enums.ts';

export const BackendChoiceSchema = z.enum(['auto', 'nft', 'legacy']);
export type BackendChoice = z.infer<typeof BackendChoiceSchema>;

export const InterceptionSchema = z.enum(['redirect', 'tproxy']);
export type Interception = z.infer<typeof InterceptionSchema>;

/** Container names of the mesh init containers the log scan and watcher look for. */
export const DEFAULT_INIT_CONTAINERS = ['istio-init', 'istio-validation', 'linkerd-init'] as const;

/** `X.Y`, as --mesh-version takes it. */
export const MeshVersionSchema = z.string().regex(/^\d+\.\d+$/, 'expected a version X.Y (e.g. 1.28)');
/** Where an option's value came from (report `options.optionSources`). */
export { OptionSourceSchema };
export type OptionSource = z.infer<typeof OptionSourceSchema>;

export const CheckOptionsSchema = z.object({
  mesh: MeshSchema.default('istio'),
  backend: BackendChoiceSchema.default('auto'),
  dnsCapture: z.boolean().default(false),
  interception: InterceptionSchema.default('redirect'),
  /** sidecar, or Istio's ambient (ztunnel + istio-cni node agent). */
  dataplane: DataplaneSchema.default('sidecar'),
  /** The mesh writes nft rules itself (Istio values.global.nativeNftables): no iptables binary at all. */
  nativeNftables: z.boolean().default(false),
  /** Sidecar rules applied by the mesh's CNI plugin on the host instead of an init container. */
  cni: z.boolean().default(false),
  /** The mesh release requirements follow; default: the newest the profile knows. */
  meshVersion: MeshVersionSchema.optional(),
  ipv6: z.boolean().default(false),
  probe: z.boolean().default(false),
  hostRoot: z.string().min(1).default('/'),
  /** Extra init container names to scan and watch, on top of the defaults. */
  initContainers: z.array(z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)).default([]),
  /** Node name for the report; defaults to the host name. */
  nodeName: z.string().min(1).optional(),
  /** Where each option's value came from: `flag`, `default` (and `cluster`/`auto` from other sources). */
  optionSources: z.record(z.string(), OptionSourceSchema).default({}),
  /** Why `ipv6` is what it is, when it was decided automatically. */
  ipv6Reason: z.string().optional(),
});
export type CheckOptions = z.infer<typeof CheckOptionsSchema>;

/** CheckOptions with every default applied, for tests and library callers. */
export function checkOptions(partial: Partial<CheckOptions> = {}): CheckOptions {
  return CheckOptionsSchema.parse(partial);
}
