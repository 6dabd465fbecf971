/** Shared helpers for the daemonset/ tests: render every kustomization, pick objects, model lookup. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { argsOf } from './agent-args.ts';
import { renderKustomization, type KubeObject } from './kustomize.ts';
import { RecordedRequestSchema, type RecordedRequest } from './rbac.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DAEMONSET_DIR = path.join(REPO_ROOT, 'daemonset');
const DAEMONSET_TEST_DIR = path.join(REPO_ROOT, 'test', 'daemonset');

/** Every kustomization shipped, by name. */
export const KUSTOMIZATIONS = ['base', 'overlays/fix', 'overlays/linkerd', 'overlays/monitoring', 'overlays/networkpolicy', 'overlays/mesh-from-cluster'] as const;
export type KustomizationName = (typeof KUSTOMIZATIONS)[number];

/** Renders one shipped kustomization. */
export function render(name: KustomizationName): KubeObject[] {
  return renderKustomization(path.join(DAEMONSET_DIR, name));
}

/** The single object of a kind (throws when there is not exactly one). */
export function one(objects: readonly KubeObject[], kind: string): KubeObject {
  const found = objects.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0]!;
}

// The rendered objects are plain JSON; tests navigate them loosely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

/** The pod spec and the agent container of a rendered DaemonSet. */
export function agentOf(objects: readonly KubeObject[]): { ds: Loose; pod: Loose; container: Loose } {
  const ds = one(objects, 'DaemonSet') as Loose;
  const pod = ds.spec.template.spec;
  const container = pod.containers.find((c: Loose) => c.name === 'agent');
  if (!container) throw new Error('no container named agent');
  return { ds, pod, container };
}

/** The agent container's args per shipped kustomization (feed them to the real CLI parser). */
export function argsByKustomization(): Record<KustomizationName, string[]> {
  return Object.fromEntries(KUSTOMIZATIONS.map((name) => [name, argsOf(agentOf(render(name)).ds)])) as Record<KustomizationName, string[]>;
}

/** The agent's recorded Kubernetes requests (default: the checked-in agent-requests.json). */
export function loadAgentRequests(file = path.join(DAEMONSET_TEST_DIR, 'agent-requests.json')): RecordedRequest[] {
  return z.array(RecordedRequestSchema).parse(JSON.parse(readFileSync(file, 'utf8')));
}

/** Field names the Kubernetes API defines (core/v1 types.go), to catch typos kubernetes-models lets through. */
export const KNOWN_FIELDS = {
  PodSpec: [
    'volumes', 'initContainers', 'containers', 'ephemeralContainers', 'restartPolicy', 'terminationGracePeriodSeconds',
    'activeDeadlineSeconds', 'dnsPolicy', 'nodeSelector', 'serviceAccountName', 'serviceAccount', 'automountServiceAccountToken',
    'nodeName', 'hostNetwork', 'hostPID', 'hostIPC', 'shareProcessNamespace', 'securityContext', 'imagePullSecrets', 'hostname',
    'subdomain', 'affinity', 'schedulerName', 'tolerations', 'hostAliases', 'priorityClassName', 'priority', 'dnsConfig',
    'readinessGates', 'runtimeClassName', 'enableServiceLinks', 'preemptionPolicy', 'overhead', 'topologySpreadConstraints',
    'setHostnameAsFQDN', 'os', 'hostUsers', 'schedulingGates', 'resourceClaims', 'resources',
  ],
  Container: [
    'name', 'image', 'command', 'args', 'workingDir', 'ports', 'envFrom', 'env', 'resources', 'resizePolicy', 'restartPolicy',
    'volumeMounts', 'volumeDevices', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle', 'terminationMessagePath',
    'terminationMessagePolicy', 'imagePullPolicy', 'securityContext', 'stdin', 'stdinOnce', 'tty',
  ],
  SecurityContext: [
    'capabilities', 'privileged', 'seLinuxOptions', 'windowsOptions', 'runAsUser', 'runAsGroup', 'runAsNonRoot',
    'readOnlyRootFilesystem', 'allowPrivilegeEscalation', 'procMount', 'seccompProfile', 'appArmorProfile',
  ],
  Probe: [
    'exec', 'httpGet', 'tcpSocket', 'grpc', 'initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold',
    'failureThreshold', 'terminationGracePeriodSeconds',
  ],
  VolumeMount: ['name', 'readOnly', 'recursiveReadOnly', 'mountPath', 'subPath', 'mountPropagation', 'subPathExpr'],
  DaemonSetSpec: ['selector', 'template', 'updateStrategy', 'minReadySeconds', 'revisionHistoryLimit'],
} as const;

/** Keys of `value` that are not in `known`. */
export function unknownKeys(value: Record<string, unknown> | undefined, known: readonly string[]): string[] {
  return Object.keys(value ?? {}).filter((key) => !known.includes(key));
}
