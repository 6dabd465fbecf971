/**
 * Least privilege both ways: the ClusterRole allows every request the agent makes
 * (agent-requests.json; to be regenerated from the fake API server's request log), and grants
 * nothing none of them needs. Plus table tests of the request-info and rule-matching rules.
 */
import test from 'ava';
import { z } from 'zod';
import {
  auditClusterRole,
  ClusterRoleSchema,
  describeAttributes,
  expandGrants,
  RecordedRequestSchema,
  requestToAttributes,
  ruleAllows,
  type ClusterRole,
  type RecordedRequest,
} from './rbac.ts';
import { needs } from '../helpers/requirements.ts';
import { KUSTOMIZATIONS, loadAgentRequests, one, render, type Loose } from './helpers.ts';

/** Tests that read a rendering by the real kustomize (`kubectl kustomize`). */
const kubectlTest = needs('kubectl');

function roleOf(name: (typeof KUSTOMIZATIONS)[number]): ClusterRole {
  return ClusterRoleSchema.parse(one(render(name), 'ClusterRole'));
}

for (const name of KUSTOMIZATIONS) {
  kubectlTest(`${name}: the ClusterRole allows every agent request and grants nothing unused`, (t) => {
    const requests = loadAgentRequests();
    t.true(requests.length > 0);
    const audit = auditClusterRole(roleOf(name), requests);
    t.deepEqual(
      audit.denied.map(({ request, attributes }) => `${request.method} ${request.path} → ${describeAttributes(attributes)}`),
      [],
      'requests the agent would get 403 Forbidden for',
    );
    t.deepEqual(audit.unused, [], 'permissions no recorded request needs');
  });
}

kubectlTest('the ClusterRoleBinding binds the ClusterRole to the agent ServiceAccount', (t) => {
  const objects = render('base');
  const binding = one(objects, 'ClusterRoleBinding') as Loose;
  const sa = one(objects, 'ServiceAccount');
  t.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: one(objects, 'ClusterRole').metadata.name });
  t.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: sa.metadata.namespace }]);
});

kubectlTest('the role holds the verbs of the brief, rule by rule', (t) => {
  const grants = expandGrants(roleOf('base')).map((g) => `${g.apiGroup || 'core'}/${g.resource}:${g.verb}`);
  t.deepEqual(grants.sort(), [
    'authentication.k8s.io/tokenreviews:create',
    'core/events:create',
    'core/nodes/status:patch',
    'core/nodes:get',
    'core/nodes:list',
    'core/nodes:patch',
    'core/pods/log:get',
    'core/pods:list',
    'core/pods:watch',
  ]);
});

// Request-info table: https://github.com/kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go
const cases: Array<[RecordedRequest, Record<string, unknown>]> = [
  [{ method: 'GET', path: '/api/v1/nodes/n1' }, { verb: 'get', apiGroup: '', resource: 'nodes', subresource: '', name: 'n1' }],
  [{ method: 'GET', path: '/api/v1/nodes' }, { verb: 'list', resource: 'nodes' }],
  [{ method: 'GET', path: '/api/v1/pods', query: { watch: 'true' } }, { verb: 'watch', resource: 'pods' }],
  [{ method: 'GET', path: '/api/v1/pods', query: { watch: '1' } }, { verb: 'watch' }],
  [{ method: 'GET', path: '/api/v1/pods', query: { watch: 'false' } }, { verb: 'list' }],
  [{ method: 'GET', path: '/api/v1/pods?watch=0&fieldSelector=spec.nodeName%3Dn1' }, { verb: 'list', resource: 'pods' }],
  [{ method: 'GET', path: '/api/v1/watch/namespaces/ns/pods' }, { verb: 'watch', resource: 'pods', namespace: 'ns' }],
  [{ method: 'GET', path: '/api/v1/nodes', query: { fieldSelector: 'metadata.name=n1' } }, { verb: 'list', name: 'n1' }],
  [{ method: 'PATCH', path: '/api/v1/nodes/n1/status' }, { verb: 'patch', resource: 'nodes', subresource: 'status', name: 'n1' }],
  [{ method: 'GET', path: '/api/v1/namespaces/ns/pods/p/log' }, { verb: 'get', resource: 'pods', subresource: 'log', namespace: 'ns', name: 'p' }],
  [{ method: 'POST', path: '/api/v1/namespaces/ns/events' }, { verb: 'create', resource: 'events', namespace: 'ns' }],
  [{ method: 'PUT', path: '/apis/apps/v1/namespaces/ns/daemonsets/d' }, { verb: 'update', apiGroup: 'apps', resource: 'daemonsets', name: 'd' }],
  [{ method: 'DELETE', path: '/api/v1/namespaces/ns/pods' }, { verb: 'deletecollection' }],
  [{ method: 'DELETE', path: '/api/v1/namespaces/ns' }, { verb: 'delete', resource: 'namespaces', name: 'ns' }],
  [{ method: 'PUT', path: '/api/v1/namespaces/ns/finalize' }, { verb: 'update', resource: 'namespaces', subresource: 'finalize', name: 'ns' }],
  [{ method: 'POST', path: '/apis/authentication.k8s.io/v1/tokenreviews' }, { verb: 'create', apiGroup: 'authentication.k8s.io', resource: 'tokenreviews' }],
  [{ method: 'GET', path: '/version' }, { resourceRequest: false, verb: 'get', path: '/version' }],
  [{ method: 'GET', path: '/apis/apps' }, { resourceRequest: false }],
];
for (const [request, expected] of cases) {
  test(`requestToAttributes: ${request.method} ${request.path} ${JSON.stringify(request.query ?? {})}`, (t) => {
    t.like(requestToAttributes(request), expected);
  });
}

test('ruleAllows: verbs, groups, subresources, wildcards and resourceNames', (t) => {
  const role = (rules: ClusterRole['rules']): ClusterRole => ({ kind: 'ClusterRole', metadata: { name: 'r' }, rules });
  const attr = (request: RecordedRequest) => requestToAttributes(request);
  const nodes = role([{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'patch'] }]);
  t.true(ruleAllows(nodes, attr({ method: 'PATCH', path: '/api/v1/nodes/n1' })));
  t.false(ruleAllows(nodes, attr({ method: 'PATCH', path: '/api/v1/nodes/n1/status' })), 'nodes does not cover nodes/status');
  t.false(ruleAllows(nodes, attr({ method: 'GET', path: '/api/v1/nodes' })), 'get does not cover list');
  t.false(ruleAllows(nodes, attr({ method: 'GET', path: '/apis/apps/v1/nodes/n1' })), 'wrong group');
  t.true(ruleAllows(role([{ apiGroups: ['*'], resources: ['*/status'], verbs: ['*'] }]), attr({ method: 'PATCH', path: '/api/v1/nodes/n1/status' })));
  const named = role([{ apiGroups: [''], resources: ['nodes'], resourceNames: ['n1'], verbs: ['get', 'list'] }]);
  t.true(ruleAllows(named, attr({ method: 'GET', path: '/api/v1/nodes/n1' })));
  t.false(ruleAllows(named, attr({ method: 'GET', path: '/api/v1/nodes/n2' })));
  t.false(ruleAllows(named, attr({ method: 'GET', path: '/api/v1/nodes' })), 'resourceNames never match an unnamed list');
  t.true(ruleAllows(named, attr({ method: 'GET', path: '/api/v1/nodes', query: { fieldSelector: 'metadata.name=n1' } })));
  const urls = role([{ nonResourceURLs: ['/healthz/*', '/version'], verbs: ['get'] }]);
  t.true(ruleAllows(urls, attr({ method: 'GET', path: '/version' })));
  t.true(ruleAllows(urls, attr({ method: 'GET', path: '/healthz/etcd' })));
  t.false(ruleAllows(urls, attr({ method: 'GET', path: '/metrics' })));
});

test('auditClusterRole reports a missing and an unused permission', (t) => {
  const role: ClusterRole = {
    kind: 'ClusterRole',
    metadata: { name: 'r' },
    rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'delete'] }],
  };
  const audit = auditClusterRole(role, [
    { method: 'GET', path: '/api/v1/nodes/n1' },
    { method: 'GET', path: '/api/v1/pods', query: { watch: 'true' } },
  ]);
  t.deepEqual(audit.denied.map((d) => describeAttributes(d.attributes)), ['watch core/pods']);
  t.deepEqual(audit.unused, [{ rule: 0, verb: 'delete', apiGroup: '', resource: 'nodes' }]);
});

test('a log in the fake API server format (extra fields) loads as requests', (t) => {
  const log = [{ method: 'GET', path: '/api/v1/nodes/n1', query: {}, contentType: 'application/json', status: 200 }];
  t.deepEqual(z.array(RecordedRequestSchema).parse(log), [{ method: 'GET', path: '/api/v1/nodes/n1', query: {} }]);
});
