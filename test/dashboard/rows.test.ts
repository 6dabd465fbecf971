import test from 'ava';
import type { NodeReadiness } from '../../src/api/types.ts';
import { buildRows, countRows, filterRows, isNodeName, sortRows, statusOfNode } from '../../src/dashboard/rows.ts';
import { clusterNodes, EXPECTED_COUNTS, selfReport, SELF } from './fixtures.ts';

const node = (partial: Partial<NodeReadiness>): NodeReadiness => ({ name: 'n', ready: 'unknown', ...partial });
const cond = (status: 'True' | 'False' | 'Unknown', reason = '') => ({ status, reason, message: '' });
const summary = (verdict: 'ready' | 'degraded' | 'not-ready') => ({ verdict, failing: [], missing: [], generatedAt: '2025-01-01T00:00:00Z' });

test('status: nothing published is never checked; condition Unknown is never checked whatever the annotation says', (t) => {
  t.is(statusOfNode(node({})), 'unchecked');
  t.is(statusOfNode(node({ ready: 'unknown' })), 'unchecked');
  t.is(statusOfNode(node({ condition: cond('Unknown', 'NotYetChecked'), summary: summary('ready') })), 'unchecked');
});

test('status: from the metadata-only list (no condition) the annotation verdict decides', (t) => {
  t.is(statusOfNode(node({ summary: summary('ready') })), 'ready');
  t.is(statusOfNode(node({ summary: summary('degraded') })), 'degraded');
  t.is(statusOfNode(node({ ready: 'false', summary: summary('not-ready') })), 'not-ready');
  // An unreadable annotation: the ready label (set only with a report) still tells.
  t.is(statusOfNode(node({ ready: 'true' })), 'ready');
  t.is(statusOfNode(node({ ready: 'false' })), 'not-ready');
});

test('status: condition and annotation combine to the worse', (t) => {
  t.is(statusOfNode(node({ condition: cond('True', 'MeshInterceptionReady') })), 'ready');
  t.is(statusOfNode(node({ condition: cond('True', 'MeshInterceptionDegraded') })), 'degraded');
  t.is(statusOfNode(node({ condition: cond('True', 'MeshInterceptionReady'), summary: summary('degraded') })), 'degraded');
  t.is(statusOfNode(node({ condition: cond('False', 'MeshInterceptionNotReady') })), 'not-ready');
  t.is(statusOfNode(node({ condition: cond('False'), summary: summary('ready') })), 'not-ready');
  t.is(statusOfNode(node({ condition: cond('True'), summary: summary('not-ready') })), 'not-ready');
});

test('counts over the fixture cluster', (t) => {
  const rows = buildRows(clusterNodes(), selfReport());
  const { all, ...byStatus } = EXPECTED_COUNTS;
  t.is(rows.length, all);
  t.deepEqual(countRows(rows), byStatus);
});

test('the own node row gets what only its report knows; peers do not', (t) => {
  const rows = buildRows(clusterNodes(), selfReport());
  const self = rows.find((r) => r.name === SELF);
  t.true(self?.self);
  t.deepEqual(self?.initFailures, { count: 1, categories: ['missing-module'] });
  t.deepEqual(self?.notLoaded, []);
  const peer = rows.find((r) => r.name === 'node-broken');
  t.false(peer?.self);
  t.is(peer?.initFailures, undefined);
  t.is(peer?.notLoaded, undefined);
  t.deepEqual(peer?.missing, ['xt_REDIRECT', 'nf_nat']);
});

test('without Kubernetes the rows are just this node, from its report', (t) => {
  const rows = buildRows(undefined, selfReport());
  t.deepEqual(rows.map((r) => [r.name, r.status, r.checkedAt]), [[SELF, 'not-ready', '2025-06-01T11:58:00Z']]);
  t.deepEqual(rows[0]?.missing, ['xt_owner']);
  t.deepEqual(buildRows(undefined, undefined), []);
});

test('filter by status and by name text', (t) => {
  const rows = buildRows(clusterNodes(), selfReport());
  t.deepEqual(filterRows(rows, 'unchecked').map((r) => r.name).sort(), ['node-new', 'node-pending']);
  t.deepEqual(filterRows(rows, 'all', 'BROK').map((r) => r.name), ['node-broken']);
  t.deepEqual(filterRows(rows, 'ready', 'broken'), []);
});

test('sort by name, by status worst first, by last check oldest first', (t) => {
  const rows = buildRows(clusterNodes(), selfReport());
  const names = (s: 'name' | 'status' | 'checked') => sortRows(rows, s).map((r) => r.name);
  t.deepEqual(names('name'), ['<img src=x onerror=alert(1)>', 'node-broken', 'node-degraded', 'node-new', 'node-pending', 'node-ready', 'node-self']);
  t.deepEqual(sortRows(rows, 'status').map((r) => r.status), ['not-ready', 'not-ready', 'not-ready', 'degraded', 'unchecked', 'unchecked', 'ready']);
  // node-new has no time at all; node-pending only a heartbeat (11:59), so it is the freshest.
  t.deepEqual(names('checked'), ['node-new', '<img src=x onerror=alert(1)>', 'node-degraded', 'node-broken', 'node-ready', 'node-self', 'node-pending']);
});

test('node names: DNS-1123 subdomains only', (t) => {
  for (const ok of ['n', 'node-1', 'ip-10-0-0-1.ec2.internal', 'a'.repeat(63) + '.' + 'b'.repeat(63)]) t.true(isNodeName(ok), ok);
  for (const bad of ['', 'Node', '-a', 'a-', 'a..b', 'a_b', 'a/b', '<img>', 'a'.repeat(254), '.a']) t.false(isNodeName(bad), bad);
  t.true(isNodeName('a'.repeat(253)));
});
