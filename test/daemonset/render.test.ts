/**
 * Every shipped kustomization renders, and every object it yields is valid against the Kubernetes
 * OpenAPI schema (kubernetes-models), or, for the ServiceMonitor CRD, against its documented shape.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { KubeObject } from './kustomize.ts';
import { needs } from '../helpers/requirements.ts';
import { agentOf, KNOWN_FIELDS, KUSTOMIZATIONS, one, render, REPO_ROOT, unknownKeys, type Loose } from './helpers.ts';

/** Tests that read a rendering by the real kustomize (`kubectl kustomize`). */
const kubectlTest = needs('kubectl');

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: unknown) => Validatable;

/** The kubernetes-models class for a built-in apiVersion/kind (`kubernetes-models/apps/v1/DaemonSet`). */
async function modelFor(o: KubeObject): Promise<ModelClass | undefined> {
  try {
    const mod = (await import(`kubernetes-models/${o.apiVersion}/${o.kind}`)) as Record<string, unknown>;
    return mod[o.kind] as ModelClass;
  } catch {
    return undefined;
  }
}

// ServiceMonitor (monitoring.coreos.com/v1), fields from the Prometheus operator API reference:
// https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.ServiceMonitor
const RelabelSchema = z
  .object({
    sourceLabels: z.array(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/)).optional(),
    targetLabel: z.string().optional(),
    action: z.string().optional(),
    regex: z.string().optional(),
    replacement: z.string().optional(),
  })
  .strict();
const DurationSchema = z.string().regex(/^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/);
const ServiceMonitorSchema = z
  .object({
    apiVersion: z.literal('monitoring.coreos.com/v1'),
    kind: z.literal('ServiceMonitor'),
    metadata: z.object({ name: z.string().min(1), namespace: z.string().min(1), labels: z.record(z.string(), z.string()).optional() }).strict(),
    spec: z
      .object({
        selector: z.object({ matchLabels: z.record(z.string(), z.string()) }).strict(),
        namespaceSelector: z.object({ matchNames: z.array(z.string()).min(1) }).strict().optional(),
        endpoints: z
          .array(
            z
              .object({
                port: z.string().min(1),
                path: z.string().startsWith('/').optional(),
                interval: DurationSchema.optional(),
                scrapeTimeout: DurationSchema.optional(),
                relabelings: z.array(RelabelSchema).optional(),
              })
              .strict(),
          )
          .min(1),
      })
      .strict(),
  })
  .strict();

for (const name of KUSTOMIZATIONS) {
  kubectlTest(`${name}: renders, and every object validates against the Kubernetes schema`, async (t) => {
    const objects = render(name);
    t.true(objects.length >= 6);
    for (const o of objects) {
      if (o.apiVersion === 'monitoring.coreos.com/v1') {
        const parsed = ServiceMonitorSchema.safeParse(o);
        t.true(parsed.success, parsed.success ? '' : z.prettifyError(parsed.error));
        continue;
      }
      const Model = await modelFor(o);
      t.truthy(Model, `no kubernetes-models class for ${o.apiVersion} ${o.kind}`);
      t.notThrows(() => new Model!(o).validate(), `${o.kind}/${o.metadata.name}`);
    }
  });

  kubectlTest(`${name}: namespaced objects land in mesh-preflight, cluster-scoped ones have no namespace`, (t) => {
    for (const o of render(name)) {
      const clusterScoped = ['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind);
      // --mesh-from-cluster's Roles grant access in the mesh's own namespace, where its ConfigMaps are.
      if (name === 'overlays/mesh-from-cluster' && ['Role', 'RoleBinding'].includes(o.kind)) {
        t.true(['istio-system', 'linkerd'].includes(o.metadata.namespace ?? ''), `${o.kind}/${o.metadata.name}`);
        continue;
      }
      t.is(o.metadata.namespace, clusterScoped ? undefined : 'mesh-preflight', `${o.kind}/${o.metadata.name}`);
    }
  });

  kubectlTest(`${name}: no misspelled fields in the pod template (kubernetes-models ignores unknown fields)`, (t) => {
    const { ds, pod, container } = agentOf(render(name));
    t.deepEqual(unknownKeys(ds.spec, KNOWN_FIELDS.DaemonSetSpec), []);
    t.deepEqual(unknownKeys(pod, KNOWN_FIELDS.PodSpec), []);
    t.deepEqual(unknownKeys(container, KNOWN_FIELDS.Container), []);
    t.deepEqual(unknownKeys(container.securityContext, KNOWN_FIELDS.SecurityContext), []);
    t.deepEqual(unknownKeys(container.livenessProbe, KNOWN_FIELDS.Probe), []);
    t.deepEqual(unknownKeys(container.readinessProbe, KNOWN_FIELDS.Probe), []);
    for (const mount of container.volumeMounts as Loose[]) t.deepEqual(unknownKeys(mount, KNOWN_FIELDS.VolumeMount), [], mount.name);
  });

  kubectlTest(`${name}: selectors agree (DaemonSet ⊂ template labels, Service → pods)`, (t) => {
    const objects = render(name);
    const { ds } = agentOf(objects);
    const podLabels = ds.spec.template.metadata.labels as Record<string, string>;
    for (const [key, value] of Object.entries(ds.spec.selector.matchLabels as Record<string, string>)) t.is(podLabels[key], value, key);
    const service = one(objects, 'Service') as Loose;
    t.true(Object.keys(service.spec.selector).length > 0);
    for (const [key, value] of Object.entries(service.spec.selector as Record<string, string>)) t.is(podLabels[key], value, key);
    t.is(ds.spec.template.spec.serviceAccountName, one(objects, 'ServiceAccount').metadata.name);
  });
}

kubectlTest('the image tag follows package.json version', (t) => {
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  for (const name of KUSTOMIZATIONS) {
    const { container } = agentOf(render(name));
    t.is(container.image, `ghcr.io/mesh-preflight/mesh-preflight:${pkg.version}`, name);
  }
});

kubectlTest('Namespace allows privileged pods under Pod Security admission', (t) => {
  const ns = one(render('base'), 'Namespace') as Loose;
  t.is(ns.metadata.labels['pod-security.kubernetes.io/enforce'], 'privileged');
});

kubectlTest('Service: port http 9808 → named container port, with Prometheus scrape annotations', (t) => {
  const objects = render('base');
  const service = one(objects, 'Service') as Loose;
  t.deepEqual(service.spec.ports, [{ name: 'http', port: 9808, targetPort: 'http', protocol: 'TCP' }]);
  t.like(service.metadata.annotations, { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9808', 'prometheus.io/path': '/metrics' });
  const { container } = agentOf(objects);
  t.deepEqual(
    container.ports.find((p: Loose) => p.name === 'http'),
    { name: 'http', containerPort: 9808, hostPort: 9808, protocol: 'TCP' },
  );
});

kubectlTest('monitoring: the ServiceMonitor selects the Service and scrapes its http port', (t) => {
  const objects = render('overlays/monitoring');
  const monitor = one(objects, 'ServiceMonitor') as Loose;
  const service = one(objects, 'Service') as Loose;
  for (const [key, value] of Object.entries(monitor.spec.selector.matchLabels as Record<string, string>)) t.is(service.metadata.labels[key], value, key);
  t.deepEqual(monitor.spec.namespaceSelector.matchNames, [service.metadata.namespace]);
  const portNames = (service.spec.ports as Loose[]).map((p) => p.name);
  for (const endpoint of monitor.spec.endpoints as Loose[]) t.true(portNames.includes(endpoint.port));
  t.is(monitor.spec.endpoints[0].path, '/metrics');
});

kubectlTest('networkpolicy: only TCP 9808, only from the monitoring namespace, selecting the agent pods', (t) => {
  const objects = render('overlays/networkpolicy');
  const policy = one(objects, 'NetworkPolicy') as Loose;
  const { ds } = agentOf(objects);
  const podLabels = ds.spec.template.metadata.labels as Record<string, string>;
  for (const [key, value] of Object.entries(policy.spec.podSelector.matchLabels as Record<string, string>)) t.is(podLabels[key], value);
  t.deepEqual(policy.spec.policyTypes, ['Ingress']);
  t.is(policy.spec.ingress.length, 1);
  t.deepEqual(policy.spec.ingress[0].ports, [{ protocol: 'TCP', port: 9808 }]);
  t.deepEqual(policy.spec.ingress[0].from, [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }]);
});

kubectlTest('overlays change nothing but what they are for', (t) => {
  const base = render('base');
  const strip = (objects: KubeObject[], extraKinds: string[]) => objects.filter((o) => !extraKinds.includes(o.kind) && o.kind !== 'DaemonSet');
  t.deepEqual(strip(render('overlays/monitoring'), ['ServiceMonitor']), strip(base, []));
  t.deepEqual(strip(render('overlays/networkpolicy'), ['NetworkPolicy']), strip(base, []));
  t.deepEqual(strip(render('overlays/linkerd'), []), strip(base, []));
  t.deepEqual(strip(render('overlays/fix'), []), strip(base, []));
  t.deepEqual(strip(render('overlays/mesh-from-cluster'), ['Role', 'RoleBinding']), strip(base, []));
  t.deepEqual(agentOf(render('overlays/monitoring')).ds, agentOf(base).ds);
  t.deepEqual(agentOf(render('overlays/networkpolicy')).ds, agentOf(base).ds);
});
