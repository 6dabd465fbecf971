/**
 * A small cluster for the dashboard tests: one node in each state, the agent's own node with a full
 * report, and one entry whose name and annotation text carry HTML payloads (the directory is untrusted
 * input: a compromised peer could publish anything in its annotation).
 */
import type { NodeReadiness } from '../../src/api/types.ts';
import type { Report } from '../../src/core/report.ts';
import { buildReport, check, finding, mod } from '../api/report-fixture.ts';

/** The fixed clock of the tests, so "N min ago" and screenshots are stable. */
export const NOW = Date.parse('2025-06-01T12:00:00Z');

/** HTML payloads the pages must show as text. */
export const EVIL_NAME = '<img src=x onerror=alert(1)>';
export const EVIL_MODULE = '<script>alert("module")</script>';
export const EVIL_MESSAGE = '"><svg onload=alert(2)>';
export const EVIL_LOG_LINE = '<script>alert(3)</script> iptables-restore: line 4 failed';
export const EVIL_EVIDENCE = '</code></pre><script>alert(4)</script>';

/** The agent's own node. */
export const SELF = 'node-self';

/** The own node's report: `modules` fails (xt_owner missing), one diagnosed istio-init failure. */
export function selfReport(): Report {
  const failing = {
    ...check('modules', 'fail', 'required module xt_owner is missing'),
    title: 'Kernel modules',
    evidence: ['/proc/modules: xt_owner not listed', EVIL_EVIDENCE],
    remediation: ['modprobe xt_owner', "echo xt_owner > /etc/modules-load.d/mesh-preflight.conf"],
  };
  return buildReport({
    node: SELF,
    generatedAt: '2025-06-01T11:58:00Z',
    checks: [check('kernel', 'pass'), failing, check('sysctl', 'warn', 'net.ipv4.ip_forward is 0')],
    modules: [mod('ip_tables', 'builtin'), mod('xt_owner', 'missing'), mod('xt_REDIRECT', 'loadable')],
    initContainers: [
      finding({
        pod: 'reviews-v1-7d8f9',
        matchedLine: EVIL_LOG_LINE,
        modules: ['xt_owner'],
        explanation: 'iptables-restore could not load the owner match: xt_owner is not available',
        remediation: ['modprobe xt_owner'],
      }),
    ],
  });
}

const heartbeat = (iso: string) => ({ lastHeartbeatTime: iso });

/** The cluster view: 2 ready-ish, 3 not ready (incl. self and the HTML one), 2 never checked. */
export function clusterNodes(): NodeReadiness[] {
  return [
    {
      name: 'node-ready',
      ready: 'true',
      backend: 'nft',
      mesh: 'istio',
      condition: { status: 'True', reason: 'MeshInterceptionReady', message: 'istio traffic interception can be set up on this node, nft rules', ...heartbeat('2025-06-01T11:55:00Z') },
      summary: { verdict: 'ready', failing: [], missing: [], generatedAt: '2025-06-01T11:55:00Z' },
    },
    {
      name: 'node-degraded',
      ready: 'true',
      backend: 'legacy',
      mesh: 'linkerd',
      condition: { status: 'True', reason: 'MeshInterceptionDegraded', message: 'linkerd interception should work, with warnings: sysctl', ...heartbeat('2025-06-01T10:00:00Z') },
      summary: { verdict: 'degraded', failing: [], missing: [], generatedAt: '2025-06-01T09:30:00Z' },
    },
    {
      name: 'node-broken',
      ready: 'false',
      backend: 'nft',
      mesh: 'istio',
      condition: { status: 'False', reason: 'MeshInterceptionNotReady', message: 'istio interception will fail on this node: modules', ...heartbeat('2025-06-01T11:00:00Z') },
      summary: { verdict: 'not-ready', failing: ['modules'], missing: ['xt_REDIRECT', 'nf_nat'], generatedAt: '2025-06-01T11:00:00Z' },
    },
    { name: 'node-new', ready: 'unknown' },
    {
      name: 'node-pending',
      ready: 'unknown',
      condition: { status: 'Unknown', reason: 'NotYetChecked', message: 'mesh-preflight has not checked this node yet', ...heartbeat('2025-06-01T11:59:00Z') },
    },
    {
      name: EVIL_NAME,
      ready: 'false',
      backend: 'legacy',
      mesh: 'istio',
      condition: { status: 'False', reason: 'MeshInterceptionNotReady', message: EVIL_MESSAGE },
      summary: { verdict: 'not-ready', failing: ['modules'], missing: [EVIL_MODULE], generatedAt: '2025-06-01T08:00:00Z' },
    },
    {
      name: SELF,
      ready: 'false',
      backend: 'nft',
      mesh: 'istio',
      condition: { status: 'False', reason: 'MeshInterceptionNotReady', message: 'istio interception will fail on this node: modules (required module xt_owner is missing)', ...heartbeat('2025-06-01T11:58:00Z') },
      summary: { verdict: 'not-ready', failing: ['modules'], missing: ['xt_owner'], generatedAt: '2025-06-01T11:58:00Z' },
    },
  ];
}

/** Expected counts for clusterNodes(). */
export const EXPECTED_COUNTS = { all: 7, ready: 1, degraded: 1, 'not-ready': 3, unchecked: 2 } as const;
