/**
 * The mesh node agents the log scan and the pod watcher follow besides the init containers: DaemonSet
 * containers that program a pod's interception (the istio-cni node agent, in ambient mode too) or run
 * the node proxy (ztunnel). Unlike init containers they are long-running, so a failure is a container
 * that terminated non-zero (CrashLoopBackOff) or error lines in the log of the one running now.
 * A sidecar is also called `istio-proxy`, so a container counts only in a pod of its DaemonSet.
 */

export interface MeshAgentContainer {
  mesh: 'istio';
  /** The DaemonSet's name; its pods are `<daemonSet>-<5 characters>`. */
  daemonSet: string;
  container: string;
  role: string;
  source: string;
}

export const MESH_AGENT_CONTAINERS: readonly MeshAgentContainer[] = [
  {
    mesh: 'istio',
    daemonSet: 'istio-cni-node',
    container: 'install-cni',
    role: 'istio-cni node agent (sidecar CNI plugin install, ambient pod redirection)',
    source: 'istio/istio manifests/charts/istio-cni/templates/daemonset.yaml',
  },
  {
    mesh: 'istio',
    daemonSet: 'ztunnel',
    container: 'istio-proxy',
    role: 'ztunnel, the ambient node proxy',
    source: 'istio/istio manifests/charts/ztunnel/templates/daemonset.yaml',
  },
];

// The DaemonSet controller names pods `<name>-<5 random alphanumerics>` (k8s utilrand.String(5)).
const POD_SUFFIX = /^[a-z0-9]{5}$/;

/** The agent a (pod, container) is, or undefined for anything else (a sidecar's istio-proxy included). */
export function meshAgentOf(pod: string, container: string, agents: readonly MeshAgentContainer[] = MESH_AGENT_CONTAINERS): MeshAgentContainer | undefined {
  return agents.find((a) => a.container === container && pod.startsWith(`${a.daemonSet}-`) && POD_SUFFIX.test(pod.slice(a.daemonSet.length + 1)));
}
