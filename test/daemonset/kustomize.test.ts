/** The kustomize-subset renderer on throwaway trees: what it supports, and what it refuses. */
import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { applyJsonPatch } from '../../src/deploy/json-patch.ts';
import { renderKustomization, splitImage } from '../../src/deploy/kustomize.ts';
import { strategicMerge } from '../../src/deploy/strategic-merge.ts';
import type { Loose } from './helpers.ts';

/** Writes `files` (path → text or object, objects as YAML) below a fresh temp dir. */
function tree(t: { teardown(fn: () => void): void }, files: Record<string, unknown>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'mp-kustomize-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(root, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, typeof content === 'string' ? content : stringify(content));
  }
  return root;
}

const daemonSet = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'ds' },
  spec: {
    selector: { matchLabels: { app: 'x' } },
    template: {
      metadata: { labels: { app: 'x' } },
      spec: {
        containers: [
          {
            name: 'agent',
            image: 'registry.local:5000/team/agent:1.0',
            args: ['agent', '--a'],
            ports: [{ name: 'http', containerPort: 80 }],
            volumeMounts: [{ name: 'v1', mountPath: '/v1' }],
          },
          { name: 'side', image: 'busybox' },
        ],
        volumes: [{ name: 'v1', emptyDir: {} }],
      },
    },
  },
};

test('bases, strategic merge by merge key, JSON 6902, namespace, labels, images', (t) => {
  const root = tree(t, {
    'base/kustomization.yaml': { resources: ['ds.yaml', 'more.yaml'] },
    'base/ds.yaml': daemonSet,
    'base/more.yaml': '---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: old\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: crb\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}\nsubjects:\n- {kind: ServiceAccount, name: sa}\n- {kind: ServiceAccount, name: other, namespace: elsewhere}\n',
    'overlay/kustomization.yaml': {
      namespace: 'ns1',
      resources: ['../base'],
      labels: [{ pairs: { team: 'net' }, includeSelectors: true }, { pairs: { tier: 'node' }, includeTemplates: true }],
      images: [{ name: 'registry.local:5000/team/agent', newName: 'ghcr.io/o/agent', newTag: '2.0' }, { name: 'busybox', digest: 'sha256:abc' }],
      patches: [
        { path: 'smp.yaml' },
        {
          target: { kind: 'DaemonSet', name: 'd.*' },
          patch: stringify([
            { op: 'add', path: '/spec/template/spec/containers/0/args/-', value: '--b' },
            { op: 'replace', path: '/spec/template/spec/containers/1/name', value: 'sidecar' },
          ]),
        },
      ],
    },
    'overlay/smp.yaml': {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'ds' },
      spec: {
        template: {
          spec: {
            containers: [{ name: 'agent', volumeMounts: [{ name: 'v2', mountPath: '/v2' }, { name: 'v1-renamed', mountPath: '/v1' }], ports: [{ containerPort: 80, hostPort: 80 }] }],
            volumes: [{ name: 'v2', hostPath: { path: '/v2' } }],
          },
        },
      },
    },
  });
  const objects = renderKustomization(path.join(root, 'overlay')) as Loose[];
  t.deepEqual(objects.map((o) => `${o.kind}/${o.metadata.name}/${o.metadata.namespace ?? ''}`), ['DaemonSet/ds/ns1', 'Namespace/ns1/', 'ServiceAccount/sa/ns1', 'ClusterRoleBinding/crb/']);
  const [ds, , , crb] = objects;
  const pod = ds.spec.template.spec;
  t.deepEqual(pod.containers[0].args, ['agent', '--a', '--b']);
  t.deepEqual(pod.containers[0].volumeMounts, [{ name: 'v1-renamed', mountPath: '/v1' }, { name: 'v2', mountPath: '/v2' }]);
  t.deepEqual(pod.containers[0].ports, [{ name: 'http', containerPort: 80, hostPort: 80 }]);
  t.deepEqual(pod.volumes.map((v: Loose) => v.name), ['v1', 'v2']);
  t.is(pod.containers[0].image, 'ghcr.io/o/agent:2.0');
  t.is(pod.containers[1].name, 'sidecar');
  t.is(pod.containers[1].image, 'busybox@sha256:abc');
  t.deepEqual(ds.spec.selector.matchLabels, { app: 'x', team: 'net' });
  t.deepEqual(ds.spec.template.metadata.labels, { app: 'x', team: 'net', tier: 'node' });
  t.deepEqual(ds.metadata.labels, { team: 'net', tier: 'node' });
  t.deepEqual(crb.subjects, [{ kind: 'ServiceAccount', name: 'sa', namespace: 'ns1' }, { kind: 'ServiceAccount', name: 'other', namespace: 'elsewhere' }]);
});

test('refuses unsupported fields, dangling patches, missing resources, duplicates and cycles', (t) => {
  const unsupported = tree(t, { 'kustomization.yaml': { resources: [], configMapGenerator: [] } });
  t.throws(() => renderKustomization(unsupported), { message: /unsupported or invalid kustomization/ });
  const dangling = tree(t, {
    'kustomization.yaml': { resources: ['ds.yaml'], patches: [{ target: { kind: 'Deployment' }, patch: '- {op: remove, path: /spec}' }] },
    'ds.yaml': daemonSet,
  });
  t.throws(() => renderKustomization(dangling), { message: /matches no resource/ });
  const missing = tree(t, { 'kustomization.yaml': { resources: ['nope.yaml'] } });
  t.throws(() => renderKustomization(missing), { message: /does not exist/ });
  const twice = tree(t, { 'kustomization.yaml': { resources: ['a.yaml', 'b.yaml'] }, 'a.yaml': daemonSet, 'b.yaml': daemonSet });
  t.throws(() => renderKustomization(twice), { message: /defined twice/ });
  const cycle = tree(t, { 'a/kustomization.yaml': { resources: ['../b'] }, 'b/kustomization.yaml': { resources: ['../a'] } });
  t.throws(() => renderKustomization(path.join(cycle, 'a')), { message: /cycle/ });
  const badPath = tree(t, {
    'kustomization.yaml': { resources: ['ds.yaml'], patches: [{ target: { kind: 'DaemonSet' }, patch: '- {op: add, path: /spec/nope/x, value: 1}' }] },
    'ds.yaml': daemonSet,
  });
  t.throws(() => renderKustomization(badPath), { message: /does not exist/ });
  const remote = tree(t, { 'kustomization.yaml': { resources: ['https://example.com/x.yaml'] } });
  t.throws(() => renderKustomization(remote), { message: /remote resource/ });
});

test('strategicMerge: atomic lists replace, null deletes, $patch delete/replace, CRDs merge lists whole', (t) => {
  const original = { spec: { args: ['a', 'b'], tolerations: [{ key: 'k' }], env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], keep: 1, drop: 2 } };
  const merged = strategicMerge(original, { spec: { args: ['c'], tolerations: [{ operator: 'Exists' }], env: [{ name: 'A', $patch: 'delete' }, { name: 'C', value: '3' }], drop: null } });
  t.deepEqual(merged, { spec: { args: ['c'], tolerations: [{ operator: 'Exists' }], env: [{ name: 'B', value: '2' }, { name: 'C', value: '3' }], keep: 1 } });
  t.deepEqual(original.spec.args, ['a', 'b'], 'input not mutated');
  t.deepEqual(strategicMerge({ a: { x: 1, y: 2 } }, { a: { $patch: 'replace', z: 3 } }), { a: { z: 3 } });
  t.deepEqual(strategicMerge({ env: [{ name: 'A' }] }, { env: [{ name: 'B' }] }, { mergeLists: false }), { env: [{ name: 'B' }] });
  t.throws(() => strategicMerge({}, { $retainKeys: ['a'] }), { message: /unsupported directive/ });
  t.throws(() => strategicMerge({ env: [] }, { env: [{ value: 'x' }] }), { message: /merge key "name"/ });
  // Service ports merge on `port`, container ports on `containerPort`.
  t.deepEqual(strategicMerge({ spec: { ports: [{ port: 80, name: 'a' }] } }, { spec: { ports: [{ port: 80, name: 'b' }] } }), { spec: { ports: [{ port: 80, name: 'b' }] } });
});

test('applyJsonPatch: RFC 6902 add/remove/replace/test and pointer escapes', (t) => {
  const doc = { a: [1, 2], 'b/c': { '~d': 1 } };
  t.deepEqual(applyJsonPatch(doc, [{ op: 'add', path: '/a/0', value: 0 }]), { a: [0, 1, 2], 'b/c': { '~d': 1 } });
  t.deepEqual(applyJsonPatch(doc, [{ op: 'add', path: '/a/-', value: 3 }]), { a: [1, 2, 3], 'b/c': { '~d': 1 } });
  t.deepEqual(applyJsonPatch(doc, [{ op: 'remove', path: '/b~1c/~0d' }]), { a: [1, 2], 'b/c': {} });
  t.deepEqual(applyJsonPatch(doc, [{ op: 'test', path: '/a', value: [1, 2] }, { op: 'replace', path: '/a/1', value: 9 }]), { a: [1, 9], 'b/c': { '~d': 1 } });
  t.throws(() => applyJsonPatch(doc, [{ op: 'test', path: '/a/0', value: 5 }]), { message: /test failed/ });
  t.throws(() => applyJsonPatch(doc, [{ op: 'replace', path: '/nope', value: 1 }]), { message: /no value/ });
  t.throws(() => applyJsonPatch(doc, [{ op: 'add', path: '/a/5', value: 1 }]), { message: /out of range/ });
  t.deepEqual(doc.a, [1, 2], 'input not mutated');
});

test('splitImage: registry ports, tags and digests', (t) => {
  t.deepEqual(splitImage('registry.local:5000/team/agent'), { name: 'registry.local:5000/team/agent' });
  t.deepEqual(splitImage('registry.local:5000/team/agent:1.0'), { name: 'registry.local:5000/team/agent', tag: '1.0' });
  t.deepEqual(splitImage('agent:1.0@sha256:abc'), { name: 'agent', tag: '1.0', digest: 'sha256:abc' });
});
