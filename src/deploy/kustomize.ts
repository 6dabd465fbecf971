/**
 * A small renderer for the kustomize subset daemonset/ uses, so tests can render every overlay
 * without the kustomize binary. It is not kustomize; it refuses (throws) on any field it does not
 * implement instead of ignoring it. Supported, in kustomize's transformer order
 * (api/krusty: patches → namespace → labels → images):
 *
 * - `resources`: YAML files (multi-document) and directories holding a kustomization (bases);
 * - `patches`: `path` or inline `patch`; a YAML list is an RFC 6902 JSON patch applied to every
 *   resource matching `target`; an object is a strategic merge patch applied to `target` or, without
 *   one, to the resource with the patch's own apiVersion/kind/name. A patch matching nothing throws
 *   (kustomize is laxer for targeted patches; a typo here should fail the test);
 * - `namespace`: set on namespaced objects, as the name of a Namespace object (as kustomize does),
 *   and on ServiceAccount subjects of (Cluster)RoleBindings that name a ServiceAccount rendered here;
 * - `labels` (`pairs`, `includeSelectors`, `includeTemplates`) and the older `commonLabels`
 *   (= includeSelectors): metadata.labels everywhere; selectors of workloads, Services and
 *   NetworkPolicies; pod template labels;
 * - `images`: `name` → `newName`, `newTag`, `digest` on containers and init containers.
 *
 * Output order is resource order (kustomize's default "legacy" sort would reorder by kind).
 * Reference: https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { applyJsonPatch, JsonPatchOpSchema } from './json-patch.ts';
import { isBuiltinApiVersion, strategicMerge } from './strategic-merge.ts';

/** A rendered Kubernetes object (plain JSON). */
export type KubeObject = Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };

const KubeObjectSchema = z
  .object({
    apiVersion: z.string().min(1),
    kind: z.string().min(1),
    metadata: z.object({ name: z.string().min(1), namespace: z.string().optional() }).loose(),
  })
  .loose();

const TargetSchema = z
  .object({
    group: z.string().optional(),
    version: z.string().optional(),
    kind: z.string().optional(),
    name: z.string().optional(),
    namespace: z.string().optional(),
    labelSelector: z.string().optional(),
  })
  .strict();
type Target = z.infer<typeof TargetSchema>;

const StringMap = z.record(z.string(), z.string());

/** The kustomization.yaml fields this renderer implements; anything else is an error. */
export const KustomizationSchema = z
  .object({
    apiVersion: z.literal('kustomize.config.k8s.io/v1beta1').optional(),
    kind: z.literal('Kustomization').optional(),
    namespace: z.string().min(1).optional(),
    commonLabels: StringMap.optional(),
    labels: z
      .array(z.object({ pairs: StringMap, includeSelectors: z.boolean().optional(), includeTemplates: z.boolean().optional() }).strict())
      .optional(),
    resources: z.array(z.string().min(1)).optional(),
    patches: z
      .array(
        z
          .object({ path: z.string().optional(), patch: z.string().optional(), target: TargetSchema.optional() })
          .strict()
          .refine((p) => (p.path === undefined) !== (p.patch === undefined), 'a patch needs exactly one of path and patch'),
      )
      .optional(),
    images: z
      .array(z.object({ name: z.string().min(1), newName: z.string().optional(), newTag: z.string().optional(), digest: z.string().optional() }).strict())
      .optional(),
  })
  .strict();
export type Kustomization = z.infer<typeof KustomizationSchema>;

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

// Kinds kustomize treats as cluster-scoped among those a DaemonSet bundle may hold.
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PriorityClass',
  'PersistentVolume',
  'StorageClass',
  'RuntimeClass',
  'IngressClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'APIService',
]);

const WORKLOADS = new Set(['DaemonSet', 'Deployment', 'StatefulSet', 'ReplicaSet']);

/** Renders the kustomization in `dir` (and its bases) into plain objects, in resource order. */
export function renderKustomization(dir: string): KubeObject[] {
  return render(path.resolve(dir), []);
}

/** Reads and validates the kustomization file of `dir`. */
export function readKustomization(dir: string): Kustomization {
  const file = KUSTOMIZATION_FILES.map((name) => path.join(dir, name)).find((candidate) => existsSync(candidate));
  if (!file) throw new Error(`no kustomization.yaml in ${dir}`);
  const docs = parseYamlDocuments(readFileSync(file, 'utf8'), file);
  if (docs.length !== 1) throw new Error(`${file}: expected one YAML document, found ${docs.length}`);
  const parsed = KustomizationSchema.safeParse(docs[0]);
  if (!parsed.success) throw new Error(`${file}: unsupported or invalid kustomization: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

function render(dir: string, stack: string[]): KubeObject[] {
  if (stack.includes(dir)) throw new Error(`kustomization cycle: ${[...stack, dir].join(' → ')}`);
  const k = readKustomization(dir);
  let objects: KubeObject[] = [];
  for (const entry of k.resources ?? []) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(entry) || entry.startsWith('github.com/')) throw new Error(`${dir}: remote resource ${entry} is not supported`);
    const target = path.resolve(dir, entry);
    if (!existsSync(target)) throw new Error(`${dir}: resource ${entry} does not exist`);
    if (statSync(target).isDirectory()) objects.push(...render(target, [...stack, dir]));
    else objects.push(...readObjects(target));
  }
  assertUniqueIds(objects, dir);
  for (const p of k.patches ?? []) objects = applyPatch(objects, p, dir);
  if (k.namespace) objects = setNamespace(objects, k.namespace);
  for (const label of labelSets(k)) objects = objects.map((o) => addLabels(o, label.pairs, label.includeSelectors, label.includeTemplates));
  for (const image of k.images ?? []) objects = objects.map((o) => setImage(o, image));
  return objects;
}

function parseYamlDocuments(text: string, file: string): unknown[] {
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  const out: unknown[] = [];
  for (const doc of list) {
    const error = doc.errors[0];
    if (error) throw new Error(`${file}: ${error.message}`);
    const value: unknown = doc.toJS();
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

function readObjects(file: string): KubeObject[] {
  return parseYamlDocuments(readFileSync(file, 'utf8'), file).map((doc, i) => {
    const parsed = KubeObjectSchema.safeParse(doc);
    if (!parsed.success) throw new Error(`${file} document ${i + 1} is not a Kubernetes object: ${z.prettifyError(parsed.error)}`);
    return parsed.data as KubeObject;
  });
}

function idOf(o: KubeObject): string {
  return `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

function assertUniqueIds(objects: readonly KubeObject[], dir: string): void {
  const seen = new Set<string>();
  for (const o of objects) {
    const id = idOf(o);
    if (seen.has(id)) throw new Error(`${dir}: resource ${id} is defined twice`);
    seen.add(id);
  }
}

function groupVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** Whether `o` is selected by a kustomize patch target (name is an anchored regular expression). */
export function matchesTarget(o: KubeObject, target: Target): boolean {
  const gv = groupVersion(o.apiVersion);
  if (target.group !== undefined && target.group !== gv.group) return false;
  if (target.version !== undefined && target.version !== gv.version) return false;
  if (target.kind !== undefined && target.kind !== o.kind) return false;
  if (target.name !== undefined && !new RegExp(`^(?:${target.name})$`).test(o.metadata.name)) return false;
  if (target.namespace !== undefined && target.namespace !== (o.metadata.namespace ?? '')) return false;
  if (target.labelSelector !== undefined) {
    const labels = (o.metadata as { labels?: Record<string, string> }).labels ?? {};
    for (const term of target.labelSelector.split(',')) {
      const [key, value] = term.split('=').map((s) => s.trim());
      if (!key || value === undefined || labels[key] !== value) return false;
    }
  }
  return true;
}

function applyPatch(objects: KubeObject[], p: NonNullable<Kustomization['patches']>[number], dir: string): KubeObject[] {
  const where = p.path ? path.join(dir, p.path) : `${dir} (inline patch)`;
  const text = p.path ? readFileSync(path.resolve(dir, p.path), 'utf8') : p.patch!;
  const docs = parseYamlDocuments(text, where);
  if (docs.length !== 1) throw new Error(`${where}: a patch must be one YAML document`);
  const doc = docs[0];
  let target: Target | undefined = p.target;
  let apply: (o: KubeObject) => unknown;
  if (Array.isArray(doc)) {
    if (!target) throw new Error(`${where}: a JSON 6902 patch needs a target`);
    const ops = z.array(JsonPatchOpSchema).safeParse(doc);
    if (!ops.success) throw new Error(`${where}: invalid JSON patch: ${z.prettifyError(ops.error)}`);
    apply = (o) => applyJsonPatch(o, ops.data);
  } else {
    const own = KubeObjectSchema.safeParse(doc);
    if (!target) {
      if (!own.success) throw new Error(`${where}: a strategic merge patch without target needs apiVersion, kind and metadata.name`);
      const gv = groupVersion(own.data.apiVersion);
      target = { group: gv.group, version: gv.version, kind: own.data.kind, name: escapeRegExp(own.data.metadata.name) };
      if (own.data.metadata.namespace) target.namespace = own.data.metadata.namespace;
    }
    apply = (o) => {
      const patch = structuredClone(doc) as Record<string, unknown>;
      // A targeted patch may carry another object's identity; it patches content, never renames.
      if (p.target && own.success) {
        delete patch['apiVersion'];
        delete patch['kind'];
        const meta = { ...(patch['metadata'] as Record<string, unknown>) };
        delete meta['name'];
        delete meta['namespace'];
        patch['metadata'] = meta;
      }
      return strategicMerge(o, patch, { mergeLists: isBuiltinApiVersion(o.apiVersion) });
    };
  }
  let matched = 0;
  const result = objects.map((o) => {
    if (!matchesTarget(o, target)) return o;
    matched += 1;
    const patched = KubeObjectSchema.safeParse(apply(o));
    if (!patched.success) throw new Error(`${where}: patching ${idOf(o)} broke it: ${z.prettifyError(patched.error)}`);
    return patched.data as KubeObject;
  });
  if (matched === 0) throw new Error(`${where}: patch target ${JSON.stringify(target)} matches no resource`);
  return result;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function setNamespace(objects: KubeObject[], namespace: string): KubeObject[] {
  const serviceAccounts = new Set(objects.filter((o) => o.kind === 'ServiceAccount').map((o) => o.metadata.name));
  return objects.map((original) => {
    const o = structuredClone(original);
    if (!CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = namespace;
    // kustomize's namespace fieldSpecs include `metadata/name` of kind Namespace: the object follows.
    if (o.kind === 'Namespace' && o.apiVersion === 'v1') o.metadata.name = namespace;
    if ((o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') && Array.isArray(o['subjects'])) {
      for (const subject of o['subjects'] as Array<Record<string, unknown>>) {
        if (subject['kind'] === 'ServiceAccount' && serviceAccounts.has(String(subject['name']))) subject['namespace'] = namespace;
      }
    }
    return o;
  });
}

function labelSets(k: Kustomization): Array<{ pairs: Record<string, string>; includeSelectors: boolean; includeTemplates: boolean }> {
  const sets = (k.labels ?? []).map((l) => ({ pairs: l.pairs, includeSelectors: l.includeSelectors ?? false, includeTemplates: l.includeTemplates ?? false }));
  if (k.commonLabels) sets.unshift({ pairs: k.commonLabels, includeSelectors: true, includeTemplates: true });
  return sets;
}

/** Adds labels the way kustomize's label transformer does for the kinds daemonset/ ships. */
function addLabels(original: KubeObject, pairs: Record<string, string>, includeSelectors: boolean, includeTemplates: boolean): KubeObject {
  const o = structuredClone(original);
  mergeInto(o, ['metadata', 'labels'], pairs);
  if (WORKLOADS.has(o.kind)) {
    if (includeSelectors) mergeInto(o, ['spec', 'selector', 'matchLabels'], pairs);
    if (includeSelectors || includeTemplates) mergeInto(o, ['spec', 'template', 'metadata', 'labels'], pairs);
  }
  if (includeSelectors && o.kind === 'Service') mergeInto(o, ['spec', 'selector'], pairs);
  if (includeSelectors && o.kind === 'NetworkPolicy') mergeInto(o, ['spec', 'podSelector', 'matchLabels'], pairs);
  return o;
}

function mergeInto(root: Record<string, unknown>, keys: readonly string[], pairs: Record<string, string>): void {
  let node: Record<string, unknown> = root;
  for (const key of keys) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  Object.assign(node, pairs);
}

/** Splits an image reference into name, tag and digest (a registry port is part of the name). */
export function splitImage(image: string): { name: string; tag?: string; digest?: string } {
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) return { name: rest.slice(0, colon), tag: rest.slice(colon + 1), ...(digest ? { digest } : {}) };
  return { name: rest, ...(digest ? { digest } : {}) };
}

function setImage(original: KubeObject, image: NonNullable<Kustomization['images']>[number]): KubeObject {
  const o = structuredClone(original);
  const podSpec = (o['spec'] as { template?: { spec?: Record<string, unknown> } } | undefined)?.template?.spec;
  if (!podSpec) return o;
  for (const list of ['containers', 'initContainers']) {
    for (const container of (podSpec[list] as Array<{ image?: string }> | undefined) ?? []) {
      if (typeof container.image !== 'string') continue;
      const ref = splitImage(container.image);
      if (ref.name !== image.name) continue;
      const name = image.newName ?? ref.name;
      if (image.digest) container.image = `${name}@${image.digest}`;
      else if (image.newTag) container.image = `${name}:${image.newTag}`;
      else container.image = `${name}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
    }
  }
  return o;
}
