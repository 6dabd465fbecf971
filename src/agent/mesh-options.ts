/**
 * The check options of each agent run: the flags, plus (with --mesh-from-cluster) what the mesh's own
 * ConfigMaps say, re-read before every check. A failed read (403, timeout, API server away) throws, so
 * the agent keeps serving its last good report; the mesh not being installed (404) is not a failure.
 */
import type { CheckOptions } from '../core/options.ts';
import type { KubeNodeApi } from '../kube/client.ts';
import { optionsFromConfigMaps } from '../meshconfig/configmaps.ts';
import { flagSources, withClusterOptions } from '../meshconfig/merge.ts';
import { readMeshConfigMaps, type MeshFromClusterSettings } from '../meshconfig/read.ts';

export function checkOptionsFor(
  settings: { explicitOptions?: string[]; meshFromCluster?: MeshFromClusterSettings },
  options: CheckOptions,
  kube: KubeNodeApi | undefined,
  log: (line: string) => void,
): () => Promise<CheckOptions> {
  const explicit = new Set(settings.explicitOptions ?? []);
  const from = settings.meshFromCluster;
  if (!from) return async () => (settings.explicitOptions ? flagSources(options, explicit) : options);
  let lastSaid = '';
  return async () => {
    const getConfigMap = kube?.getConfigMap?.bind(kube);
    if (!getConfigMap) throw new Error('--mesh-from-cluster: no Kubernetes API to read the mesh\'s ConfigMaps from');
    let reading;
    try {
      reading = optionsFromConfigMaps(await readMeshConfigMaps({ getConfigMap }, from));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const hint = /\b403\b/.test(message) ? ' (the agent needs the Role of daemonset/overlays/mesh-from-cluster)' : '';
      log(`mesh-preflight: could not read the mesh's ConfigMaps: ${message}${hint}; keeping the last report`);
      throw error;
    }
    const said = [...reading.evidence, ...reading.warnings].join('\n');
    if (said !== lastSaid) {
      lastSaid = said;
      if (reading.evidence.length === 0) log(`mesh-preflight: --mesh-from-cluster: no mesh ConfigMap found; using the flags and defaults`);
      for (const line of reading.evidence) log(`mesh-preflight: from the cluster: ${line}`);
      for (const line of reading.warnings) log(`mesh-preflight: --mesh-from-cluster: ${line}`);
    }
    return withClusterOptions(options, explicit, reading.options);
  };
}
