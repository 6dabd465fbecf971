import test from 'ava';
import type { NodeInfo } from '../../src/kube/client.ts';
import {
  ANNOTATION_MAX_BYTES,
  CONDITION_TYPE,
  cleanupPatches,
  desiredNodeState,
  diffNodeState,
  isValidLabelValue,
  parseReportAnnotation,
  reportAnnotation,
} from '../../src/kube/node-status.ts';
import { check, makeReport, notReadyReport } from './fixtures.ts';
import { checkNode } from '../../src/core/check-node.ts';
import { checkOptions } from '../../src/core/options.ts';
import { fixtureExec } from '../helpers/fixture-exec.ts';
import { hostFixturePath } from '../fixtures/hosts/index.ts';

const now = new Date('2025-06-01T12:00:00Z');
const baseNode = (): NodeInfo => ({
  name: 'n1',
  labels: { 'kubernetes.io/hostname': 'n1', 'other.io/ready': 'false' },
  annotations: { 'other.io/report': '{}' },
  conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }],
});

/** Applies our patches the way the API server would, for the keys we use. */
function applyPatches(node: NodeInfo, p: ReturnType<typeof diffNodeState>): NodeInfo {
  const out = structuredClone(node);
  for (const [k, v] of Object.entries(p.metadata?.metadata.labels ?? {})) v === null ? delete out.labels[k] : (out.labels[k] = v);
  for (const [k, v] of Object.entries(p.metadata?.metadata.annotations ?? {})) v === null ? delete out.annotations[k] : (out.annotations[k] = v);
  for (const c of p.status?.status.conditions ?? []) {
    const i = out.conditions.findIndex((x) => x.type === c['type']);
    if (c['$patch'] === 'delete') out.conditions.splice(i, 1);
    else if (i >= 0) out.conditions[i] = { ...out.conditions[i]!, ...c } as never;
    else out.conditions.push(c as never);
  }
  return out;
}

test('labels for a ready report are valid label values under our prefix', (t) => {
  const d = desiredNodeState(makeReport({ backend: 'nft' }));
  t.deepEqual(d.labels, { 'mesh-preflight.io/ready': 'true', 'mesh-preflight.io/iptables-backend': 'nft', 'mesh-preflight.io/mesh': 'istio' });
  for (const v of Object.values(d.labels)) t.true(isValidLabelValue(v!));
  t.like(d.condition, { type: CONDITION_TYPE, status: 'True', reason: 'MeshInterceptionReady' });
});

test('verdicts map to ready label and condition status/reason', (t) => {
  const degraded = desiredNodeState(makeReport({ checks: [check('sysctl', 'warn')] }));
  t.is(degraded.labels['mesh-preflight.io/ready'], 'true');
  t.like(degraded.condition, { status: 'True', reason: 'MeshInterceptionDegraded' });
  const bad = desiredNodeState(notReadyReport());
  t.is(bad.labels['mesh-preflight.io/ready'], 'false');
  t.like(bad.condition, { status: 'False', reason: 'MeshInterceptionNotReady' });
  t.regex(bad.condition.message, /modules \(xt_owner missing\).*missing kernel modules: xt_owner/);
  t.is(desiredNodeState(makeReport({ backend: 'mixed' })).labels['mesh-preflight.io/iptables-backend'], 'mixed');
});

test('custom prefix is used; an invalid prefix is refused', (t) => {
  const d = desiredNodeState(makeReport(), { prefix: 'preflight.example.com/' });
  t.true(Object.keys(d.labels).every((k) => k.startsWith('preflight.example.com/')));
  t.truthy(d.annotations['preflight.example.com/report']);
  t.throws(() => desiredNodeState(makeReport(), { prefix: 'Bad_Prefix' }), { message: /invalid label prefix/ });
});

test('not checked yet: condition Unknown NotYetChecked, labels untouched', (t) => {
  const d = desiredNodeState(undefined);
  t.like(d.condition, { status: 'Unknown', reason: 'NotYetChecked' });
  t.deepEqual(d.labels, {});
  const p = diffNodeState(baseNode(), d, now);
  t.is(p.metadata, undefined);
  t.like(p.status!.status.conditions[0], { type: CONDITION_TYPE, status: 'Unknown', lastHeartbeatTime: '2025-06-01T12:00:00Z', lastTransitionTime: '2025-06-01T12:00:00Z' });
});

test('first publish patches only our keys; foreign labels are never named', (t) => {
  const p = diffNodeState(baseNode(), desiredNodeState(makeReport()), now);
  const keys = [...Object.keys(p.metadata!.metadata.labels!), ...Object.keys(p.metadata!.metadata.annotations!)];
  t.true(keys.every((k) => k.startsWith('mesh-preflight.io/')));
  t.is(p.status!.status.conditions.length, 1);
  t.is(p.status!.status.conditions[0]!['type'], CONDITION_TYPE);
});

test('no patch at all when nothing changed and the heartbeat is fresh', (t) => {
  const desired = desiredNodeState(makeReport());
  const node = applyPatches(baseNode(), diffNodeState(baseNode(), desired, now));
  t.deepEqual(diffNodeState(node, desired, new Date(now.getTime() + 59 * 60_000)), {});
  // A new report with the same content but a new generatedAt costs no write either.
  t.deepEqual(diffNodeState(node, desiredNodeState(makeReport({ generatedAt: '2025-06-01T13:00:00Z' })), new Date(now.getTime() + 60_000)), {});
  // A changed summary (new backend) rewrites labels and annotation.
  const changed = diffNodeState(node, desiredNodeState(makeReport({ backend: 'legacy' })), new Date(now.getTime() + 60_000));
  t.deepEqual(Object.keys(changed.metadata!.metadata).sort(), ['annotations', 'labels']);
  t.deepEqual(changed.metadata!.metadata.labels, { 'mesh-preflight.io/iptables-backend': 'legacy' });
});

test('heartbeat refresh after heartbeatMinutes keeps lastTransitionTime', (t) => {
  const desired = desiredNodeState(makeReport());
  const node = applyPatches(baseNode(), diffNodeState(baseNode(), desired, now));
  const later = new Date(now.getTime() + 61 * 60_000);
  const p = diffNodeState(node, desired, later);
  t.is(p.metadata, undefined);
  t.like(p.status!.status.conditions[0], { lastHeartbeatTime: '2025-06-01T13:01:00Z', lastTransitionTime: '2025-06-01T12:00:00Z' });
  t.deepEqual(diffNodeState(node, desired, new Date(now.getTime() + 5 * 60_000), { heartbeatMinutes: 5 }).status !== undefined, true);
});

test('transition time kept when only the message changes, moved when the status flips', (t) => {
  const node = applyPatches(baseNode(), diffNodeState(baseNode(), desiredNodeState(makeReport()), now));
  const t2 = new Date(now.getTime() + 60_000);
  const degraded = diffNodeState(node, desiredNodeState(makeReport({ checks: [check('sysctl', 'warn')] })), t2);
  t.like(degraded.status!.status.conditions[0], { status: 'True', reason: 'MeshInterceptionDegraded', lastTransitionTime: '2025-06-01T12:00:00Z' });
  const failing = diffNodeState(node, desiredNodeState(notReadyReport()), t2);
  t.like(failing.status!.status.conditions[0], { status: 'False', lastTransitionTime: '2025-06-01T12:01:00Z' });
});

test('annotation is compact JSON, bounded at 4 KiB, and parses back', (t) => {
  const modules = Array.from({ length: 400 }, (_, i) => ({ name: `xt_module_number_${i}`, state: 'missing' as const, source: '/proc/modules', requiredFor: [] }));
  const checks = Array.from({ length: 200 }, (_, i) => check(`check-number-${i}`, 'fail'));
  const a = reportAnnotation(makeReport({ checks, modules }));
  const text = JSON.stringify(a);
  t.true(Buffer.byteLength(text) <= ANNOTATION_MAX_BYTES);
  t.true(a.truncated);
  t.true(a.missingModules.length > 0 && a.failing.length > 0);
  t.deepEqual(parseReportAnnotation(text).summary, a);
  t.like(JSON.parse(desiredNodeState(notReadyReport()).annotations['mesh-preflight.io/report']!), { verdict: 'not-ready', failing: ['modules'], missingModules: ['xt_owner'] });
  t.regex(parseReportAnnotation('{nope').note!, /not JSON/);
  t.regex(parseReportAnnotation('{"verdict":"maybe"}').note!, /ignored/);
});

test('cleanup removes exactly our labels, annotation and condition', (t) => {
  const ours = applyPatches(baseNode(), diffNodeState(baseNode(), desiredNodeState(makeReport()), now));
  const p = cleanupPatches(ours);
  t.deepEqual(p.metadata, {
    metadata: {
      labels: { 'mesh-preflight.io/ready': null, 'mesh-preflight.io/iptables-backend': null, 'mesh-preflight.io/mesh': null },
      annotations: { 'mesh-preflight.io/report': null },
    },
  });
  t.deepEqual(p.status, { status: { conditions: [{ type: CONDITION_TYPE, $patch: 'delete' }] } });
  const after = applyPatches(ours, p);
  t.deepEqual(after, baseNode());
  t.deepEqual(cleanupPatches(baseNode()), {}, 'nothing of ours → nothing to do');
});

test('the runbook host (SELinux enforcing): label ready=false and a False condition naming the modules and the cause', async (t) => {
  const root = hostFixturePath('rocky-8');
  const report = await checkNode(checkOptions({ hostRoot: root, backend: 'legacy', dnsCapture: true, nodeName: 'rocky' }), { exec: fixtureExec(root) });
  const desired = desiredNodeState(report);
  t.is(desired.labels['mesh-preflight.io/ready'], 'false');
  t.is(desired.condition.status, 'False');
  t.regex(desired.condition.message, /modules \(not loaded and the mesh's pod cannot load them: .*iptable_raw.*SELinux enforcing: pods cannot autoload modules/);
});
