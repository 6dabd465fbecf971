/**
 * The JSON report: the one contract that the CLI, the HTTP API, node labels, fixes and the dashboard
 * all reuse. Everything here is validated by zod so that a report read back (from a file, an API or an
 * annotation) is checked, not trusted.
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

export const meshes = ['istio', 'linkerd'] as const;
export const MeshSchema = z.enum(meshes);
export type Mesh = z.infer<typeof MeshSchema>;

/** Backend of the node's rules, as observed. */
export const observedBackends = ['nft', 'legacy', 'mixed', 'none', 'unknown'] as const;
export const ObservedBackendSchema = z.enum(observedBackends);
export type ObservedBackend = z.infer<typeof ObservedBackendSchema>;

/** Backend an iptables binary (and so a mesh init container) programs. */
export const RuleBackendSchema = z.enum(['nft', 'legacy']);
export type RuleBackend = z.infer<typeof RuleBackendSchema>;

export const CheckResultSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/),
  title: z.string(),
  status: CheckStatusSchema,
  summary: z.string(),
  /** What was read or run, and the deciding line: `path: line` or `$ command: line`. */
  evidence: z.array(z.string()),
  /** Exact commands or steps; empty when there is nothing to do. */
  remediation: z.array(z.string()),
  durationMs: z.number().nonnegative().optional(),
});
export type CheckResult = z.infer<typeof CheckResultSchema>;

export const ModuleReportSchema = z.object({
  name: z.string(),
  state: ModuleStateSchema,
  /** Where the state was read: `/proc/modules`, `modules.builtin`, `config: CONFIG_X=y`, ... */
  source: z.string(),
  /** Why the mesh needs it (the table, match or target). */
  requiredFor: z.array(z.string()).default([]),
  /** Set when the module was renamed or merged on this kernel: the module that provides it. */
  providedBy: z.string().optional(),
});
export type ModuleReport = z.infer<typeof ModuleReportSchema>;

/** Will the mesh's pod get the required modules that are not loaded yet (src/autoload/judge.ts)? */
export const AutoloadValueSchema = z.enum(['yes', 'no', 'unknown']);
export const AutoloadJudgementSchema = z.object({
  value: AutoloadValueSchema,
  /** The cause(s), naming the modules concerned. */
  reason: z.string(),
});
export type AutoloadJudgementReport = z.infer<typeof AutoloadJudgementSchema>;

/** The node facts the autoload judgement is made from, each with the file (and line) it was read from. */
export const AutoloadReportSchema = z.object({
  selinux: z.object({
    mode: z.enum(['enforcing', 'permissive', 'disabled', 'off', 'unknown']),
    policyType: z.string().optional(),
  }),
  modulesDisabled: z.boolean().optional(),
  /** kernel.modprobe ('' when empty). */
  modprobePath: z.string().optional(),
  /** modprobe.d install/blacklist lines naming a required module. */
  modprobeD: z
    .array(z.object({ kind: z.enum(['install', 'blacklist']), module: z.string(), file: z.string(), line: z.number().int().positive(), text: z.string() }))
    .default([]),
  /** ip_tables / ip6_tables loaded (or built in): legacy iptables can bootstrap. */
  ipTablesLoaded: z.boolean().optional(),
  ip6TablesLoaded: z.boolean().optional(),
  evidence: z.array(z.string()).default([]),
});
export type AutoloadReport = z.infer<typeof AutoloadReportSchema>;

export const BackendReadinessSchema = z.object({
  backend: RuleBackendSchema,
  ready: z.boolean(),
  /** Required modules that are `missing` for this mode. */
  missing: z.array(z.string()),
  /** Required modules that are `loadable` but not loaded for this mode. */
  notLoaded: z.array(z.string()),
  /** Required modules whose state could not be established. */
  unknown: z.array(z.string()).default([]),
  notes: z.array(z.string()).default([]),
  /** Whether the mesh's pod gets the notLoaded modules by autoload (optional: older reports lack it). */
  autoload: AutoloadJudgementSchema.optional(),
});
export type BackendReadiness = z.infer<typeof BackendReadinessSchema>;

export const IptablesReportSchema = z.object({
  /** Where the node's own rules live. */
  backend: ObservedBackendSchema,
  /** The backend the mesh's init container is expected to use (what requirements were derived for). */
  meshBackend: RuleBackendSchema,
  /** How meshBackend was chosen: `--backend` flag or `auto` (follows the node). */
  meshBackendSource: z.enum(['flag', 'auto']),
  /** Output of the host's `iptables --version`, when found. */
  hostVersion: z.string().optional(),
  /** Kernel 6.17+: whether legacy xtables is compiled in (CONFIG_NETFILTER_XTABLES_LEGACY). */
  legacyXtablesAvailable: z.boolean().optional(),
  /** Readiness per backend mode, so the other mode is visible as information. */
  modes: z.array(BackendReadinessSchema),
});
export type IptablesReport = z.infer<typeof IptablesReportSchema>;

export const InitContainerFindingSchema = z.object({
  namespace: z.string(),
  pod: z.string(),
  podUid: z.string().optional(),
  container: z.string(),
  restartCount: z.number().int().nonnegative().optional(),
  observedAt: z.string().optional(),
  source: z.enum(['log-scan', 'watch']),
  category: z.string(),
  nodeProblem: z.boolean(),
  modules: z.array(z.string()),
  table: z.string().optional(),
  extension: z.string().optional(),
  matchedLine: z.string(),
  explanation: z.string(),
  remediation: z.array(z.string()),
});
export type InitContainerFinding = z.infer<typeof InitContainerFindingSchema>;

export const FixActionSchema = z.object({
  at: z.string(),
  kind: z.enum(['modprobe', 'persist', 'undo']),
  target: z.string(),
  ok: z.boolean(),
  message: z.string(),
});
export type FixAction = z.infer<typeof FixActionSchema>;

export const CheckOptionsSchemaForReport = z.object({
  mesh: MeshSchema,
  backend: z.enum(['auto', 'nft', 'legacy']),
  dnsCapture: z.boolean(),
  interception: z.enum(['redirect', 'tproxy']),
  ipv6: z.boolean(),
  probe: z.boolean(),
  hostRoot: z.string(),
});

export const ReportSchema = z.object({
  schemaVersion: z.literal(1),
  node: z.string(),
  mesh: MeshSchema,
  verdict: VerdictSchema,
  generatedAt: z.string(),
  options: CheckOptionsSchemaForReport,
  kernel: z.object({ release: z.string().optional(), version: z.string().optional() }),
  os: z.object({ id: z.string().optional(), prettyName: z.string().optional(), family: z.string().optional() }),
  checks: z.array(CheckResultSchema),
  modules: z.array(ModuleReportSchema),
  iptables: IptablesReportSchema.optional(),
  autoload: AutoloadReportSchema.optional(),
  initContainers: z.array(InitContainerFindingSchema).default([]),
  fixes: z.array(FixActionSchema).default([]),
});
export type Report = z.infer<typeof ReportSchema>;

/**
 * Verdict rules: any `fail` → not-ready; else any `warn` → degraded; else ready.
 * `skip` never changes the verdict by itself (a skipped check says why in its summary).
 */
export function verdictOf(checks: readonly Pick<CheckResult, 'status'>[]): Verdict {
  if (checks.some((c) => c.status === 'fail')) return 'not-ready';
  if (checks.some((c) => c.status === 'warn')) return 'degraded';
  return 'ready';
}
