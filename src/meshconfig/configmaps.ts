/**
 * The mesh tells us its mode: its own ConfigMaps → check options. A pure function on ConfigMaps as the
 * API server returns them (zod-validated), so it is tested on the real shapes the mesh charts render:
 *
 * - Istio `istio-cni-config` (manifests/charts/istio-cni/templates/configmap-cni.yaml): AMBIENT_ENABLED,
 *   AMBIENT_DNS_CAPTURE, NATIVE_NFTABLES (global.nativeNftables, 1.27+), CURRENT_AGENT_VERSION. Its
 *   presence means istio-cni is installed, so sidecar rules come from the CNI plugin (cni).
 * - Istio `istio` (manifests/charts/istio-control/istio-discovery/templates/configmap.yaml): key `mesh`,
 *   the MeshConfig YAML; defaultConfig.interceptionMode (REDIRECT|TPROXY) and
 *   defaultConfig.proxyMetadata.ISTIO_META_DNS_CAPTURE (sidecar DNS capture).
 * - Linkerd `linkerd-config` (charts/linkerd-control-plane/templates/config.yaml): key `values`, the
 *   chart's values YAML; proxyInit.iptablesMode (legacy|nft|plain) and cniEnabled.
 *
 * Unreadable content (bad YAML, unexpected types) is a warning and that ConfigMap is ignored.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export const ConfigMapSchema = z.object({
  metadata: z.object({ name: z.string(), namespace: z.string().optional(), resourceVersion: z.string().optional() }),
  data: z.record(z.string(), z.string()).nullish().transform((d) => d ?? {}),
});
export type ConfigMap = z.infer<typeof ConfigMapSchema>;

/** The ConfigMaps read (undefined: not found). */
export interface MeshConfigMaps {
  istioMesh?: ConfigMap;
  istioCni?: ConfigMap;
  linkerdConfig?: ConfigMap;
}

/** The options a mesh's ConfigMaps can decide (names as in CheckOptionsSchema). */
export interface ClusterOptions {
  mesh?: 'istio' | 'linkerd';
  dataplane?: 'sidecar' | 'ambient';
  nativeNftables?: boolean;
  cni?: boolean;
  dnsCapture?: boolean;
  interception?: 'redirect' | 'tproxy';
  backend?: 'nft' | 'legacy';
  meshVersion?: string;
}

export interface ClusterReading {
  options: ClusterOptions;
  /** One line per option: which ConfigMap key said what. */
  evidence: string[];
  warnings: string[];
}

const Bool = z.enum(['true', 'false']).transform((v) => v === 'true');

const IstioCniDataSchema = z.object({
  AMBIENT_ENABLED: Bool.optional(),
  AMBIENT_DNS_CAPTURE: Bool.optional(),
  NATIVE_NFTABLES: Bool.optional(),
  CURRENT_AGENT_VERSION: z.string().optional(),
});

const IstioMeshSchema = z.object({
  defaultConfig: z
    .object({
      interceptionMode: z.enum(['REDIRECT', 'TPROXY', 'NONE']).optional(),
      proxyMetadata: z.record(z.string(), z.string()).nullish(),
    })
    .nullish(),
});

const LinkerdValuesSchema = z.object({
  cniEnabled: z.boolean().optional(),
  proxyInit: z.object({ iptablesMode: z.enum(['legacy', 'nft', 'plain']).optional() }).nullish(),
  linkerdVersion: z.string().optional(),
});

/** `1.28.0`, `1.27.3-distroless`, `1.29-dev` → `1.28`; anything else (a digest, `latest`) → undefined. */
export function majorMinor(tag: string | undefined): string | undefined {
  const m = /^v?(\d+)\.(\d+)(?:[.-]|$)/.exec(tag?.trim() ?? '');
  return m ? `${m[1]}.${m[2]}` : undefined;
}

function where(cm: ConfigMap, key: string): string {
  return `ConfigMap ${cm.metadata.namespace ?? ''}/${cm.metadata.name} ${key}`;
}

/** Reads the options the mesh's own ConfigMaps decide. Istio wins when both meshes are installed. */
export function optionsFromConfigMaps(maps: MeshConfigMaps): ClusterReading {
  const options: ClusterOptions = {};
  const evidence: string[] = [];
  const warnings: string[] = [];

  if (maps.istioCni || maps.istioMesh) {
    options.mesh = 'istio';
    if (maps.istioCni) readIstioCni(maps.istioCni, options, evidence, warnings);
    if (maps.istioMesh) readIstioMesh(maps.istioMesh, options, evidence, warnings);
    if (maps.linkerdConfig) warnings.push(`both Istio and Linkerd are installed; checking for Istio (give --mesh linkerd to check for Linkerd)`);
    return { options, evidence, warnings };
  }
  if (maps.linkerdConfig) {
    options.mesh = 'linkerd';
    readLinkerd(maps.linkerdConfig, options, evidence, warnings);
  }
  return { options, evidence, warnings };
}

function readIstioCni(cm: ConfigMap, options: ClusterOptions, evidence: string[], warnings: string[]): void {
  options.cni = true;
  evidence.push(`ConfigMap ${cm.metadata.namespace ?? ''}/${cm.metadata.name} exists: istio-cni is installed and applies the sidecar rules (cni)`);
  const parsed = IstioCniDataSchema.safeParse(cm.data);
  if (!parsed.success) {
    warnings.push(`${where(cm, 'data')}: unexpected value (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}); its settings are ignored`);
    return;
  }
  const d = parsed.data;
  if (d.AMBIENT_ENABLED !== undefined) {
    options.dataplane = d.AMBIENT_ENABLED ? 'ambient' : 'sidecar';
    evidence.push(`${where(cm, 'AMBIENT_ENABLED')}="${d.AMBIENT_ENABLED}": dataplane ${options.dataplane}`);
  }
  if (d.AMBIENT_ENABLED && d.AMBIENT_DNS_CAPTURE !== undefined) {
    options.dnsCapture = d.AMBIENT_DNS_CAPTURE;
    evidence.push(`${where(cm, 'AMBIENT_DNS_CAPTURE')}="${d.AMBIENT_DNS_CAPTURE}": dnsCapture ${d.AMBIENT_DNS_CAPTURE}`);
  }
  if (d.NATIVE_NFTABLES !== undefined) {
    options.nativeNftables = d.NATIVE_NFTABLES;
    evidence.push(`${where(cm, 'NATIVE_NFTABLES')}="${d.NATIVE_NFTABLES}": nativeNftables ${d.NATIVE_NFTABLES}`);
  }
  const version = majorMinor(d.CURRENT_AGENT_VERSION);
  if (version) {
    options.meshVersion = version;
    evidence.push(`${where(cm, 'CURRENT_AGENT_VERSION')}="${d.CURRENT_AGENT_VERSION}": meshVersion ${version}`);
  }
}

/** A ConfigMap key holding YAML, parsed and validated; absent, not YAML or not `what` → undefined (with a warning). */
function yamlKey<T>(cm: ConfigMap, key: string, schema: z.ZodType<T>, what: string, warnings: string[]): T | undefined {
  const text = cm.data[key];
  if (text === undefined) return undefined;
  let raw: unknown;
  try {
    raw = parseYaml(text, { maxAliasCount: 50 }) ?? {};
  } catch (error) {
    warnings.push(`${where(cm, key)}: not YAML (${(error as Error).message.split('\n')[0]}); ignored`);
    return undefined;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    warnings.push(`${where(cm, key)}: unexpected ${what} (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}); ignored`);
    return undefined;
  }
  return parsed.data;
}

function readIstioMesh(cm: ConfigMap, options: ClusterOptions, evidence: string[], warnings: string[]): void {
  const mesh = yamlKey(cm, 'mesh', IstioMeshSchema, 'MeshConfig', warnings);
  if (mesh === undefined) return;
  const dc = mesh.defaultConfig;
  const mode = dc?.interceptionMode;
  if (mode === 'REDIRECT' || mode === 'TPROXY') {
    options.interception = mode === 'TPROXY' ? 'tproxy' : 'redirect';
    evidence.push(`${where(cm, 'mesh')} defaultConfig.interceptionMode=${mode}: interception ${options.interception}`);
  }
  // Sidecar DNS capture; in ambient the CNI's AMBIENT_DNS_CAPTURE decides (read above).
  const dns = dc?.proxyMetadata?.['ISTIO_META_DNS_CAPTURE'];
  if (options.dataplane !== 'ambient' && dns !== undefined) {
    options.dnsCapture = dns.toLowerCase() === 'true';
    evidence.push(`${where(cm, 'mesh')} defaultConfig.proxyMetadata.ISTIO_META_DNS_CAPTURE="${dns}": dnsCapture ${options.dnsCapture}`);
  }
}

function readLinkerd(cm: ConfigMap, options: ClusterOptions, evidence: string[], warnings: string[]): void {
  const v = yamlKey(cm, 'values', LinkerdValuesSchema, 'values', warnings);
  if (v === undefined) return;
  if (v.cniEnabled !== undefined) {
    options.cni = v.cniEnabled;
    evidence.push(`${where(cm, 'values')} cniEnabled=${v.cniEnabled}: cni ${v.cniEnabled}`);
  }
  const mode = v.proxyInit?.iptablesMode;
  if (mode === 'nft' || mode === 'legacy') {
    options.backend = mode;
    evidence.push(`${where(cm, 'values')} proxyInit.iptablesMode=${mode}: backend ${mode}`);
  } else if (mode === 'plain') {
    // `plain` runs the image's unsuffixed iptables: the node's backend cannot be told from the config.
    evidence.push(`${where(cm, 'values')} proxyInit.iptablesMode=plain: backend left to auto`);
  }
}
