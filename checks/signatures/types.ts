/**
 * The shape of one init-container log signature. Signatures are data: the engine in
 * src/diagnose/classify.ts matches them and derives modules; no signature carries code.
 */
import type { DiagnosisCategory } from '../../src/diagnose/types.ts';

/**
 * Named groups a pattern may capture, which the engine turns into modules, table and extension:
 * `family` (iptables | ip6tables), `backend` (legacy | nf_tables), `table`, `ext` (match/target name),
 * `kind` (match | target), `module` (a module name as modprobe or SELinux prints it), `chain`, `line`
 * (the failing iptables-restore line number), `binary`, `option` (a match/target option such as `--to-ports`), `modules` (a space- or comma-separated list of module names).
 */
export interface Signature {
  /** kebab-case, unique. */
  id: string;
  category: DiagnosisCategory;
  /** true when the node (kernel, modules, backend, SELinux, IPv6) explains the failure. */
  nodeProblem: boolean;
  /** Higher wins when one log holds several failures (SELinux before privileges before a table...). */
  priority: number;
  /** Real wordings across versions; any one matching a line is a hit. Kept free of nested quantifiers. */
  patterns: RegExp[];
  /**
   * Where modules come from: the named groups (default), the iptables command logged just before the
   * matched line, the iptables-restore input line the error points at, the nft statement that `nft`
   * echoes on the line after its error, the extension that owns the `option` group (read from the
   * failing rule when the log has it), the kind of object a command on or just before the matched line
   * asks for (`ip link add ... type KIND`, `ipset create NAME TYPE`, `tc qdisc add ... KIND`), or nowhere.
   */
  derive?: 'groups' | 'previous-command' | 'restore-line' | 'nft-statement' | 'option-owner' | 'link-kind' | 'none';
  /** Fixed modules; `{core}` expands to ip_tables / ip6_tables (or nf_tables on nft) for the family. */
  modules?: string[];
  /** Extra conditions, all of which must hold for the signature to apply. */
  when?: {
    /** The iptables command logged within a few lines before the match must match this. */
    previousCommand?: RegExp;
    /** The iptables-restore input line named by the `line` group (as printed in the log) must match. */
    restoreLine?: RegExp;
    /** Some line of the log (anywhere) must match. */
    elsewhere?: RegExp;
    /** No line of the log may match (a message that would explain the same line better). */
    nowhere?: RegExp;
    /**
     * true: the `ext`/`chain` group must name a real xtables extension; false: it must not (then it is a
     * chain someone references before it exists). Judged by the engine's list of kernel targets.
     */
    extensionKnown?: boolean;
    /**
     * true: derivation must have produced at least one module (else the next signature gets the line);
     * false: it must have produced none (the line is not about a module).
     */
    derivedModules?: boolean;
    /**
     * The failing rule (the command logged before the line, or the rule the line quotes) was found and
     * uses no match or target that lives in a module: the kernel refused something basic.
     */
    ruleWithoutExtension?: boolean;
    /**
     * true: the log (or the context's backend) shows both iptables backends at work: a `(legacy)` or
     * pre-1.8 (legacy-only) iptables next to `(nf_tables)`, or the `iptables-legacy tables present`
     * warning. false: it must not. Judged by the engine, once per log.
     */
    backendConflict?: boolean;
  };
  /**
   * Applies without any text match when the container context says so (exit code documented by the
   * mesh, container name, pod label); the matched line is then a description of that context.
   */
  context?: { exitCodes?: number[]; containers?: RegExp; labels?: Record<string, string> };
  /** Plain explanation; placeholders {table} {extension} {modules} {chain} {chainIn} {line} {restoreLine} {family}. */
  explanation: string;
  /** Exact steps; same placeholders. */
  remediation: string[];
  /** Where the wording was seen: issue/doc URL or repo+path. */
  source: string;
}
