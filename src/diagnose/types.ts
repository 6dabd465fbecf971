/**
 * Vocabulary of a log diagnosis: categories, one finding, the classifier's result and the JSON that
 * `mesh-preflight diagnose -o json` prints. zod schemas so that output read back is checked.
 */
import { z } from 'zod';
import { InitContainerFindingSchema } from '../core/report.ts';

/** Why a mesh init container failed. `config-error` is the mesh's own configuration, not the node. */
export const diagnosisCategories = [
  'missing-kernel-module',
  'missing-iptables-table',
  'missing-xtables-extension',
  'iptables-backend-mismatch',
  'insufficient-privileges',
  'xtables-lock',
  'selinux',
  'ipv6-unsupported',
  'config-error',
  'unknown',
] as const;
export const DiagnosisCategorySchema = z.enum(diagnosisCategories);
export type DiagnosisCategory = z.infer<typeof DiagnosisCategorySchema>;

/** One explained failure found in a log. */
export const DiagnosisSchema = z.object({
  category: DiagnosisCategorySchema,
  /** The node (kernel, modules, backend, SELinux, IPv6) explains the failure. */
  nodeProblem: z.boolean(),
  /** Kernel modules implicated, derived from the message (`table 'raw'` → iptable_raw). */
  modules: z.array(z.string()),
  table: z.string().optional(),
  extension: z.string().optional(),
  /** The backend the failing binary used, when the log says (`(nf_tables)`, `(legacy)`). */
  backend: z.enum(['nft', 'legacy']).optional(),
  matchedLine: z.string(),
  /** 1-based line of matchedLine in the scanned text (after capping); 0 when matched on context only. */
  lineNumber: z.number().int().nonnegative(),
  explanation: z.string(),
  remediation: z.array(z.string()),
  signatureId: z.string().optional(),
  /** Where the signature's wording comes from. */
  source: z.string().optional(),
});
export type Diagnosis = z.infer<typeof DiagnosisSchema>;

/** classifyLog's result: the top-level fields are the primary finding; `findings` holds all of them. */
export const DiagnosisResultSchema = DiagnosisSchema.extend({
  findings: z.array(DiagnosisSchema),
  /** How much of the input was scanned (bounded), for honesty about truncation. */
  scanned: z.object({ bytes: z.number().int().nonnegative(), lines: z.number().int().nonnegative(), truncated: z.boolean() }),
});
export type DiagnosisResult = z.infer<typeof DiagnosisResultSchema>;

/** One module of a diagnosis checked against the node's own report. */
export const NodeModuleJoinSchema = z.object({
  name: z.string(),
  state: z.enum(['loaded', 'builtin', 'loadable', 'missing', 'unknown', 'not-checked']),
  source: z.string().optional(),
  line: z.string(),
});
export type NodeModuleJoin = z.infer<typeof NodeModuleJoinSchema>;

export const NodeJoinSchema = z.object({
  /** true: this node explains the failure; false: it does not; undefined: cannot tell. */
  explainedHere: z.boolean().optional(),
  modules: z.array(NodeModuleJoinSchema),
  lines: z.array(z.string()),
});
export type NodeJoin = z.infer<typeof NodeJoinSchema>;

/** JSON printed by `mesh-preflight diagnose --output json`. */
export const DiagnoseOutputSchema = z.object({
  // The same fields an init-container finding in the report carries, with the category narrowed.
  ...InitContainerFindingSchema.pick({
    nodeProblem: true,
    modules: true,
    table: true,
    extension: true,
    matchedLine: true,
    explanation: true,
    remediation: true,
  }).shape,
  category: DiagnosisCategorySchema,
  signatureId: z.string().optional(),
  findings: z.array(DiagnosisSchema),
  node: NodeJoinSchema.optional(),
});
export type DiagnoseOutput = z.infer<typeof DiagnoseOutputSchema>;
