/**
 * A FAKE kube-apiserver for tests. It is not Kubernetes: it keeps a few nodes, pods, events and logs
 * in memory and speaks only the slice of the REST API that mesh-preflight's agent uses, over plain
 * HTTP on 127.0.0.1 with one bearer token. What it does imitate faithfully, because our code depends
 * on it:
 *
 * - paths, query parameters and `Status` error bodies (kind Status, apiVersion v1, status Failure,
 *   reason, code, details) for 401/404/405/409/410/415/422/429/500;
 * - PATCH content types: merge (RFC 7386), strategic merge (conditions merged by `type`, `$patch:
 *   delete`), JSON patch; anything else → 415 UnsupportedMediaType;
 * - one global resourceVersion counter, bumped on every write that changes an object (a no-op PATCH
 *   does not bump it, as in real Kubernetes); `metadata.resourceVersion` in a patch is a precondition
 *   → 409 Conflict when stale;
 * - the node status split: PATCH on `nodes/{name}` keeps the old `status` (pkg/registry/core/node/
 *   strategy.go, `newNode.Status = oldNode.Status`); PATCH on `nodes/{name}/status` keeps the old
 *   spec, labels and annotations (metav1.ResetObjectMetaForStatus);
 * - watches: newline-delimited `{"type":...,"object":...}` events after the given resourceVersion,
 *   BOOKMARK events when `allowWatchBookmarks=true`, `timeoutSeconds`, and for a compacted
 *   resourceVersion HTTP 200 followed by one ERROR event carrying a 410 Expired Status, which is what
 *   the watch cache sends (example in wso2/apk#571: `too old resource version: 657887 (680402)`);
 *   `goneAsHttpStatus` switches to a plain HTTP 410 instead.
 * - pod logs with container/previous/tailLines/limitBytes and the real wording of their 400s.
 * - ConfigMaps: GET /api/v1/namespaces/{ns}/configmaps/{name}, 404 `configmaps "x" not found` and, for
 *   a name `forbid` was called for, the RBAC 403 Forbidden Status with the API server's wording.
 * - lists and GETs negotiated by `Accept` (metadata-only `PartialObjectMetadata[List]`, 406 for what it
 *   cannot serve), paged by `limit`/`continue` with 410 Expired tokens, gzip over 128 KiB
 *   (test/support/list-paging.ts).
 *
 * Test controls: add/update/delete objects (emitting watch events), set logs, inject failures for
 * the next N matching requests, drop watches, stop/start the listener, and a request log.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { jsonPatch, mergePatch, PatchError, strategicMergePatch, type Json } from './patch.ts';
import { ApiStatusError, encodeBody, negotiate, pageOf, represent } from './list-paging.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KubeObject = Record<string, any>;

/** One request as the fake received it. */
export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
  /** The request's Accept header. */
  accept?: string;
  body?: unknown;
  /** Status sent back; 0 when the connection was dropped. */
  status?: number;
  /** Body bytes sent back (after gzip, when the answer was compressed); not counted for watches. */
  responseBytes?: number;
}

/** A failure to inject into the next `times` requests that match. */
export interface FailureSpec {
  method?: string;
  /** Exact path, or a RegExp tested against the path. */
  path?: string | RegExp;
  /** Only watch requests (true) or only non-watch requests (false). */
  watch?: boolean;
  times?: number;
  status?: number;
  reason?: string;
  message?: string;
  retryAfterSeconds?: number;
  /** Delay before answering (or before failing, if status is set too). */
  delayMs?: number;
  /** Destroy the connection without an answer. */
  drop?: boolean;
}

export interface FakeApiServerOptions {
  token?: string;
  /** Token → user, for TokenReview. */
  users?: Record<string, { username: string; uid?: string; groups?: string[] }>;
  /** Interval of BOOKMARK events on watches that ask for them. */
  bookmarkIntervalMs?: number;
  /** Answer a too-old watch with HTTP 410 instead of 200 + ERROR event. */
  goneAsHttpStatus?: boolean;
}

type Kind = 'nodes' | 'pods';

interface HistoryEntry {
  rv: number;
  kind: Kind;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
}

interface Watcher {
  kind: Kind;
  match: (o: KubeObject) => boolean;
  res: ServerResponse;
  timers: NodeJS.Timeout[];
  rep: Parameters<typeof represent>[1];
}

interface ActiveFailure extends FailureSpec {
  remaining: number;
}

const kindNames: Record<Kind, { kind: string; list: string }> = {
  nodes: { kind: 'Node', list: 'NodeList' },
  pods: { kind: 'Pod', list: 'PodList' },
};

/** Builds a `Status` failure body the way the API server does. */
export function statusBody(code: number, reason: string, message: string, details?: KubeObject): KubeObject {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

class HttpFailure extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: KubeObject,
  ) {
    super(message);
  }
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Label selector matching: `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`. */
export function matchLabelSelector(selector: string | undefined, labels: Record<string, string> = {}): boolean {
  if (!selector) return true;
  const terms = selector.match(/[^,(]+(\([^)]*\))?/g) ?? [];
  return terms.every((raw) => {
    const t = raw.trim();
    if (t === '') return true;
    let m = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(t);
    if (m) {
      const values = (m[3] ?? '').split(',').map((s) => s.trim());
      const has = m[1]! in labels && values.includes(labels[m[1]!]!);
      return m[2] === 'in' ? has : !has;
    }
    m = /^([^=!]+)(==|=|!=)(.*)$/.exec(t);
    if (m) {
      const key = m[1]!.trim();
      const eq = labels[key] === m[3]!.trim();
      return m[2] === '!=' ? !eq : eq;
    }
    if (t.startsWith('!')) return !(t.slice(1) in labels);
    return t in labels;
  });
}

const podFields: Record<string, (p: KubeObject) => string | undefined> = {
  'spec.nodeName': (p) => p.spec?.nodeName ?? '',
  'metadata.name': (p) => p.metadata?.name,
  'metadata.namespace': (p) => p.metadata?.namespace,
  'status.phase': (p) => p.status?.phase ?? '',
};
const nodeFields: Record<string, (p: KubeObject) => string | undefined> = {
  'metadata.name': (p) => p.metadata?.name,
};

function fieldMatcher(kind: Kind, selector: string | undefined): (o: KubeObject) => boolean {
  if (!selector) return () => true;
  const fields = kind === 'pods' ? podFields : nodeFields;
  const tests = selector.split(',').map((term) => {
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(term.trim());
    if (!m) throw new HttpFailure(400, 'BadRequest', `invalid field selector: ${term}`);
    const get = fields[m[1]!];
    if (!get) throw new HttpFailure(400, 'BadRequest', `field label not supported: ${m[1]}`);
    const want = m[3]!;
    return (o: KubeObject) => (m[2] === '!=' ? get(o) !== want : get(o) === want);
  });
  return (o) => tests.every((t) => t(o));
}

/** An in-process fake kube-apiserver; see the file header for what it imitates. */
export class FakeApiServer {
  readonly token: string;
  readonly requests: LoggedRequest[] = [];
  /** Events created through core/v1 or events.k8s.io/v1, in order. */
  readonly events: KubeObject[] = [];
  private readonly opts: FakeApiServerOptions;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly nodes = new Map<string, KubeObject>();
  private readonly pods = new Map<string, KubeObject>();
  private readonly logs = new Map<string, string>();
  private readonly configMaps = new Map<string, KubeObject>();
  private readonly forbidden = new Set<string>();
  private history: HistoryEntry[] = [];
  /** Watches from a resourceVersion below this answer 410. */
  private compactedBelow = 0;
  private rv = 100;
  private readonly watchers = new Set<Watcher>();
  private failures: ActiveFailure[] = [];
  private boundPort = 0;
  private readonly entries = new WeakMap<ServerResponse, LoggedRequest>();

  private constructor(opts: FakeApiServerOptions) {
    this.opts = opts;
    this.token = opts.token ?? 'fake-token-' + randomUUID().slice(0, 8);
  }

  /** Starts a fake on a random port of 127.0.0.1. */
  static async start(opts: FakeApiServerOptions = {}): Promise<FakeApiServer> {
    const fake = new FakeApiServer(opts);
    await fake.listen(0);
    return fake;
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    return `http://127.0.0.1:${this.boundPort}`;
  }

  get resourceVersion(): string {
    return String(this.rv);
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  private async listen(port: number): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const addr = server.address();
    if (addr && typeof addr === 'object') this.boundPort = addr.port;
    this.server = server;
  }

  /** Simulates the API server going away: closes the listener and every connection. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.dropWatches();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Brings the API server back on the same port. */
  async start(): Promise<void> {
    if (this.server) return;
    await this.listen(this.boundPort);
  }

  /** Stops for good. */
  async close(): Promise<void> {
    await this.stop();
  }

  /** Writes a kubeconfig for this fake (http server, bearer token) and returns its path. */
  async writeKubeconfig(dir: string): Promise<string> {
    await mkdir(dir, { recursive: true });
    const file = join(dir, 'kubeconfig');
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      // client-node 1.x refuses an http:// server unless insecure-skip-tls-verify is set
      // (KubeConfig.createAgent: 'HTTP protocol is not allowed when skipTLSVerify is not set or false').
      clusters: [{ name: 'fake', cluster: { server: this.url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'fake', user: { token: this.token } }],
      contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake', namespace: 'default' } }],
      'current-context': 'fake',
    };
    await writeFile(file, stringify(config), { mode: 0o600 });
    return file;
  }

  // ---- test controls: objects ----

  /** Adds a node (name from metadata.name); emits ADDED. */
  addNode(node: KubeObject): KubeObject {
    return this.put('nodes', node.metadata.name, { apiVersion: 'v1', kind: 'Node', ...structuredClone(node) }, 'ADDED');
  }

  /** Replaces a node with `fn(copy)`; bumps rv; emits MODIFIED. */
  updateNode(name: string, fn: (n: KubeObject) => KubeObject | void): KubeObject {
    const cur = this.nodes.get(name);
    if (!cur) throw new Error(`no node ${name}`);
    const copy = structuredClone(cur);
    return this.put('nodes', name, fn(copy) ?? copy, 'MODIFIED');
  }

  deleteNode(name: string): void {
    this.remove('nodes', name);
  }

  getNode(name: string): KubeObject | undefined {
    const n = this.nodes.get(name);
    return n ? structuredClone(n) : undefined;
  }

  /** Adds a pod (namespace defaults to `default`, uid generated); emits ADDED. */
  addPod(pod: KubeObject): KubeObject {
    const p: KubeObject = { apiVersion: 'v1', kind: 'Pod', ...structuredClone(pod) };
    p.metadata = { namespace: 'default', uid: randomUUID(), ...p.metadata };
    return this.put('pods', `${p.metadata.namespace}/${p.metadata.name}`, p, 'ADDED');
  }

  updatePod(namespace: string, name: string, fn: (p: KubeObject) => KubeObject | void): KubeObject {
    const key = `${namespace}/${name}`;
    const cur = this.pods.get(key);
    if (!cur) throw new Error(`no pod ${key}`);
    const copy = structuredClone(cur);
    return this.put('pods', key, fn(copy) ?? copy, 'MODIFIED');
  }

  deletePod(namespace: string, name: string): void {
    this.remove('pods', `${namespace}/${name}`);
  }

  getPod(namespace: string, name: string): KubeObject | undefined {
    const p = this.pods.get(`${namespace}/${name}`);
    return p ? structuredClone(p) : undefined;
  }

  /** Sets the log of a container (of its current or previous instance). */
  setPodLog(namespace: string, pod: string, container: string, text: string, opts: { previous?: boolean } = {}): void {
    this.logs.set(`${namespace}/${pod}/${container}/${opts.previous ? 'previous' : 'current'}`, text);
  }

  /** Creates or replaces a ConfigMap (data only; metadata filled in). */
  setConfigMap(namespace: string, name: string, data: Record<string, string>): KubeObject {
    const cm = { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name, namespace, uid: randomUUID(), resourceVersion: String(++this.rv) }, data: { ...data } };
    this.configMaps.set(`${namespace}/${name}`, cm);
    return structuredClone(cm);
  }

  deleteConfigMap(namespace: string, name: string): void {
    this.configMaps.delete(`${namespace}/${name}`);
    this.rv += 1;
  }

  /** From now on GET of this ConfigMap is denied as RBAC would (the agent's ServiceAccount lacks the Role). */
  forbid(namespace: string, name: string): void {
    this.forbidden.add(`${namespace}/${name}`);
  }

  /** Forgets the watch history: watches from any resourceVersion up to now get 410 Gone. */
  compactHistory(): void {
    this.history = [];
    this.compactedBelow = this.rv;
  }

  // ---- test controls: failures and observation ----

  /** Fails (or delays, or drops) the next `times` (default 1) requests matching `spec`. */
  fail(spec: FailureSpec): void {
    this.failures.push({ ...spec, remaining: spec.times ?? 1 });
  }

  clearFailures(): void {
    this.failures = [];
  }

  /** Closes every open watch connection abruptly. */
  dropWatches(): void {
    for (const w of this.watchers) {
      w.timers.forEach(clearTimeout);
      w.timers.forEach(clearInterval);
      w.res.destroy();
    }
    this.watchers.clear();
  }

  get openWatches(): number {
    return this.watchers.size;
  }

  /** Requests matching method and path (exact or RegExp), optionally only watch requests. */
  requestsMatching(method: string, path: string | RegExp, opts: { watch?: boolean } = {}): LoggedRequest[] {
    return this.requests.filter(
      (r) =>
        r.method === method &&
        (typeof path === 'string' ? r.path === path : path.test(r.path)) &&
        (opts.watch === undefined || (r.query['watch'] === 'true') === opts.watch),
    );
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  // ---- store ----

  private store(kind: Kind): Map<string, KubeObject> {
    return kind === 'nodes' ? this.nodes : this.pods;
  }

  private put(kind: Kind, key: string, obj: KubeObject, type: 'ADDED' | 'MODIFIED'): KubeObject {
    this.rv += 1;
    obj.metadata = obj.metadata ?? {};
    obj.metadata.resourceVersion = String(this.rv);
    obj.metadata.uid = obj.metadata.uid ?? randomUUID();
    obj.metadata.creationTimestamp = obj.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    this.store(kind).set(key, obj);
    this.emit(kind, type, obj);
    return structuredClone(obj);
  }

  private remove(kind: Kind, key: string): void {
    const cur = this.store(kind).get(key);
    if (!cur) throw new Error(`no ${kind} ${key}`);
    this.store(kind).delete(key);
    this.rv += 1;
    const gone = structuredClone(cur);
    gone.metadata.resourceVersion = String(this.rv);
    this.emit(kind, 'DELETED', gone);
  }

  private emit(kind: Kind, type: HistoryEntry['type'], obj: KubeObject): void {
    const entry: HistoryEntry = { rv: this.rv, kind, type, object: structuredClone(obj) };
    this.history.push(entry);
    if (this.history.length > 1000) this.history.shift();
    for (const w of this.watchers) {
      if (w.kind === kind && w.match(entry.object)) this.writeEvent(w.res, entry.type, represent(entry.object, w.rep));
    }
  }

  private writeEvent(res: ServerResponse, type: string, object: KubeObject): void {
    res.write(JSON.stringify({ type, object }) + '\n');
  }

  // ---- HTTP ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams.entries());
    const contentType = req.headers['content-type'];
    const raw = await readBody(req);
    let body: unknown = raw;
    if (raw && contentType?.includes('json')) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    const accept = req.headers.accept;
    const entry: LoggedRequest = { method: req.method ?? 'GET', path: url.pathname, query, ...(contentType ? { contentType } : {}), ...(accept ? { accept } : {}), ...(raw ? { body } : {}) };
    this.requests.push(entry);
    this.entries.set(res, entry);
    res.on('finish', () => (entry.status = res.statusCode));
    res.on('close', () => (entry.status ??= res.headersSent ? res.statusCode : 0));

    try {
      const failure = this.takeFailure(entry);
      if (failure) {
        if (failure.delayMs) await delay(failure.delayMs);
        if (failure.drop) {
          req.socket.destroy();
          return;
        }
        if (failure.status) {
          const headers: Record<string, string> = {};
          if (failure.retryAfterSeconds !== undefined) headers['Retry-After'] = String(failure.retryAfterSeconds);
          const reason = failure.reason ?? defaultReason(failure.status);
          return this.send(res, failure.status, statusBody(failure.status, reason, failure.message ?? `injected failure: ${reason}`), headers);
        }
      }
      if (req.headers.authorization !== `Bearer ${this.token}`) {
        throw new HttpFailure(401, 'Unauthorized', 'Unauthorized');
      }
      await this.route(req.method ?? 'GET', url.pathname, query, contentType, body, res);
    } catch (err) {
      if (err instanceof HttpFailure) return this.send(res, err.code, statusBody(err.code, err.reason, err.message, err.details));
      if (err instanceof PatchError) return this.send(res, err.code, statusBody(err.code, err.reason, err.message));
      if (err instanceof ApiStatusError) return this.send(res, err.code, { ...statusBody(err.code, err.reason, err.message), ...(err.listMeta ? { metadata: err.listMeta } : {}) });
      return this.send(res, 500, statusBody(500, 'InternalError', `fake apiserver bug: ${(err as Error).message}`));
    }
  }

  private takeFailure(r: LoggedRequest): ActiveFailure | undefined {
    const isWatch = r.query['watch'] === 'true' || r.query['watch'] === '1';
    const f = this.failures.find(
      (f) =>
        f.remaining > 0 &&
        (f.method === undefined || f.method === r.method) &&
        (f.watch === undefined || f.watch === isWatch) &&
        (f.path === undefined || (typeof f.path === 'string' ? f.path === r.path : f.path.test(r.path))),
    );
    if (f) {
      f.remaining -= 1;
      this.failures = this.failures.filter((x) => x.remaining > 0);
    }
    return f;
  }

  private send(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.headersSent) {
      res.end();
      return;
    }
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const encoded = encodeBody(text, res.req?.headers['accept-encoding']);
    const entry = this.entries.get(res);
    if (entry) entry.responseBytes = encoded.body.length;
    res.writeHead(code, { 'Content-Type': typeof body === 'string' ? 'text/plain' : 'application/json', ...encoded.headers, ...headers });
    res.end(encoded.body);
  }

  private async route(method: string, path: string, query: Record<string, string>, contentType: string | undefined, body: unknown, res: ServerResponse): Promise<void> {
    const parts = path.split('/').filter(Boolean);
    const notAllowed = () => {
      throw new HttpFailure(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
    };
    // /api/v1/nodes[/{name}[/status]]
    if (parts[0] === 'api' && parts[1] === 'v1' && parts[2] === 'nodes') {
      const name = parts[3];
      if (!name) return method === 'GET' ? this.listOrWatch('nodes', undefined, query, res) : notAllowed();
      if (parts.length > 5 || (parts[4] !== undefined && parts[4] !== 'status')) throw notFoundPath();
      if (method === 'GET') return this.send(res, 200, represent(this.mustGet('nodes', name), negotiate(this.requestAccept(res), 'object')));
      if (method === 'PATCH') return this.send(res, 200, this.patchNode(name, parts[4] === 'status', contentType, body));
      return notAllowed();
    }
    // /api/v1/pods
    if (parts[0] === 'api' && parts[1] === 'v1' && parts[2] === 'pods' && parts.length === 3) {
      return method === 'GET' ? this.listOrWatch('pods', undefined, query, res) : notAllowed();
    }
    // /api/v1/namespaces/{ns}/...
    if (parts[0] === 'api' && parts[1] === 'v1' && parts[2] === 'namespaces' && parts[3]) {
      const ns = parts[3];
      if (parts[4] === 'pods') {
        if (parts.length === 5) return method === 'GET' ? this.listOrWatch('pods', ns, query, res) : notAllowed();
        const key = `${ns}/${parts[5]}`;
        if (parts.length === 6) return method === 'GET' ? this.send(res, 200, this.mustGet('pods', key)) : notAllowed();
        if (parts.length === 7 && parts[6] === 'log') return method === 'GET' ? this.send(res, 200, this.podLog(ns, parts[5]!, query)) : notAllowed();
      }
      if (parts[4] === 'configmaps' && parts.length === 6) {
        return method === 'GET' ? this.send(res, 200, this.getConfigMap(ns, parts[5]!)) : notAllowed();
      }
      if (parts[4] === 'events' && parts.length === 5) {
        return method === 'POST' ? this.send(res, 201, this.createEvent(ns, body, 'v1')) : notAllowed();
      }
    }
    // /apis/events.k8s.io/v1/namespaces/{ns}/events
    if (parts[0] === 'apis' && parts[1] === 'events.k8s.io' && parts[2] === 'v1' && parts[3] === 'namespaces' && parts[5] === 'events' && parts.length === 6) {
      return method === 'POST' ? this.send(res, 201, this.createEvent(parts[4]!, body, 'events.k8s.io/v1')) : notAllowed();
    }
    if (path === '/apis/authentication.k8s.io/v1/tokenreviews') {
      return method === 'POST' ? this.send(res, 201, this.tokenReview(body)) : notAllowed();
    }
    throw notFoundPath();
  }

  private getConfigMap(ns: string, name: string): KubeObject {
    if (this.forbidden.has(`${ns}/${name}`)) {
      // The authorizer's wording (k8s.io/apiserver pkg/endpoints/handlers/responsewriters/errors.go forbiddenMessage).
      throw new HttpFailure(
        403,
        'Forbidden',
        `configmaps "${name}" is forbidden: User "system:serviceaccount:mesh-preflight:mesh-preflight" cannot get resource "configmaps" in API group "" in the namespace "${ns}"`,
        { name, kind: 'configmaps' },
      );
    }
    const cm = this.configMaps.get(`${ns}/${name}`);
    if (!cm) throw new HttpFailure(404, 'NotFound', `configmaps "${name}" not found`, { name, kind: 'configmaps' });
    return cm;
  }

  private mustGet(kind: Kind, key: string): KubeObject {
    const o = this.store(kind).get(key);
    const name = key.includes('/') ? key.split('/')[1]! : key;
    if (!o) throw new HttpFailure(404, 'NotFound', `${kind} "${name}" not found`, { name, kind });
    return o;
  }

  private listOrWatch(kind: Kind, ns: string | undefined, query: Record<string, string>, res: ServerResponse): void {
    const fieldMatch = fieldMatcher(kind, query['fieldSelector']);
    const match = (o: KubeObject) =>
      (ns === undefined || o.metadata?.namespace === ns) && fieldMatch(o) && matchLabelSelector(query['labelSelector'], o.metadata?.labels);
    const isWatch = query['watch'] === 'true' || query['watch'] === '1';
    const rep = negotiate(this.requestAccept(res), isWatch ? 'watch' : 'list');
    if (isWatch) return this.watch(kind, match, query, res, rep);
    const store = this.store(kind);
    const keys = [...store.keys()].filter((k) => match(store.get(k)!));
    const page = pageOf(
      keys,
      { limit: query['limit'], continue: query['continue'], resourceVersion: query['resourceVersion'], selected: Boolean(query['labelSelector'] || query['fieldSelector']) },
      { rv: this.rv, compactedBelow: this.compactedBelow },
    );
    const items = page.keys.map((k) => represent(store.get(k)!, rep));
    const list = rep.representation === 'object' ? { kind: kindNames[kind].list, apiVersion: 'v1' } : { kind: 'PartialObjectMetadataList', apiVersion: rep.apiVersion };
    this.send(res, 200, { ...list, metadata: page.metadata, items });
  }

  private requestAccept(res: ServerResponse): string | undefined {
    return this.entries.get(res)?.accept;
  }

  private watch(kind: Kind, match: (o: KubeObject) => boolean, query: Record<string, string>, res: ServerResponse, rep: Parameters<typeof represent>[1]): void {
    const rvParam = query['resourceVersion'];
    const from = rvParam === undefined || rvParam === '' || rvParam === '0' ? undefined : Number(rvParam);
    if (from !== undefined && (!Number.isFinite(from) || from < 0)) {
      throw new HttpFailure(400, 'BadRequest', `invalid resource version: ${rvParam}`);
    }
    if (from !== undefined && from < this.compactedBelow) {
      const gone = statusBody(410, 'Expired', `too old resource version: ${from} (${this.compactedBelow})`);
      if (this.opts.goneAsHttpStatus) return this.send(res, 410, gone);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      this.writeEvent(res, 'ERROR', gone);
      res.end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    if (from === undefined) {
      // No resourceVersion: synthetic ADDED for the current state, then changes (api-concepts "watch").
      for (const o of this.store(kind).values()) if (match(o)) this.writeEvent(res, 'ADDED', represent(o, rep));
    } else {
      for (const e of this.history) if (e.kind === kind && e.rv > from && match(e.object)) this.writeEvent(res, e.type, represent(e.object, rep));
    }
    const w: Watcher = { kind, match, res, timers: [], rep };
    this.watchers.add(w);
    const interval = this.opts.bookmarkIntervalMs ?? 1000;
    if (query['allowWatchBookmarks'] === 'true' && interval > 0) {
      w.timers.push(
        setInterval(() => {
          this.writeEvent(res, 'BOOKMARK', { kind: kindNames[kind].kind, apiVersion: 'v1', metadata: { resourceVersion: String(this.rv) } });
        }, interval),
      );
    }
    const timeout = Number(query['timeoutSeconds']);
    if (timeout > 0) w.timers.push(setTimeout(() => res.end(), timeout * 1000));
    res.on('close', () => {
      w.timers.forEach(clearTimeout);
      w.timers.forEach(clearInterval);
      this.watchers.delete(w);
    });
  }

  private patchNode(name: string, status: boolean, contentType: string | undefined, body: unknown): KubeObject {
    const cur = this.mustGet('nodes', name);
    const type = (contentType ?? '').split(';')[0]!.trim();
    if (typeof body === 'string') throw new HttpFailure(400, 'BadRequest', 'error decoding patch: invalid JSON');
    let next: Json;
    if (type === 'application/merge-patch+json') next = mergePatch(cur as Json, body as Json);
    else if (type === 'application/strategic-merge-patch+json') next = strategicMergePatch(cur as Json, body as Json);
    else if (type === 'application/json-patch+json') next = jsonPatch(cur as Json, body);
    else {
      throw new HttpFailure(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
      );
    }
    const out = next as KubeObject;
    if (out.metadata?.resourceVersion !== cur.metadata.resourceVersion) {
      throw new HttpFailure(
        409,
        'Conflict',
        `Operation cannot be fulfilled on nodes "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        { name, kind: 'nodes' },
      );
    }
    out.metadata.name = name;
    if (status) {
      out.spec = structuredClone(cur.spec);
      out.metadata.labels = structuredClone(cur.metadata.labels);
      out.metadata.annotations = structuredClone(cur.metadata.annotations);
      if (out.metadata.labels === undefined) delete out.metadata.labels;
      if (out.metadata.annotations === undefined) delete out.metadata.annotations;
    } else {
      out.status = structuredClone(cur.status);
      if (out.status === undefined) delete out.status;
    }
    if (JSON.stringify(out) === JSON.stringify(cur)) return cur;
    return this.put('nodes', name, out, 'MODIFIED');
  }

  private podLog(ns: string, name: string, query: Record<string, string>): string {
    const pod = this.mustGet('pods', `${ns}/${name}`);
    const containers: string[] = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c: KubeObject) => c.name);
    let container = query['container'];
    if (!container) {
      if (containers.length !== 1) {
        throw new HttpFailure(400, 'BadRequest', `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`);
      }
      container = containers[0]!;
    }
    if (!containers.includes(container)) throw new HttpFailure(400, 'BadRequest', `container ${container} is not valid for pod ${name}`);
    const previous = query['previous'] === 'true';
    let text = this.logs.get(`${ns}/${name}/${container}/${previous ? 'previous' : 'current'}`);
    if (text === undefined) {
      if (previous) throw new HttpFailure(400, 'BadRequest', `previous terminated container "${container}" in pod "${name}" not found`);
      text = '';
    }
    const tail = query['tailLines'] !== undefined ? Number(query['tailLines']) : undefined;
    if (tail !== undefined && tail >= 0) {
      const lines = text.split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      text = lines.slice(Math.max(0, lines.length - tail)).map((l) => l + '\n').join('');
    }
    const limit = query['limitBytes'] !== undefined ? Number(query['limitBytes']) : undefined;
    if (limit !== undefined && limit > 0) text = Buffer.from(text).subarray(0, limit).toString();
    return text;
  }

  private createEvent(ns: string, body: unknown, apiVersion: string): KubeObject {
    if (typeof body !== 'object' || body === null) throw new HttpFailure(400, 'BadRequest', 'error decoding event body');
    const ev = structuredClone(body) as KubeObject;
    ev.metadata = ev.metadata ?? {};
    if (ev.metadata.namespace && ev.metadata.namespace !== ns) {
      throw new HttpFailure(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
    }
    if (!ev.metadata.name) {
      if (!ev.metadata.generateName) throw new HttpFailure(422, 'Invalid', 'Event "" is invalid: metadata.name: Required value: name or generateName is required');
      ev.metadata.name = ev.metadata.generateName + randomUUID().slice(0, 5);
    }
    if (this.events.some((e) => e.metadata.namespace === ns && e.metadata.name === ev.metadata.name)) {
      throw new HttpFailure(409, 'AlreadyExists', `events "${ev.metadata.name}" already exists`, { name: ev.metadata.name, kind: 'events' });
    }
    if (apiVersion === 'v1' && !ev.involvedObject) throw new HttpFailure(422, 'Invalid', `Event "${ev.metadata.name}" is invalid: involvedObject.namespace: Invalid value`);
    this.rv += 1;
    ev.metadata.namespace = ns;
    ev.metadata.uid = randomUUID();
    ev.metadata.resourceVersion = String(this.rv);
    ev.apiVersion = apiVersion;
    ev.kind = 'Event';
    this.events.push(ev);
    return ev;
  }

  private tokenReview(body: unknown): KubeObject {
    const token = (body as KubeObject | undefined)?.spec?.token;
    if (typeof token !== 'string') throw new HttpFailure(400, 'BadRequest', 'TokenReview: spec.token required');
    const user = this.opts.users?.[token];
    return {
      kind: 'TokenReview',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: { token, ...((body as KubeObject).spec.audiences ? { audiences: (body as KubeObject).spec.audiences } : {}) },
      status: user
        ? { authenticated: true, user: { username: user.username, uid: user.uid ?? randomUUID(), groups: user.groups ?? ['system:authenticated'] } }
        : { user: {}, error: '[invalid bearer token, token lookup failed]' },
    };
  }
}

function notFoundPath(): HttpFailure {
  return new HttpFailure(404, 'NotFound', 'the server could not find the requested resource');
}

function defaultReason(code: number): string {
  if (code === 409) return 'Conflict';
  if (code === 429) return 'TooManyRequests';
  if (code === 503) return 'ServiceUnavailable';
  if (code === 504) return 'Timeout';
  return 'InternalError';
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
