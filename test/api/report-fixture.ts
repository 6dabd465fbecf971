/**
 * Builds valid Report objects for the API tests; every report goes through ReportSchema.parse, so a
 * fixture that drifts from the contract fails loudly instead of testing something the agent never sends.
 */
import { ReportSchema, verdictOf } from '../../src/core/report.ts';
import type {
  CheckResult,
  CheckStatus,
  InitContainerFinding,
  ModuleReport,
  ModuleState,
  ObservedBackend,
  Report,
} from '../../src/core/report.ts';

/** A check result with the given id and status. */
export function check(id: string, status: CheckStatus, summary = `${id} is ${status}`): CheckResult {
  return {
    id,
    title: id.replace(/-/g, ' '),
    status,
    summary,
    evidence: status === 'pass' ? [] : [`/proc/modules: ${id}`],
    remediation: status === 'fail' ? [`modprobe ${id}`] : [],
  };
}

/** A module entry with the given state. */
export function mod(name: string, state: ModuleState): ModuleReport {
  return { name, state, source: state === 'builtin' ? 'modules.builtin' : '/proc/modules', requiredFor: ['nat'] };
}

/** An init-container finding; override any field. */
export function finding(partial: Partial<InitContainerFinding> = {}): InitContainerFinding {
  return {
    namespace: 'default',
    pod: 'web-0',
    container: 'istio-init',
    restartCount: 1,
    source: 'log-scan',
    category: 'missing-module',
    nodeProblem: true,
    modules: ['xt_REDIRECT'],
    matchedLine: "iptables-restore: line 3 failed",
    explanation: 'the REDIRECT target is missing',
    remediation: ['modprobe xt_REDIRECT'],
    ...partial,
  };
}

/** What a fixture report may vary. */
export interface ReportFixture {
  node?: string;
  checks?: CheckResult[];
  modules?: ModuleReport[];
  backend?: ObservedBackend | null;
  initContainers?: InitContainerFinding[];
  generatedAt?: string;
}

/** A full, schema-valid report; the verdict follows the checks by the contract's own rule. */
export function buildReport(fixture: ReportFixture = {}): Report {
  const checks = fixture.checks ?? [check('kernel', 'pass'), check('modules', 'pass')];
  const backend = fixture.backend === undefined ? 'nft' : fixture.backend;
  return ReportSchema.parse({
    schemaVersion: 1,
    node: fixture.node ?? 'node-a',
    mesh: 'istio',
    verdict: verdictOf(checks),
    generatedAt: fixture.generatedAt ?? '2025-01-02T03:04:05.000Z',
    options: {
      mesh: 'istio',
      backend: 'auto',
      dnsCapture: false,
      interception: 'redirect',
      ipv6: false,
      probe: false,
      hostRoot: '/',
    },
    kernel: { release: '6.1.0-18-amd64' },
    os: { id: 'debian', prettyName: 'Debian GNU/Linux 12 (bookworm)', family: 'debian' },
    checks,
    modules: fixture.modules ?? [mod('ip_tables', 'loaded'), mod('xt_REDIRECT', 'loadable')],
    iptables:
      backend === null
        ? undefined
        : {
            backend,
            meshBackend: backend === 'legacy' ? 'legacy' : 'nft',
            meshBackendSource: 'auto',
            modes: [{ backend: 'nft', ready: true, missing: [], notLoaded: [] }],
          },
    initContainers: fixture.initContainers ?? [],
  });
}
