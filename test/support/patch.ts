/**
 * The three PATCH flavours the Kubernetes API server accepts, re-implemented for the fake API server:
 * JSON merge patch (RFC 7386), strategic merge patch (Kubernetes-specific), JSON patch (RFC 6902).
 *
 * Sources:
 * - RFC 7386 §2 (MergePatch pseudo-code: null deletes, objects merge recursively, anything else replaces).
 * - kubernetes/community contributors/devel/sig-api-machinery/strategic-merge-patch.md: lists with a
 *   patchMergeKey merge element-wise, `$patch: delete|replace|merge`, `$retainKeys`,
 *   `$deleteFromPrimitiveList/<field>`, `$setElementOrder/<field>`.
 * - k8s.io/api/core/v1/types.go: NodeStatus.Conditions and .Addresses are `patchStrategy:"merge"
 *   patchMergeKey:"type"`; NodeSpec.Taints has no patch strategy in the Go struct tags but we do not
 *   rely on it; ObjectMeta.OwnerReferences merges by `uid`.
 * - RFC 6902 (JSON patch ops add/remove/replace/move/copy/test) and RFC 6901 (JSON pointer).
 */

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

/** Raised for a patch the server rejects; carries the HTTP status a real server would send. */
export class PatchError extends Error {
  constructor(
    message: string,
    readonly code: number,
    readonly reason: string,
  ) {
    super(message);
  }
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

/** RFC 7386 merge patch. */
export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Merge keys of the lists the agent touches, by dotted path from the object root. */
export const STRATEGIC_MERGE_KEYS: Readonly<Record<string, string>> = {
  'status.conditions': 'type',
  'status.addresses': 'type',
  'metadata.ownerReferences': 'uid',
  'spec.containers': 'name',
  'spec.initContainers': 'name',
};

/** Kubernetes strategic merge patch, for the lists listed in `mergeKeys`; every other list is replaced. */
export function strategicMergePatch(
  target: Json | undefined,
  patch: Json,
  mergeKeys: Readonly<Record<string, string>> = STRATEGIC_MERGE_KEYS,
): Json {
  return smpValue(target, patch, '', mergeKeys);
}

function smpValue(target: Json | undefined, patch: Json, path: string, keys: Readonly<Record<string, string>>): Json {
  if (!isObject(patch)) return clone(patch);
  return smpObject(isObject(target) ? target : undefined, patch, path, keys);
}

function smpObject(
  target: JsonObject | undefined,
  patch: JsonObject,
  path: string,
  keys: Readonly<Record<string, string>>,
): JsonObject {
  const directive = patch['$patch'];
  if (directive === 'replace') {
    const rest = { ...patch };
    delete rest['$patch'];
    return clone(rest);
  }
  if (directive !== undefined && directive !== 'merge') {
    throw new PatchError(`Unknown patch type: ${String(directive)}`, 400, 'BadRequest');
  }
  const out: JsonObject = target ? clone(target) : {};
  const retain = patch['$retainKeys'];
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/')) continue;
    const childPath = path ? `${path}.${k}` : k;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const current = out[field];
      if (Array.isArray(current) && Array.isArray(v)) out[field] = current.filter((x) => !v.includes(x));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    if (isObject(v) && v['$patch'] === 'delete') {
      delete out[k];
      continue;
    }
    const mergeKey = keys[childPath];
    if (Array.isArray(v) && mergeKey !== undefined) {
      out[k] = smpList(out[k], v, mergeKey, childPath, keys);
    } else {
      out[k] = smpValue(out[k], v, childPath, keys);
    }
  }
  if (Array.isArray(retain)) {
    for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  }
  return out;
}

function smpList(
  target: Json | undefined,
  patch: Json[],
  mergeKey: string,
  path: string,
  keys: Readonly<Record<string, string>>,
): Json[] {
  if (patch.some((e) => isObject(e) && e['$patch'] === 'replace')) {
    return clone(patch.filter((e) => !(isObject(e) && e['$patch'] === 'replace')));
  }
  const out: Json[] = Array.isArray(target) ? clone(target) : [];
  for (const element of patch) {
    if (!isObject(element)) throw new PatchError(`${path}: list element is not an object`, 400, 'BadRequest');
    const key = element[mergeKey];
    if (key === undefined) {
      throw new PatchError(`map: ${JSON.stringify(element)} does not contain declared merge key: ${mergeKey}`, 400, 'BadRequest');
    }
    const index = out.findIndex((e) => isObject(e) && e[mergeKey] === key);
    if (element['$patch'] === 'delete') {
      if (index >= 0) out.splice(index, 1);
      continue;
    }
    if (index >= 0) out[index] = smpObject(out[index] as JsonObject, element, path, keys);
    else out.push(smpObject(undefined, element, path, keys));
  }
  return out;
}

interface JsonPatchOp {
  op: string;
  path: string;
  from?: string;
  value?: Json;
}

function pointer(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw new PatchError(`invalid JSON pointer: ${p}`, 422, 'Invalid');
  return p
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: Json, parts: string[]): { parent: Json; last: string } {
  let cur: Json = doc;
  for (const part of parts.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(part)] as Json;
    else if (isObject(cur)) cur = cur[part] as Json;
    else cur = undefined as unknown as Json;
    if (cur === undefined) throw new PatchError(`doc is missing path: "/${parts.join('/')}"`, 422, 'Invalid');
  }
  return { parent: cur, last: parts[parts.length - 1] ?? '' };
}

function getAt(doc: Json, parts: string[]): Json | undefined {
  let cur: Json | undefined = doc;
  for (const part of parts) {
    if (Array.isArray(cur)) cur = cur[Number(part)];
    else if (isObject(cur)) cur = cur[part];
    else return undefined;
  }
  return cur;
}

/** RFC 6902 JSON patch. */
export function jsonPatch(doc: Json, ops: unknown): Json {
  if (!Array.isArray(ops)) throw new PatchError('json patch must be an array of operations', 400, 'BadRequest');
  let out = clone(doc);
  for (const raw of ops as JsonPatchOp[]) {
    const parts = pointer(raw.path);
    const remove = (ps: string[]): Json => {
      const { parent, last } = parentOf(out, ps);
      if (Array.isArray(parent)) return parent.splice(Number(last), 1)[0] as Json;
      if (isObject(parent) && last in parent) {
        const v = parent[last] as Json;
        delete parent[last];
        return v;
      }
      throw new PatchError(`unable to remove nonexistent key: ${last}: missing value`, 422, 'Invalid');
    };
    const add = (ps: string[], value: Json): void => {
      if (ps.length === 0) {
        out = clone(value);
        return;
      }
      const { parent, last } = parentOf(out, ps);
      if (Array.isArray(parent)) {
        if (last === '-') parent.push(clone(value));
        else parent.splice(Number(last), 0, clone(value));
      } else if (isObject(parent)) parent[last] = clone(value);
      else throw new PatchError(`doc is missing path: "${raw.path}"`, 422, 'Invalid');
    };
    switch (raw.op) {
      case 'add':
        add(parts, raw.value ?? null);
        break;
      case 'remove':
        remove(parts);
        break;
      case 'replace':
        if (getAt(out, parts) === undefined) throw new PatchError(`replace operation does not apply: doc is missing key: ${raw.path}`, 422, 'Invalid');
        remove(parts);
        add(parts, raw.value ?? null);
        break;
      case 'move': {
        const v = remove(pointer(raw.from ?? ''));
        add(parts, v);
        break;
      }
      case 'copy':
        add(parts, getAt(out, pointer(raw.from ?? '')) ?? null);
        break;
      case 'test':
        if (JSON.stringify(getAt(out, parts)) !== JSON.stringify(raw.value)) {
          throw new PatchError(`testing value ${raw.path} failed: test failed`, 422, 'Invalid');
        }
        break;
      default:
        throw new PatchError(`Unexpected kind: ${raw.op}`, 422, 'Invalid');
    }
  }
  return out;
}
