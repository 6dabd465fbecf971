/**
 * RFC 6902 JSON Patch, the operations kustomize overlays use: add, remove, replace, test.
 * Pointers follow RFC 6901 (`~1` is `/`, `~0` is `~`; `-` appends to an array). Pure: returns a new
 * document and never mutates its input. Sources: https://www.rfc-editor.org/rfc/rfc6902 ,
 * https://www.rfc-editor.org/rfc/rfc6901
 */
import { z } from 'zod';

/** One JSON Patch operation (only the ones this renderer supports). */
export const JsonPatchOpSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('add'), path: z.string(), value: z.unknown() }),
  z.object({ op: z.literal('replace'), path: z.string(), value: z.unknown() }),
  z.object({ op: z.literal('test'), path: z.string(), value: z.unknown() }),
  z.object({ op: z.literal('remove'), path: z.string() }),
]);
export type JsonPatchOp = z.infer<typeof JsonPatchOpSchema>;

/** Splits an RFC 6901 pointer into unescaped reference tokens. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`JSON pointer must start with "/": ${pointer}`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** Applies the operations in order to a copy of `doc`; throws on a path that does not resolve. */
export function applyJsonPatch(doc: unknown, ops: readonly JsonPatchOp[]): unknown {
  let result = structuredClone(doc);
  for (const op of ops) result = applyOne(result, op);
  return result;
}

function applyOne(doc: unknown, op: JsonPatchOp): unknown {
  const tokens = parsePointer(op.path);
  if (tokens.length === 0) {
    if (op.op === 'remove') throw new Error('JSON patch: cannot remove the whole document');
    if (op.op === 'test') {
      if (!deepEqual(doc, op.value)) throw new Error('JSON patch test failed at ""');
      return doc;
    }
    return structuredClone(op.value);
  }
  const parent = resolve(doc, tokens.slice(0, -1), op.path);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) {
    const index = last === '-' && op.op === 'add' ? parent.length : arrayIndex(last, op.path);
    const limit = op.op === 'add' ? parent.length : parent.length - 1;
    if (index > limit) throw new Error(`JSON patch: index ${last} out of range at ${op.path}`);
    if (op.op === 'add') parent.splice(index, 0, structuredClone(op.value));
    else if (op.op === 'replace') parent[index] = structuredClone(op.value);
    else if (op.op === 'remove') parent.splice(index, 1);
    else if (!deepEqual(parent[index], op.value)) throw new Error(`JSON patch test failed at ${op.path}`);
    return doc;
  }
  if (!isObject(parent)) throw new Error(`JSON patch: ${op.path} does not point into an object or array`);
  const exists = Object.hasOwn(parent, last);
  if (op.op !== 'add' && !exists) throw new Error(`JSON patch ${op.op}: no value at ${op.path}`);
  if (op.op === 'add' || op.op === 'replace') parent[last] = structuredClone(op.value);
  else if (op.op === 'remove') delete parent[last];
  else if (!deepEqual(parent[last], op.value)) throw new Error(`JSON patch test failed at ${op.path}`);
  return doc;
}

function resolve(doc: unknown, tokens: readonly string[], pointer: string): unknown {
  let current = doc;
  for (const token of tokens) {
    if (Array.isArray(current)) current = current[arrayIndex(token, pointer)];
    else if (isObject(current) && Object.hasOwn(current, token)) current = current[token];
    else current = undefined;
    if (current === undefined) throw new Error(`JSON patch: path ${pointer} does not exist (at "${token}")`);
  }
  return current;
}

function arrayIndex(token: string, pointer: string): number {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new Error(`JSON patch: "${token}" is not an array index in ${pointer}`);
  return Number(token);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
  }
  return false;
}
