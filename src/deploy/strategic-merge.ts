/**
 * The slice of Kubernetes strategic merge patch that overlays of pod templates need.
 *
 * - Maps merge key by key; a `null` value deletes the key.
 * - Lists with a merge key (below) merge item by item on that key; items not in the original are
 *   appended; an item `{ <key>: x, $patch: delete }` removes the original item.
 * - Every other list (args, command, capabilities.add, tolerations, rules, ...) is replaced whole,
 *   as the API declares them atomic.
 * - `$patch: replace` on a map replaces it; other directives ($setElementOrder, $retainKeys,
 *   $deleteFromPrimitiveList) are refused rather than half-done.
 * - For kinds outside the built-in API groups (CRDs such as ServiceMonitor) the API server and
 *   kustomize have no merge keys, so lists are replaced, as with an RFC 7386 merge patch.
 *
 * Merge keys: the `patchMergeKey` struct tags of k8s.io/api core/v1 types.go (PodSpec.Containers
 * `name`, Container.VolumeMounts `mountPath`, Container.Ports `containerPort`, ServiceSpec.Ports
 * `port`, ...). Spec: https://github.com/kubernetes/community/blob/master/contributors/devel/sig-api-machinery/strategic-merge-patch.md
 */

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  env: 'name',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  resourceClaims: 'name',
  conditions: 'type',
  ownerReferences: 'uid',
};

/** The merge key of the list at `keyPath` (object keys from the root), or undefined when atomic. */
export function mergeKeyFor(keyPath: readonly string[]): string | undefined {
  const field = keyPath[keyPath.length - 1];
  if (field === undefined) return undefined;
  if (field === 'ports') return keyPath.some((k) => CONTAINER_LISTS.has(k)) ? 'containerPort' : 'port';
  return MERGE_KEYS[field];
}

/** Whether an apiVersion belongs to the built-in API (core `v1`, `apps/v1`, `*.k8s.io/*`). */
export function isBuiltinApiVersion(apiVersion: string): boolean {
  const slash = apiVersion.indexOf('/');
  if (slash < 0) return true;
  const group = apiVersion.slice(0, slash);
  return !group.includes('.') || group.endsWith('.k8s.io');
}

/** Returns `original` with `patch` strategically merged in; neither input is mutated. */
export function strategicMerge(original: unknown, patch: unknown, options: { mergeLists?: boolean } = {}): unknown {
  return mergeValue(structuredClone(original), patch, [], options.mergeLists ?? true);
}

function mergeValue(original: unknown, patch: unknown, keyPath: string[], mergeLists: boolean): unknown {
  if (isObject(patch)) {
    const directive = patch['$patch'];
    if (directive === 'replace') return stripDirectives(patch);
    if (directive !== undefined) throw new Error(`strategic merge: unsupported $patch: ${String(directive)} at ${keyPath.join('.') || '<root>'}`);
    const base: Record<string, unknown> = isObject(original) ? original : {};
    for (const [key, value] of Object.entries(patch)) {
      if (key.startsWith('$')) throw new Error(`strategic merge: unsupported directive ${key} at ${keyPath.join('.') || '<root>'}`);
      if (value === null) delete base[key];
      else base[key] = mergeValue(base[key], value, [...keyPath, key], mergeLists);
    }
    return base;
  }
  if (Array.isArray(patch)) {
    const key = mergeLists ? mergeKeyFor(keyPath) : undefined;
    if (key === undefined || !Array.isArray(original)) return patch.map((item) => (isObject(item) ? stripDirectives(item) : structuredClone(item)));
    return mergeList(original, patch, key, keyPath, mergeLists);
  }
  return patch;
}

function mergeList(original: unknown[], patch: unknown[], key: string, keyPath: string[], mergeLists: boolean): unknown[] {
  const result = [...original];
  for (const item of patch) {
    if (!isObject(item) || item[key] === undefined) {
      throw new Error(`strategic merge: every item of ${keyPath.join('.')} needs its merge key "${key}"`);
    }
    const index = result.findIndex((existing) => isObject(existing) && existing[key] === item[key]);
    if (item['$patch'] === 'delete') {
      if (index >= 0) result.splice(index, 1);
      continue;
    }
    if (index >= 0) result[index] = mergeValue(result[index], item, keyPath, mergeLists);
    else result.push(stripDirectives(item));
  }
  return result;
}

function stripDirectives(value: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(value);
  delete copy['$patch'];
  return copy;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
