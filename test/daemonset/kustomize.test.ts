/** The test renderer: the real `kubectl kustomize`, its output checked object by object. */
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { needs } from '../helpers/requirements.ts';
import { parseRendered, renderKustomization } from './kustomize.ts';

test('parseRendered: every document a Kubernetes object; empty documents dropped', (t) => {
  const objects = parseRendered('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: b\n');
  t.deepEqual(objects.map((o) => `${o.kind}/${o.metadata.name}`), ['Namespace/a', 'ServiceAccount/b']);
  t.throws(() => parseRendered('kind: Namespace\nmetadata:\n  name: a\n'));
  t.throws(() => parseRendered('a: [1\n'), { message: /rendered document 1/ });
});

needs('kubectl')('kustomize refusing a kustomization is an error naming the directory and kustomize\'s reason', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mp-kustomize-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'kustomization.yaml'), 'resources:\n  - missing.yaml\n');
  const error = t.throws(() => renderKustomization(dir));
  t.true(error.message.startsWith(`kubectl kustomize ${dir}: `), error.message);
  t.regex(error.message, /missing\.yaml/);
});
