/**
 * Flags given explicitly win over the mesh's ConfigMaps; what neither sets keeps its default. The result
 * records, option by option, where the value came from (report `options.optionSources`).
 */
import type { CheckOptions, OptionSource } from '../core/options.ts';
import type { ClusterOptions } from './configmaps.ts';

/** The check options whose source the report states. */
export const SOURCED_OPTIONS = ['mesh', 'dataplane', 'nativeNftables', 'cni', 'meshVersion', 'backend', 'dnsCapture', 'interception', 'ipv6', 'probe'] as const;

/** base: the options parsed from the flags; explicit: the option keys a flag set on the command line. */
export function withClusterOptions(base: CheckOptions, explicit: ReadonlySet<string>, cluster: ClusterOptions): CheckOptions {
  const merged: Record<string, unknown> = { ...base };
  const sources: Record<string, OptionSource> = {};
  for (const key of SOURCED_OPTIONS) {
    const fromCluster = (cluster as Record<string, unknown>)[key];
    if (explicit.has(key)) sources[key] = 'flag';
    else if (fromCluster !== undefined) {
      merged[key] = fromCluster;
      sources[key] = 'cluster';
    } else sources[key] = base.optionSources?.[key] ?? 'default';
  }
  return { ...(merged as CheckOptions), optionSources: { ...base.optionSources, ...sources } };
}

/** The sources when nothing is read from the cluster: flag or default (an 'auto' already set is kept). */
export function flagSources(base: CheckOptions, explicit: ReadonlySet<string>): CheckOptions {
  return withClusterOptions(base, explicit, {});
}
