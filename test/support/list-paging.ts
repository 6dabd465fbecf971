/**
 * How the fake API server negotiates what it sends and pages lists, after kube-apiserver (sources in
 * SOURCE.md): `Accept` with `as=PartialObjectMetadata[List];g=meta.k8s.io;v=v1` for metadata-only
 * answers and 406 for what it cannot serve; `limit` + `continue` with continue tokens bound to the
 * list's resourceVersion, `remainingItemCount` when no selector is used, 410 Expired (with an
 * inconsistent continue token) once that resourceVersion was compacted, the 400s the real one gives
 * for invalid combinations; `resourceVersion=0` served "from the watch cache", which ignores `limit`;
 * and gzip of answers over 128 KiB when the client accepts it.
 */
import { gzipSync } from 'node:zlib';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type KubeObject = Record<string, any>;

/** A Status failure the fake answers with. */
export class ApiStatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly listMeta?: KubeObject,
  ) {
    super(message);
  }
}

/** What the client gets: the object itself, or its metadata only. */
export type Representation = 'object' | 'PartialObjectMetadata' | 'PartialObjectMetadataList';

const SERVED = 'application/json, application/yaml, application/vnd.kubernetes.protobuf';
const META_VERSIONS = new Set(['v1', 'v1beta1']);

/**
 * Picks the first `Accept` clause this fake can serve (JSON only; protobuf, YAML and Table clauses
 * are skipped, so a JSON fallback after them is used). 406 when none fits, or when a metadata
 * representation does not fit the request (a list asked for as a single object or the reverse).
 */
export function negotiate(accept: string | undefined, request: 'list' | 'object' | 'watch'): { representation: Representation; apiVersion: string } {
  const clauses = (accept ?? '*/*').split(',').map((c) => c.trim()).filter(Boolean);
  for (const clause of clauses) {
    const [type = '', ...rawParams] = clause.split(';').map((s) => s.trim());
    const params = Object.fromEntries(rawParams.map((p) => p.split('=').map((s) => s.trim()) as [string, string]));
    if (type !== 'application/json' && type !== '*/*' && type !== 'application/*') continue;
    const as = params['as'];
    if (as === undefined) return { representation: 'object', apiVersion: 'v1' };
    if (params['g'] !== 'meta.k8s.io' || !META_VERSIONS.has(params['v'] ?? '')) continue;
    if (as !== 'PartialObjectMetadata' && as !== 'PartialObjectMetadataList') continue; // Table: not in this fake
    const wantsList = as === 'PartialObjectMetadataList';
    if (wantsList !== (request === 'list')) {
      throw new ApiStatusError(
        406,
        'NotAcceptable',
        wantsList
          ? 'you requested PartialObjectMetadataList, but the requested object is not a list'
          : 'you requested PartialObjectMetadata, but the requested object is a list',
      );
    }
    return { representation: as, apiVersion: `meta.k8s.io/${params['v']}` };
  }
  throw new ApiStatusError(406, 'NotAcceptable', `only the following media types are accepted: ${SERVED}`);
}

/** An object as the negotiated representation shows it. */
export function represent(o: KubeObject, rep: { representation: Representation; apiVersion: string }): KubeObject {
  if (rep.representation === 'object') return o;
  return { kind: 'PartialObjectMetadata', apiVersion: rep.apiVersion, metadata: o.metadata };
}

interface ContinueToken {
  v: 'meta.k8s.io/v1';
  /** The list's resourceVersion; -1 for an "inconsistent" token handed out with a 410. */
  rv: number;
  /** The last key returned. */
  start: string;
}

function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decodeContinue(token: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ContinueToken;
    if (t.v !== 'meta.k8s.io/v1' || typeof t.rv !== 'number' || typeof t.start !== 'string') throw new Error('unknown format');
    return t;
  } catch (error) {
    throw new ApiStatusError(400, 'BadRequest', `invalid continue token: ${(error as Error).message}`);
  }
}

// k8s.io/apiserver/pkg/storage/etcd3/errors.go
const INCONSISTENT_CONTINUE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

export interface PageRequest {
  limit?: string | undefined;
  continue?: string | undefined;
  resourceVersion?: string | undefined;
  /** A label or field selector was given (then remainingItemCount is unknown). */
  selected: boolean;
}

/** One page of `keys` (already filtered), in key order, with its list metadata. */
export function pageOf(
  keys: string[],
  req: PageRequest,
  state: { rv: number; compactedBelow: number },
): { keys: string[]; metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number } } {
  const sorted = [...keys].sort();
  let limit = 0;
  if (req.limit !== undefined && req.limit !== '') {
    if (!/^-?\d+$/.test(req.limit)) throw new ApiStatusError(400, 'BadRequest', `limit: Invalid value: "${req.limit}": strconv.ParseInt: parsing "${req.limit}": invalid syntax`);
    limit = Math.max(0, Number(req.limit));
  }
  const rvParam = req.resourceVersion ?? '';
  if (req.continue) {
    if (rvParam !== '' && rvParam !== '0') throw new ApiStatusError(400, 'BadRequest', 'specifying resource version is not allowed when using continue');
    const token = decodeContinue(req.continue);
    if (token.rv !== -1 && token.rv < state.compactedBelow) {
      const fresh = encodeContinue({ v: 'meta.k8s.io/v1', rv: -1, start: token.start });
      throw new ApiStatusError(410, 'Expired', INCONSISTENT_CONTINUE, { continue: fresh });
    }
    const rest = sorted.filter((k) => k > token.start);
    return cut(rest, limit, token.rv === -1 ? state.rv : token.rv, req.selected);
  }
  // resourceVersion=0 is served from the watch cache, which (before pagination from cache snapshots)
  // answers with every item and no continue token whatever the limit.
  if (rvParam === '0') return { keys: sorted, metadata: { resourceVersion: String(state.rv) } };
  return cut(sorted, limit, state.rv, req.selected);
}

function cut(keys: string[], limit: number, rv: number, selected: boolean) {
  if (limit === 0 || keys.length <= limit) return { keys, metadata: { resourceVersion: String(rv) } };
  const page = keys.slice(0, limit);
  const metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number } = {
    resourceVersion: String(rv),
    continue: encodeContinue({ v: 'meta.k8s.io/v1', rv, start: page[page.length - 1]! }),
  };
  if (!selected) metadata.remainingItemCount = keys.length - limit;
  return { keys: page, metadata };
}

/** kube-apiserver gzips (level 1) an answer over 128 KiB when the client sends `Accept-Encoding: gzip`. */
export const GZIP_THRESHOLD_BYTES = 128 * 1024;

/** The bytes to send and extra headers, compressed when the client accepts gzip and the body is large. */
export function encodeBody(text: string, acceptEncoding: string | string[] | undefined): { body: Buffer; headers: Record<string, string> } {
  const raw = Buffer.from(text);
  const accepts = String(acceptEncoding ?? '').split(',').some((e) => e.trim().split(';')[0] === 'gzip');
  if (!accepts || raw.length <= GZIP_THRESHOLD_BYTES) return { body: raw, headers: {} };
  return { body: gzipSync(raw, { level: 1 }), headers: { 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding' } };
}
