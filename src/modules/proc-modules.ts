/** Reads the set of loaded modules from /proc/modules below the host root. */
import type { HostRoot } from '../host/root.ts';
import { loadedModuleNames } from '../host/parse/proc-modules.ts';

/** Loaded module names, or undefined when /proc/modules is absent (CONFIG_MODULES=n) or unreadable. */
export async function readLoadedModules(host: HostRoot): Promise<Set<string> | undefined> {
  const text = await host.readText('/proc/modules');
  return text === undefined ? undefined : loadedModuleNames(text);
}
