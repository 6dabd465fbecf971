/**
 * RBAC as the API server evaluates it, for checking a ClusterRole against recorded requests.
 *
 * requestToAttributes follows RequestInfoFactory.NewRequestInfo (k8s.io/apiserver
 * pkg/endpoints/request/requestinfo.go): /api/{v}/... is the core group, /apis/{group}/{v}/...
 * a named group; `watch` as a path prefix is the verb; POST → create, GET/HEAD → get, PUT → update,
 * PATCH → patch, DELETE → delete; a GET without a name is list, or watch when `watch` is anything
 * but "false"/"0"; a DELETE without a name is deletecollection; parts after the name are the
 * subresource; /namespaces/{ns}/status|finalize is a namespace subresource. Newer versions also
 * take the name of a list/watch from `fieldSelector=metadata.name=X`; done here too.
 *
 * ruleAllows follows pkg/apis/rbac/v1/evaluation_helpers.go (RuleAllows): verbs, apiGroups,
 * resources ("*", the exact "resource/subresource", or a "*" resource followed by "/subresource") and resourceNames (empty =
 * any; a list never matches a request without a name); nonResourceURLs match exactly or by a
 * trailing "*" prefix.
 */
import { z } from 'zod';

/** A recorded HTTP request (the fake API server's log entries fit; extra fields are ignored). */
export const RecordedRequestSchema = z.object({
  method: z.string().min(1),
  path: z.string().startsWith('/'),
  query: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
});
export type RecordedRequest = z.infer<typeof RecordedRequestSchema>;

/** Authorization attributes of a resource request. */
export interface ResourceAttributes {
  resourceRequest: true;
  verb: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  /** '' when none. */
  subresource: string;
  namespace?: string;
  name?: string;
}

/** Authorization attributes of a non-resource request (/version, /healthz, ...). */
export interface NonResourceAttributes {
  resourceRequest: false;
  verb: string;
  path: string;
}

/** What the authorizer sees of a request. */
export type RequestAttributes = ResourceAttributes | NonResourceAttributes;

/** One PolicyRule of a ClusterRole. */
export const PolicyRuleSchema = z.object({
  verbs: z.array(z.string()).min(1),
  apiGroups: z.array(z.string()).optional(),
  resources: z.array(z.string()).optional(),
  resourceNames: z.array(z.string()).optional(),
  nonResourceURLs: z.array(z.string()).optional(),
});
export type PolicyRule = z.infer<typeof PolicyRuleSchema>;

/** The part of a ClusterRole that authorization reads. */
export const ClusterRoleSchema = z.object({
  kind: z.literal('ClusterRole'),
  metadata: z.object({ name: z.string() }).loose(),
  rules: z.array(PolicyRuleSchema).default([]),
});
export type ClusterRole = z.infer<typeof ClusterRoleSchema>;

const API_PREFIXES = new Set(['api', 'apis']);
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

function firstValue(query: RecordedRequest['query'], key: string): string | undefined {
  const value = query?.[key];
  return Array.isArray(value) ? value[0] : value;
}

/** The Kubernetes authorization attributes of one HTTP request. */
export function requestToAttributes(request: RecordedRequest): RequestAttributes {
  const url = new URL(request.path, 'http://apiserver.invalid');
  const query: Record<string, string | string[]> = { ...request.query };
  for (const [key, value] of url.searchParams) if (query[key] === undefined) query[key] = value;
  const method = request.method.toUpperCase();
  let parts = url.pathname.split('/').filter((p) => p !== '');
  const nonResource: NonResourceAttributes = { resourceRequest: false, verb: method.toLowerCase(), path: url.pathname };

  if (parts.length < 3 || !API_PREFIXES.has(parts[0]!)) return nonResource;
  let apiGroup = '';
  if (parts[0] === 'apis') {
    if (parts.length < 4) return nonResource;
    apiGroup = parts[1]!;
    parts = parts.slice(2);
  } else {
    parts = parts.slice(1);
  }
  const apiVersion = parts[0]!;
  parts = parts.slice(1);

  let verb: string;
  if (parts[0] === 'watch' || parts[0] === 'proxy') {
    if (parts.length < 2) throw new Error(`cannot determine the resource of ${method} ${request.path}`);
    verb = parts[0];
    parts = parts.slice(1);
  } else {
    const verbs: Record<string, string> = { POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };
    verb = verbs[method] ?? '';
  }

  let namespace: string | undefined;
  if (parts[0] === 'namespaces' && parts.length > 1) {
    namespace = parts[1];
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2]!)) parts = parts.slice(2);
  }

  const resource = parts[0] ?? '';
  let name = parts[1];
  const subresource = parts.length >= 3 && verb !== 'proxy' ? parts[2]! : '';

  if (name === undefined && verb === 'get') {
    const watch = firstValue(query, 'watch');
    verb = watch === undefined || ['false', '0'].includes(watch.toLowerCase()) ? 'list' : 'watch';
  }
  if (name === undefined && (verb === 'list' || verb === 'watch')) name = nameFromFieldSelector(firstValue(query, 'fieldSelector'));
  if (name === undefined && verb === 'delete') verb = 'deletecollection';

  return {
    resourceRequest: true,
    verb,
    apiGroup,
    apiVersion,
    resource,
    subresource,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
  };
}

function nameFromFieldSelector(selector: string | undefined): string | undefined {
  for (const term of selector?.split(',') ?? []) {
    const match = /^\s*metadata\.name\s*==?\s*([^\s]+)\s*$/.exec(term);
    if (match) return match[1];
  }
  return undefined;
}

function resourceMatches(rule: PolicyRule, a: ResourceAttributes): boolean {
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return (rule.resources ?? []).some((r) => r === '*' || r === combined || (a.subresource !== '' && r === `*/${a.subresource}`));
}

/** Whether one rule allows the request. */
export function policyRuleAllows(rule: PolicyRule, a: RequestAttributes): boolean {
  const verbOk = rule.verbs.some((v) => v === '*' || v === a.verb);
  if (!verbOk) return false;
  if (!a.resourceRequest) {
    return (rule.nonResourceURLs ?? []).some((u) => u === '*' || u === a.path || (u.endsWith('*') && a.path.startsWith(u.slice(0, -1))));
  }
  if (!(rule.apiGroups ?? []).some((g) => g === '*' || g === a.apiGroup)) return false;
  if (!resourceMatches(rule, a)) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (a.name !== undefined && names.includes(a.name));
}

/** Whether any rule of the ClusterRole allows the request. */
export function ruleAllows(clusterRole: ClusterRole, attributes: RequestAttributes): boolean {
  return clusterRole.rules.some((rule) => policyRuleAllows(rule, attributes));
}

/** One atomic permission a rule grants: a verb on apiGroup/resource (or on a non-resource URL). */
export interface Grant {
  rule: number;
  verb: string;
  apiGroup?: string;
  resource?: string;
  resourceName?: string;
  nonResourceURL?: string;
}

/** Expands every rule into its atomic grants (verb × group × resource × name, or verb × URL). */
export function expandGrants(clusterRole: ClusterRole): Grant[] {
  const grants: Grant[] = [];
  clusterRole.rules.forEach((rule, index) => {
    for (const verb of rule.verbs) {
      for (const url of rule.nonResourceURLs ?? []) grants.push({ rule: index, verb, nonResourceURL: url });
      for (const apiGroup of rule.apiGroups ?? []) {
        for (const resource of rule.resources ?? []) {
          const names = rule.resourceNames?.length ? rule.resourceNames : [undefined];
          for (const resourceName of names) grants.push({ rule: index, verb, apiGroup, resource, ...(resourceName ? { resourceName } : {}) });
        }
      }
    }
  });
  return grants;
}

function grantAsRule(grant: Grant): PolicyRule {
  if (grant.nonResourceURL !== undefined) return { verbs: [grant.verb], nonResourceURLs: [grant.nonResourceURL] };
  return {
    verbs: [grant.verb],
    apiGroups: [grant.apiGroup!],
    resources: [grant.resource!],
    ...(grant.resourceName ? { resourceNames: [grant.resourceName] } : {}),
  };
}

/** Outcome of checking a ClusterRole against the requests a component made. */
export interface RbacAudit {
  /** Requests no rule allows (the component would get 403 Forbidden). */
  denied: Array<{ request: RecordedRequest; attributes: RequestAttributes }>;
  /** Grants no request needed (more privilege than used). */
  unused: Grant[];
}

/** Checks least privilege both ways: every request allowed, every granted permission used. */
export function auditClusterRole(clusterRole: ClusterRole, requests: readonly RecordedRequest[]): RbacAudit {
  const all = requests.map((request) => ({ request, attributes: requestToAttributes(request) }));
  const denied = all.filter(({ attributes }) => !ruleAllows(clusterRole, attributes));
  const unused = expandGrants(clusterRole).filter((grant) => !all.some(({ attributes }) => policyRuleAllows(grantAsRule(grant), attributes)));
  return { denied, unused };
}

/** Human-readable form of attributes, for test messages. */
export function describeAttributes(a: RequestAttributes): string {
  if (!a.resourceRequest) return `${a.verb} ${a.path} (non-resource)`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return `${a.verb} ${a.apiGroup || 'core'}/${resource}${a.namespace ? ` in ${a.namespace}` : ''}${a.name ? ` name=${a.name}` : ''}`;
}
