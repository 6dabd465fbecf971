/**
 * The report's enumerations and the verdict rule, apart from the report's object schemas (report.ts):
 * a check imports these, and only a reader of reports builds the whole ReportSchema.
 */
import { z } from 'zod';

export const checkStatuses = ['pass', 'warn', 'fail', 'skip'] as const;
export const CheckStatusSchema = z.enum(checkStatuses);
export type CheckStatus = z.infer<typeof CheckStatusSchema>;

export const moduleStates = ['loaded', 'builtin', 'loadable', 'missing', 'unknown'] as const;
export const ModuleStateSchema = z.enum(moduleStates);
export type ModuleState = z.infer<typeof ModuleStateSchema>;

export const verdicts = ['ready', 'degraded', 'not-ready'] as const;
export const VerdictSchema = z.enum(verdicts);
export type Verdict = z.infer<typeof VerdictSchema>;

export const meshes = ['istio', 'linkerd', 'kuma', 'consul'] as const;
export const MeshSchema = z.enum(meshes);
export type Mesh = z.infer<typeof MeshSchema>;

/** Backend of the node's rules, as observed. */
export const observedBackends = ['nft', 'legacy', 'mixed', 'none', 'unknown'] as const;
export const ObservedBackendSchema = z.enum(observedBackends);
export type ObservedBackend = z.infer<typeof ObservedBackendSchema>;

/** How the mesh's proxy is attached to pods: a sidecar per pod, or Istio's ambient node proxy (ztunnel). */
export const dataplanes = ['sidecar', 'ambient'] as const;
export const DataplaneSchema = z.enum(dataplanes);
export type Dataplane = z.infer<typeof DataplaneSchema>;

/** Where an option's value came from (report `options.optionSources`). */
export const OptionSourceSchema = z.enum(['flag', 'default', 'cluster', 'auto']);
export type OptionSource = z.infer<typeof OptionSourceSchema>;

/** Backend an iptables binary (and so a mesh init container) programs. */
export const RuleBackendSchema = z.enum(['nft', 'legacy']);
export type RuleBackend = z.infer<typeof RuleBackendSchema>;

/**
 * Verdict rules: any `fail` → not-ready; else any `warn` → degraded; else ready.
 * `skip` never changes the verdict by itself (a skipped check says why in its summary).
 */
export function verdictOf(checks: readonly { status: CheckStatus }[]): Verdict {
  if (checks.some((c) => c.status === 'fail')) return 'not-ready';
  if (checks.some((c) => c.status === 'warn')) return 'degraded';
  return 'ready';
}
