/**
 * The JSON report: the one contract that the CLI, the HTTP API, node labels, fixes and the dashboard
 * all reuse. Everything here is validated by zod so that a report read back (from a file, an API or an
 * annotation) is checked, not trusted.
 */
import { z } from 'zod';

export * from './report-enums.ts';
import { CheckStatusSchema, DataplaneSchema, MeshSchema, ModuleStateSchema, ObservedBackendSchema, OptionSourceSchema, RuleBackendSchema, VerdictSchema } from './report-enums.ts';

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

/** Where an option's value came from: a flag, its default, the cluster, or an automatic decision. */
export const OptionSourcesSchema = z.record(z.string(), z.enum(['flag', 'default', 'cluster', 'auto']));

export const CheckOptionsSchemaForReport = z.object({
  mesh: MeshSchema,
  backend: z.enum(['auto', 'nft', 'legacy']),
  dnsCapture: z.boolean(),
  interception: z.enum(['redirect', 'tproxy']),
  ipv6: z.boolean(),
  probe: z.boolean(),
  hostRoot: z.string(),
  /** Added with issue 16; optional so that older reports still parse. */
  dataplane: DataplaneSchema.optional(),
  nativeNftables: z.boolean().optional(),
  cni: z.boolean().optional(),
  /** The profile version requirements were derived for (`X.Y`): --mesh-version, or the nearest known one. */
  meshVersion: z.string().optional(),
  optionSources: z.record(z.string(), OptionSourceSchema).optional(),
  /** Why ipv6 has its value when it was decided automatically (written by the ipv6-auto branch). */
  ipv6Reason: z.string().optional(),
});

/** The issue-17 autoload verdict a mode entry may carry (filled where autoload facts are known). */
export const ModeAutoloadSchema = z.object({ value: z.enum(['yes', 'no', 'unknown']), reason: z.string() });

/**
 * One way the chosen mesh can intercept traffic (dataplane × rule backend × native nftables), and whether
 * this node can run it: so an operator moving from sidecars to ambient sees, node by node, what it needs.
 */
export const ModeReadinessSchema = z.object({
  mesh: MeshSchema,
  dataplane: DataplaneSchema,
  /** The iptables backend (`nft` also for native nftables, where no iptables binary is involved). */
  backend: RuleBackendSchema,
  nativeNftables: z.boolean().optional(),
  /** The mode the checks above were run for. */
  selected: z.boolean().optional(),
  ready: z.boolean(),
  missing: z.array(z.string()),
  notLoaded: z.array(z.string()),
  unknown: z.array(z.string()).default([]),
  notes: z.array(z.string()).default([]),
  /** With --probe: whether the mode's real rules applied in a throwaway namespace. */
  probe: z.object({ ok: z.boolean(), detail: z.string() }).optional(),
  autoload: ModeAutoloadSchema.optional(),
});
export type ModeReadiness = z.infer<typeof ModeReadinessSchema>;

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
  /** Every mode of the chosen mesh and whether this node can run it (issue 16). */
  modes: z.array(ModeReadinessSchema).optional(),
  /** Report-level warnings, e.g. an unknown --mesh-version replaced by the nearest known one. */
  warnings: z.array(z.string()).optional(),
});
export type Report = z.infer<typeof ReportSchema>;
