/**
 * The agent's Kubernetes client. KubeConfig resolution (flag → in-cluster → KUBECONFIG → none) and a
 * small interface of our own, `KubeNodeApi`, over @kubernetes/client-node 1.x: nothing outside
 * src/kube/ imports client-node types. Every request has a timeout; every object read back is
 * zod-validated down to the parts we use (node labels/annotations/conditions, pod init statuses).
 */
import { existsSync } from 'node:fs';
import { request as httpRequest, type Agent as HttpAgent } from 'node:http';
import { request as httpsRequest } from 'node:https';
import {
  ApiException,
  AuthenticationV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  RequestContext,
  ResponseContext,
  SelfDecodingBody,
  ServerConfiguration,
  Watch,
  createConfiguration,
  setHeaderOptions,
  wrapHttpLibrary,
  type PromiseHttpLibrary,
} from '@kubernetes/client-node';
import { z } from 'zod';
import { ConfigMapSchema, type ConfigMap } from '../meshconfig/configmaps.ts';
import { LeanReadError, LeanReader, type ListStats, type MetadataListOptions } from './lean-read.ts';

/** Where the service account files live inside a pod. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

// ---- our own vocabulary ----

/** A node condition as read back (times as RFC 3339 strings). */
export interface NodeCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

/** The parts of a Node the agent reads. */
export interface NodeInfo {
  name: string;
  resourceVersion?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  conditions: NodeCondition[];
}

/** One container state (exactly one of the three is normally set). */
export interface ContainerStateInfo {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { exitCode: number; reason?: string; message?: string; finishedAt?: string };
}

export interface ContainerStatusInfo {
  name: string;
  restartCount: number;
  state: ContainerStateInfo;
  lastState: ContainerStateInfo;
}

/** The parts of a Pod the init-container watcher reads. */
export interface PodInfo {
  namespace: string;
  name: string;
  uid: string;
  resourceVersion?: string;
  nodeName?: string;
  labels: Record<string, string>;
  initContainerStatuses: ContainerStatusInfo[];
  /** The regular containers (the mesh node agents are DaemonSet containers, not init containers). */
  containerStatuses?: ContainerStatusInfo[];
}

export interface PodList {
  items: PodInfo[];
  resourceVersion: string;
}

/** One watch event, already validated. */
export type PodWatchEvent =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; pod: PodInfo }
  | { type: 'BOOKMARK'; resourceVersion: string }
  | { type: 'ERROR'; error: KubeApiError };

/** A running watch: stop it, or await its end (error undefined when the server closed it cleanly). */
export interface WatchHandle {
  stop(): void;
  readonly done: Promise<{ error?: Error }>;
}

export interface PodLogRequest {
  namespace: string;
  pod: string;
  container: string;
  previous?: boolean;
  tailLines?: number;
  limitBytes?: number;
}

/** A core/v1 Event about an object. */
export interface KubeEventInput {
  namespace: string;
  involvedObject: { kind: string; name: string; namespace?: string; uid?: string; apiVersion?: string; fieldPath?: string };
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  component: string;
  host?: string;
}

export interface TokenReviewResult {
  authenticated: boolean;
  username?: string;
  uid?: string;
  groups: string[];
  error?: string;
}

/** Everything the agent asks of the API server. */
export interface KubeNodeApi {
  getNode(name: string): Promise<NodeInfo>;
  /** JSON merge patch (RFC 7386) on the node: metadata labels/annotations. */
  patchNodeMetadata(name: string, patch: object): Promise<NodeInfo>;
  /** Strategic merge patch on `nodes/{name}/status` (conditions merge by type). */
  patchNodeStatus(name: string, patch: object): Promise<NodeInfo>;
  /** Every node's metadata, metadata-only and paged (src/kube/lean-read.ts). */
  listNodeMetadata(opts: MetadataListOptions): Promise<ListStats>;
  /** One whole node from the API server's cache (resourceVersion=0); undefined when there is none. */
  readNodeCached(name: string): Promise<NodeInfo | undefined>;
  listPodsOnNode(nodeName: string): Promise<PodList>;
  watchPodsOnNode(nodeName: string, resourceVersion: string, onEvent: (e: PodWatchEvent) => void): Promise<WatchHandle>;
  readPodLog(req: PodLogRequest): Promise<string>;
  createEvent(ev: KubeEventInput): Promise<void>;
  createTokenReview(token: string, audiences?: string[]): Promise<TokenReviewResult>;
  /** GET one ConfigMap (--mesh-from-cluster); undefined when it does not exist (404). */
  getConfigMap?(namespace: string, name: string): Promise<ConfigMap | undefined>;
}

/** An API error in our terms: HTTP code (undefined for network errors/timeouts), Status reason. */
export class KubeApiError extends Error {
  constructor(
    message: string,
    readonly code: number | undefined,
    readonly reason?: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }

  /** 409, 429, 5xx and network errors/timeouts are worth retrying. */
  get retryable(): boolean {
    return this.code === undefined || this.code === 409 || this.code === 429 || this.code >= 500;
  }
}

// ---- validation ----

/** client-node turns date-time fields into Date; the watch stream leaves strings. Both → RFC 3339. */
const Time = z
  .union([z.string(), z.date()])
  .transform((v) => (typeof v === 'string' ? v : v.toISOString().replace(/\.\d{3}Z$/, 'Z')));
const StringMap = z.record(z.string(), z.string()).nullish().transform((v) => v ?? {});

const ConditionSchema = z.object({
  type: z.string(),
  status: z.string(),
  reason: z.string().nullish().transform((v) => v ?? undefined),
  message: z.string().nullish().transform((v) => v ?? undefined),
  lastHeartbeatTime: Time.nullish().transform((v) => v ?? undefined),
  lastTransitionTime: Time.nullish().transform((v) => v ?? undefined),
});

const NodeSchema = z.object({
  metadata: z.object({ name: z.string(), resourceVersion: z.string().optional(), labels: StringMap, annotations: StringMap }),
  status: z.object({ conditions: z.array(ConditionSchema).nullish() }).nullish(),
});

const StateSchema = z
  .object({
    waiting: z.object({ reason: z.string().optional(), message: z.string().optional() }).nullish(),
    running: z.object({ startedAt: Time.optional() }).nullish(),
    terminated: z
      .object({ exitCode: z.number().int(), reason: z.string().optional(), message: z.string().optional(), finishedAt: Time.optional() })
      .nullish(),
  })
  .nullish();

const ContainerStatusSchema = z.object({
  name: z.string(),
  restartCount: z.number().int().nonnegative().default(0),
  state: StateSchema,
  lastState: StateSchema,
});

const PodSchema = z.object({
  metadata: z.object({
    name: z.string(),
    namespace: z.string(),
    uid: z.string(),
    resourceVersion: z.string().optional(),
    labels: StringMap,
  }),
  spec: z.object({ nodeName: z.string().optional() }).nullish(),
  status: z.object({ initContainerStatuses: z.array(ContainerStatusSchema).nullish(), containerStatuses: z.array(ContainerStatusSchema).nullish() }).nullish(),
});

const StatusSchema = z.object({
  kind: z.literal('Status').optional(),
  code: z.number().int().optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
});

function clean<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as T;
}

function toState(s: z.infer<typeof StateSchema>): ContainerStateInfo {
  if (!s) return {};
  return clean({
    waiting: s.waiting ? clean(s.waiting) : undefined,
    running: s.running ? clean(s.running) : undefined,
    terminated: s.terminated ? clean(s.terminated) : undefined,
  });
}

/** Validates a Node (as client-node or a raw JSON body gives it) into NodeInfo. */
export function parseNode(raw: unknown): NodeInfo {
  const n = NodeSchema.parse(raw);
  return clean({
    name: n.metadata.name,
    resourceVersion: n.metadata.resourceVersion,
    labels: n.metadata.labels,
    annotations: n.metadata.annotations,
    conditions: (n.status?.conditions ?? []).map((c) => clean(c) as NodeCondition),
  });
}

/** Validates a Pod into PodInfo. */
export function parsePod(raw: unknown): PodInfo {
  const p = PodSchema.parse(raw);
  return clean({
    namespace: p.metadata.namespace,
    name: p.metadata.name,
    uid: p.metadata.uid,
    resourceVersion: p.metadata.resourceVersion,
    nodeName: p.spec?.nodeName,
    labels: p.metadata.labels,
    initContainerStatuses: (p.status?.initContainerStatuses ?? []).map(toStatus),
    containerStatuses: (p.status?.containerStatuses ?? []).map(toStatus),
  });
}

function toStatus(c: z.infer<typeof ContainerStatusSchema>): ContainerStatusInfo {
  return { name: c.name, restartCount: c.restartCount, state: toState(c.state), lastState: toState(c.lastState) };
}

/** Turns whatever client-node or the transport threw into a KubeApiError. */
export function toKubeApiError(err: unknown, what: string): KubeApiError {
  if (err instanceof KubeApiError) return err;
  if (err instanceof ApiException) {
    let body: unknown = err.body;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        /* not JSON: keep the text */
      }
    }
    const status = StatusSchema.safeParse(body);
    const headers = (err.headers ?? {}) as Record<string, string>;
    const retryAfter = Number(headers['retry-after'] ?? headers['Retry-After']);
    const message = status.success && status.data.message ? status.data.message : String(typeof body === 'string' ? body : err.message);
    return new KubeApiError(
      `${what}: ${err.code} ${message}`,
      err.code,
      status.success ? status.data.reason : undefined,
      Number.isFinite(retryAfter) ? retryAfter : undefined,
    );
  }
  if (err instanceof LeanReadError) return new KubeApiError(err.message, err.code, err.reason);
  const e = err as { message?: string; statusCode?: number };
  return new KubeApiError(`${what}: ${e?.message ?? String(err)}`, e?.statusCode);
}

// ---- KubeConfig resolution ----

export interface ResolveKubeConfigOptions {
  /** `--kubeconfig` flag. */
  kubeconfig?: string;
  env?: NodeJS.ProcessEnv;
  /** Root for the in-cluster files (tests); `/` in production. */
  inClusterRoot?: string;
}

/** A resolved KubeConfig and where it came from. */
export interface ResolvedKubeConfig {
  kc: KubeConfig;
  source: 'flag' | 'in-cluster' | 'env';
  server: string;
}

/** flag → in-cluster (service account) → KUBECONFIG → undefined (run without Kubernetes). */
export function resolveKubeConfig(opts: ResolveKubeConfigOptions = {}): ResolvedKubeConfig | undefined {
  const env = opts.env ?? process.env;
  const kc = new KubeConfig();
  let source: ResolvedKubeConfig['source'];
  if (opts.kubeconfig) {
    kc.loadFromFile(opts.kubeconfig);
    source = 'flag';
  } else if (env['KUBERNETES_SERVICE_HOST'] && existsSync(`${(opts.inClusterRoot ?? '').replace(/\/$/, '')}${SERVICE_ACCOUNT_DIR}/token`)) {
    // loadFromCluster reads the host/port from process.env, so hand it ours when injected.
    const saved = { h: process.env['KUBERNETES_SERVICE_HOST'], p: process.env['KUBERNETES_SERVICE_PORT'] };
    process.env['KUBERNETES_SERVICE_HOST'] = env['KUBERNETES_SERVICE_HOST'];
    if (env['KUBERNETES_SERVICE_PORT'] !== undefined) process.env['KUBERNETES_SERVICE_PORT'] = env['KUBERNETES_SERVICE_PORT'];
    try {
      kc.loadFromCluster((opts.inClusterRoot ?? '').replace(/\/$/, ''));
    } finally {
      restoreEnv('KUBERNETES_SERVICE_HOST', saved.h);
      restoreEnv('KUBERNETES_SERVICE_PORT', saved.p);
    }
    source = 'in-cluster';
  } else if (env['KUBECONFIG']) {
    const first = env['KUBECONFIG'].split(':').find((f) => f.length > 0);
    if (!first) return undefined;
    kc.loadFromFile(first);
    source = 'env';
  } else {
    return undefined;
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`kubeconfig (${source}) has no current cluster`);
  return { kc, source, server: cluster.server };
}

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

// ---- transport with timeouts ----

/** client-node's default fetch library has no timeout; this one does (node:http(s) + the kubeconfig agent). */
class TimeoutHttpLibrary implements PromiseHttpLibrary {
  constructor(private readonly timeoutMs: number) {}

  send(req: RequestContext): Promise<ResponseContext> {
    const url = new URL(req.getUrl());
    const doRequest = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const body = req.getBody() as string | Buffer | undefined;
    return new Promise((resolve, reject) => {
      const r = doRequest(
        url,
        { method: req.getHttpMethod(), headers: req.getHeaders(), agent: req.getAgent() as HttpAgent | undefined, timeout: this.timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
            resolve(new ResponseContext(res.statusCode ?? 0, headers, new SelfDecodingBody(Promise.resolve(Buffer.concat(chunks)))));
          });
        },
      );
      const timer = setTimeout(() => r.destroy(new KubeApiError(`timeout after ${this.timeoutMs} ms: ${req.getHttpMethod()} ${url.pathname}`, undefined)), this.timeoutMs);
      r.on('timeout', () => r.destroy(new KubeApiError(`socket idle timeout: ${req.getHttpMethod()} ${url.pathname}`, undefined)));
      r.on('error', reject);
      r.on('close', () => clearTimeout(timer));
      if (body !== undefined && body !== null && body !== '') r.write(body);
      r.end();
    });
  }
}

export interface KubeApiOptions {
  /** Per-request timeout (ms); default 10 s. */
  timeoutMs?: number;
  /** Server-side watch timeout (s) after which we re-watch; default 300. */
  watchTimeoutSeconds?: number;
}

/** Builds our KubeNodeApi on a resolved KubeConfig. */
export function createKubeNodeApi(resolved: ResolvedKubeConfig, opts: KubeApiOptions = {}): KubeNodeApi {
  const { kc } = resolved;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(resolved.server, {}),
    authMethods: { default: kc },
    httpApi: wrapHttpLibrary(new TimeoutHttpLibrary(timeoutMs)),
  });
  const core = new CoreV1Api(configuration);
  const lean = new LeanReader(kc, { timeoutMs: Math.max(timeoutMs, 30_000) });
  const authn = new AuthenticationV1Api(configuration);
  const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw toKubeApiError(err, what);
    }
  };

  return {
    getNode: (name) => call(`get node ${name}`, async () => parseNode(await core.readNode({ name }))),
    patchNodeMetadata: (name, patch) => call(`patch node ${name}`, async () => parseNode(await core.patchNode({ name, body: patch }, merge))),
    patchNodeStatus: (name, patch) =>
      call(`patch node ${name}/status`, async () => parseNode(await core.patchNodeStatus({ name, body: patch }, strategic))),
    listNodeMetadata: (o) => call('list node metadata', () => lean.listNodeMetadata(o)),
    readNodeCached: (name) =>
      call(`get node ${name}`, async () => {
        const raw = await lean.getObject(`/api/v1/nodes/${encodeURIComponent(name)}`);
        return raw === undefined ? undefined : parseNode(raw);
      }),
    listPodsOnNode: (nodeName) =>
      call(`list pods on ${nodeName}`, async () => {
        const list = await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${nodeName}` });
        return { items: list.items.map(parsePod), resourceVersion: list.metadata?.resourceVersion ?? '' };
      }),
    watchPodsOnNode: (nodeName, resourceVersion, onEvent) => watchPods(kc, nodeName, resourceVersion, onEvent, opts.watchTimeoutSeconds ?? 300),
    readPodLog: (r) =>
      call(`read log ${r.namespace}/${r.pod}/${r.container}`, async () =>
        String(
          await core.readNamespacedPodLog(
            clean({ namespace: r.namespace, name: r.pod, container: r.container, previous: r.previous, tailLines: r.tailLines, limitBytes: r.limitBytes }),
          ),
        ),
      ),
    createEvent: (ev) =>
      call(`create event on ${ev.involvedObject.kind} ${ev.namespace}/${ev.involvedObject.name}`, async () => {
        const now = new Date();
        // client-go's recorder names events `<object>.<hex nanos>` (tools/record/event.go).
        const name = `${ev.involvedObject.name}.${(BigInt(now.getTime()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1e6))).toString(16)}`;
        await core.createNamespacedEvent({
          namespace: ev.namespace,
          body: {
            metadata: { name, namespace: ev.namespace },
            involvedObject: { namespace: ev.namespace, ...ev.involvedObject },
            type: ev.type,
            reason: ev.reason,
            message: ev.message,
            source: clean({ component: ev.component, host: ev.host }),
            reportingComponent: ev.component,
            reportingInstance: ev.host ?? '',
            firstTimestamp: now,
            lastTimestamp: now,
            count: 1,
          },
        });
      }),
    getConfigMap: (namespace, name) =>
      call(`get configmap ${namespace}/${name}`, async () => ConfigMapSchema.parse(await core.readNamespacedConfigMap({ namespace, name }))).catch((error: unknown) => {
        if (error instanceof KubeApiError && error.code === 404) return undefined;
        throw error;
      }),
    createTokenReview: (token, audiences) =>
      call('create tokenreview', async () => {
        const r = await authn.createTokenReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: clean({ token, audiences }) } });
        const s = z
          .object({
            authenticated: z.boolean().nullish(),
            error: z.string().nullish(),
            user: z.object({ username: z.string().nullish(), uid: z.string().nullish(), groups: z.array(z.string()).nullish() }).nullish(),
          })
          .nullish()
          .parse(r.status);
        return clean({
          authenticated: s?.authenticated === true,
          username: s?.user?.username ?? undefined,
          uid: s?.user?.uid ?? undefined,
          groups: s?.user?.groups ?? [],
          error: s?.error ?? undefined,
        });
      }),
  };
}

async function watchPods(
  kc: KubeConfig,
  nodeName: string,
  resourceVersion: string,
  onEvent: (e: PodWatchEvent) => void,
  timeoutSeconds: number,
): Promise<WatchHandle> {
  let finish: (r: { error?: Error }) => void = () => {};
  const done = new Promise<{ error?: Error }>((resolve) => (finish = resolve));
  let ended = false;
  const end = (r: { error?: Error }) => {
    if (!ended) {
      ended = true;
      finish(r);
    }
  };
  const controller = await new Watch(kc).watch(
    '/api/v1/pods',
    { fieldSelector: `spec.nodeName=${nodeName}`, resourceVersion, allowWatchBookmarks: true, timeoutSeconds },
    (type, obj) => {
      try {
        if (type === 'BOOKMARK') {
          const rv = z.object({ metadata: z.object({ resourceVersion: z.string() }) }).parse(obj).metadata.resourceVersion;
          onEvent({ type, resourceVersion: rv });
        } else if (type === 'ERROR') {
          const s = StatusSchema.parse(obj);
          onEvent({ type, error: new KubeApiError(`watch pods: ${s.code ?? '?'} ${s.message ?? ''}`, s.code, s.reason) });
        } else if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
          onEvent({ type, pod: parsePod(obj) });
        }
      } catch (err) {
        // A malformed object must not kill the watch; the next relist repairs our view.
        onEvent({ type: 'ERROR', error: new KubeApiError(`watch pods: invalid object: ${(err as Error).message}`, 422, 'Invalid') });
      }
    },
    (err: unknown) => end(err ? { error: toKubeApiError(err, 'watch pods') } : {}),
  );
  return {
    stop: () => {
      end({}); // first: abort() makes client-node report "The user aborted a request" as an error
      controller.abort();
    },
    done,
  };
}
