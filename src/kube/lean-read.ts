/**
 * Lean reads from the API server, the way kubectl and client-go's metadata informers read: raw GETs
 * authenticated through the kubeconfig (KubeConfig.applyToHTTPSOptions: token, client certificate, exec
 * plugins, CA), asking for metadata only (`as=PartialObjectMetadataList`) and in chunks (`limit` +
 * `continue`, like `kubectl get --chunk-size`). Each page is decoded, handed to the caller and dropped,
 * so memory stays at one page however large the cluster. `Accept-Encoding: gzip` lets kube-apiserver
 * compress responses over 128 KiB (as client-go's transport does).
 *
 * Paged lists never send `resourceVersion=0`: served from the watch cache it makes many API server
 * versions ignore `limit` and answer with the whole list in one response (api-concepts, "Semantics
 * for get and list"; client-go's pager clears the resourceVersion once paging). Single-object GETs
 * use `resourceVersion=0` (served from the cache; a slightly stale node is fine there).
 */
import { request as httpRequest, type Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { createGunzip } from 'node:zlib';
import type { KubeConfig } from '@kubernetes/client-node';
import { z } from 'zod';

/** Metadata-only list (client-go metadata client, k8s.io/client-go/metadata). */
export const METADATA_LIST_ACCEPT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1, application/json';
/** Metadata-only single objects and watch events. */
export const METADATA_ACCEPT = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1, application/json';
/** kubectl's default `--chunk-size`. */
export const DEFAULT_CHUNK_SIZE = 500;
/** Largest body (decoded) a single response may have; a page of 500 metadata objects is ~3 MB. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** An error answer (or a transport failure: code undefined) of a lean read. */
export class LeanReadError extends Error {
  constructor(
    message: string,
    readonly code: number | undefined,
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'LeanReadError';
  }
}

const StringMap = z.record(z.string(), z.string()).nullish().transform((v) => v ?? {});

/** The metadata we read of any object. */
export const ObjectMetaSchema = z.object({
  name: z.string(),
  namespace: z.string().optional(),
  resourceVersion: z.string().optional(),
  labels: StringMap,
  annotations: StringMap,
});
export type ObjectMeta = z.infer<typeof ObjectMetaSchema>;

// kind is PartialObjectMetadataList, or NodeList from a server that ignored `as=` (we fall back to JSON).
const MetadataListSchema = z.object({
  kind: z.string().optional(),
  metadata: z
    .object({ resourceVersion: z.string().optional(), continue: z.string().optional(), remainingItemCount: z.number().int().optional() })
    .nullish()
    .transform((m) => m ?? {}),
  items: z
    .array(z.object({ metadata: ObjectMetaSchema }))
    .nullish()
    .transform((i) => i ?? []),
});

const StatusSchema = z.object({ kind: z.literal('Status'), code: z.number().optional(), reason: z.string().optional(), message: z.string().optional() });

/** What one paged list cost. */
export interface ListStats {
  pages: number;
  items: number;
  /** Body bytes as received (compressed when the server compressed them). */
  wireBytes: number;
  /** Body bytes after decompression. */
  bodyBytes: number;
  /** The list's resourceVersion (of its first page: the snapshot the pages belong to). */
  resourceVersion: string;
  /** Times the list started over because a continue token had expired (410). */
  restarts: number;
}

export interface MetadataListOptions {
  /** `labelSelector`, as kubectl's `--selector`. */
  labelSelector?: string;
  /** Items per page (`limit`); 0 asks for everything at once. Default 500. */
  chunkSize?: number;
  /**
   * Called with each page's items. Called again from the first page when the list restarts after an
   * expired continue token, with `restart` true: the caller drops what it kept.
   */
  onPage(items: ObjectMeta[], page: { restart: boolean }): void;
}

/** A raw GET's answer: status, headers and the decoded body. */
interface RawAnswer {
  status: number;
  body: string;
  wireBytes: number;
}

export interface LeanReaderOptions {
  /** Per request (ms); default 30 s. */
  timeoutMs?: number;
}

/** Lean reads for one kubeconfig context. */
export class LeanReader {
  private readonly server: string;
  private readonly timeoutMs: number;

  constructor(
    private readonly kc: KubeConfig,
    opts: LeanReaderOptions = {},
  ) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    this.server = cluster.server.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  /** Every node's metadata, page by page; one list in flight per call. */
  listNodeMetadata(opts: MetadataListOptions): Promise<ListStats> {
    return this.listMetadata('/api/v1/nodes', opts);
  }

  /** Every object's metadata under `path` (a collection), page by page. */
  async listMetadata(path: string, opts: MetadataListOptions): Promise<ListStats> {
    const limit = opts.chunkSize ?? DEFAULT_CHUNK_SIZE;
    if (!Number.isInteger(limit) || limit < 0) throw new LeanReadError(`invalid chunk size ${limit}: expected 0 or more`, undefined);
    const stats: ListStats = { pages: 0, items: 0, wireBytes: 0, bodyBytes: 0, resourceVersion: '', restarts: 0 };
    let token: string | undefined;
    let restart = false;
    for (;;) {
      const query: Record<string, string> = {};
      if (opts.labelSelector) query['labelSelector'] = opts.labelSelector;
      if (limit > 0) query['limit'] = String(limit);
      if (token) query['continue'] = token;
      const answer = await this.get(path, query, METADATA_LIST_ACCEPT);
      stats.wireBytes += answer.wireBytes;
      stats.bodyBytes += Buffer.byteLength(answer.body);
      if (answer.status === 410 && token !== undefined && stats.restarts === 0) {
        // The continue token expired (etcd compacted its snapshot): start the list over, once, for a
        // consistent result rather than finish with the inconsistent token the 410 carries.
        stats.restarts += 1;
        stats.items = 0;
        token = undefined;
        restart = true;
        continue;
      }
      if (answer.status !== 200) throw errorFor(answer, `list ${path}`);
      const page = parseJson(answer.body, MetadataListSchema, `list ${path}`);
      const items = page.items.map((i) => i.metadata);
      if (stats.pages === 0 || restart) stats.resourceVersion = page.metadata.resourceVersion ?? '';
      stats.pages += 1;
      stats.items += items.length;
      opts.onPage(items, { restart });
      restart = false;
      token = page.metadata.continue || undefined;
      if (token === undefined) return stats;
    }
  }

  /** One object, whole (e.g. a node with its status), from the API server's cache (`resourceVersion=0`). */
  async getObject(path: string, opts: { cached?: boolean } = {}): Promise<unknown | undefined> {
    const answer = await this.get(path, opts.cached === false ? {} : { resourceVersion: '0' }, 'application/json');
    if (answer.status === 404) return undefined;
    if (answer.status !== 200) throw errorFor(answer, `get ${path}`);
    try {
      return JSON.parse(answer.body);
    } catch {
      throw new LeanReadError(`get ${path}: the answer is not JSON`, answer.status);
    }
  }

  /** A text subresource such as `pods/{name}/log`. */
  async getText(path: string, query: Record<string, string>): Promise<string> {
    // The API server negotiates its own media types even here: a bare text/plain is refused (406).
    const answer = await this.get(path, query, 'application/json, */*');
    if (answer.status !== 200) throw errorFor(answer, `get ${path}`);
    return answer.body;
  }

  /**
   * A metadata watch from `resourceVersion`: calls onEvent per event until the server ends it or
   * `signal` aborts. Resolves when the stream ends.
   */
  async watchMetadata(
    path: string,
    query: Record<string, string>,
    onEvent: (type: string, object: unknown) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const res = await this.open(path, { ...query, watch: '1', allowWatchBookmarks: 'true' }, METADATA_ACCEPT, { signal, idleTimeoutMs: 0 });
    if (res.statusCode !== 200) {
      const body = await readBody(res);
      throw errorFor({ status: res.statusCode ?? 0, body: body.text, wireBytes: body.wireBytes }, `watch ${path}`);
    }
    let buffered = '';
    const stream = decoded(res);
    stream.setEncoding('utf8');
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (chunk: string) => {
        buffered += chunk;
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (line === '') continue;
          try {
            const event = z.object({ type: z.string(), object: z.unknown() }).parse(JSON.parse(line));
            onEvent(event.type, event.object);
          } catch (error) {
            res.destroy();
            reject(new LeanReadError(`watch ${path}: bad event: ${(error as Error).message.split('\n')[0]}`, undefined));
            return;
          }
        }
      });
      stream.on('end', () => resolve());
      stream.on('error', (error: Error) => (signal?.aborted ? resolve() : reject(new LeanReadError(`watch ${path}: ${error.message}`, undefined))));
      res.on('close', () => resolve());
    });
  }

  private async get(path: string, query: Record<string, string>, accept: string): Promise<RawAnswer> {
    const res = await this.open(path, query, accept, {});
    const body = await readBody(res);
    return { status: res.statusCode ?? 0, body: body.text, wireBytes: body.wireBytes };
  }

  private async open(
    path: string,
    query: Record<string, string>,
    accept: string,
    opts: { signal?: AbortSignal | undefined; idleTimeoutMs?: number },
  ): Promise<IncomingMessage> {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const options: RequestOptions = { headers: {} };
    await this.kc.applyToHTTPSOptions(options);
    const headers = { ...(options.headers as Record<string, string>), Accept: accept, 'Accept-Encoding': 'gzip' };
    const doRequest = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const what = `GET ${url.pathname}`;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = doRequest(url, {
        method: 'GET',
        headers,
        agent: options.agent as HttpAgent | undefined,
        ...(options.auth ? { auth: options.auth } : {}),
        timeout: opts.idleTimeoutMs ?? this.timeoutMs,
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      // A deadline for headers and body alike; watches (idleTimeoutMs 0) run until the server ends them.
      const timer = opts.idleTimeoutMs === 0 ? undefined : setTimeout(() => req.destroy(new LeanReadError(`timeout after ${this.timeoutMs} ms: ${what}`, undefined)), this.timeoutMs);
      req.on('response', (res) => {
        res.on('close', () => clearTimeout(timer));
        resolve(res);
      });
      req.on('timeout', () => req.destroy(new LeanReadError(`socket idle timeout: ${what}`, undefined)));
      req.on('error', (error) => {
        clearTimeout(timer);
        reject(error instanceof LeanReadError ? error : new LeanReadError(`${what}: ${error.message}`, undefined));
      });
      req.end();
    });
  }
}

function decoded(res: IncomingMessage): NodeJS.ReadableStream & { setEncoding(e: BufferEncoding): unknown } {
  if (String(res.headers['content-encoding'] ?? '').toLowerCase() !== 'gzip') return res;
  const gunzip = createGunzip();
  res.pipe(gunzip);
  res.on('error', (e) => gunzip.destroy(e));
  return gunzip;
}

function readBody(res: IncomingMessage): Promise<{ text: string; wireBytes: number }> {
  const gzipped = String(res.headers['content-encoding'] ?? '').toLowerCase() === 'gzip';
  let wireBytes = 0;
  if (gzipped) res.on('data', (c: Buffer) => (wireBytes += c.length));
  const stream = decoded(res);
  const chunks: Buffer[] = [];
  let size = 0;
  return new Promise((resolve, reject) => {
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        res.destroy();
        reject(new LeanReadError(`answer larger than ${MAX_BODY_BYTES} bytes`, res.statusCode));
        return;
      }
      chunks.push(chunk);
    });
    stream.on('error', (error: Error) => reject(error instanceof LeanReadError ? error : new LeanReadError(error.message, undefined)));
    stream.on('end', () => resolve({ text: Buffer.concat(chunks).toString('utf8'), wireBytes: gzipped ? wireBytes : size }));
  });
}

function parseJson<T>(text: string, schema: z.ZodType<T>, what: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new LeanReadError(`${what}: the answer is not JSON`, 200);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new LeanReadError(`${what}: unexpected answer: ${parsed.error.issues[0]?.message ?? 'invalid'}`, 200);
  return parsed.data;
}

function errorFor(answer: RawAnswer, what: string): LeanReadError {
  let status: z.infer<typeof StatusSchema> | undefined;
  try {
    const parsed = StatusSchema.safeParse(JSON.parse(answer.body));
    if (parsed.success) status = parsed.data;
  } catch {
    /* not a Status */
  }
  const message = status?.message ?? (answer.body.trim().split('\n')[0] ?? '').slice(0, 300);
  return new LeanReadError(`${what}: ${answer.status} ${message}`, answer.status, status?.reason);
}
