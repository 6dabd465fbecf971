/**
 * Renders a kustomization with the real kustomize built into kubectl (`kubectl kustomize DIR`: argument
 * array, timeout) and parses its multi-document YAML into plain objects, each checked to be a
 * Kubernetes object. Tests that render register through `needs('kubectl')` (test/helpers/requirements.ts).
 */
import { execaSync } from 'execa';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';

/** A rendered Kubernetes object (plain JSON). */
export type KubeObject = Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };

const KubeObjectSchema = z
  .object({
    apiVersion: z.string().min(1),
    kind: z.string().min(1),
    metadata: z.object({ name: z.string().min(1), namespace: z.string().optional() }).loose(),
  })
  .loose();

const KUSTOMIZE_TIMEOUT_MS = 60_000;

/** kubectl kustomize's output for `dir`; throws with kustomize's own error line when it refuses. */
export function kustomizeBuild(dir: string): string {
  const result = execaSync('kubectl', ['kustomize', dir], { reject: false, timeout: KUSTOMIZE_TIMEOUT_MS, encoding: 'utf8' });
  if (result.failed) {
    const reason = result.timedOut ? `timed out after ${KUSTOMIZE_TIMEOUT_MS} ms` : String(result.stderr || result.shortMessage).trim();
    throw new Error(`kubectl kustomize ${dir}: ${reason}`);
  }
  return String(result.stdout);
}

/** Parses kustomize's output: every document must be a Kubernetes object. */
export function parseRendered(yamlText: string): KubeObject[] {
  return parseAllDocuments(yamlText).flatMap((doc, index) => {
    if (doc.errors.length > 0) throw new Error(`rendered document ${index + 1}: ${doc.errors[0]!.message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return [];
    return [KubeObjectSchema.parse(value) as KubeObject];
  });
}

const rendered = new Map<string, KubeObject[]>();

/** The objects `kubectl kustomize dir` renders (once per directory and process; callers get copies). */
export function renderKustomization(dir: string): KubeObject[] {
  let objects = rendered.get(dir);
  if (objects === undefined) {
    objects = parseRendered(kustomizeBuild(dir));
    rendered.set(dir, objects);
  }
  return structuredClone(objects);
}
