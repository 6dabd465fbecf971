/**
 * A Facts object (src/core/facts.ts) built from plain values, for check unit tests. Each fact may be given
 * as a value, a function (sync or async, receiving the backend argument where the fact takes one) or an
 * Error to make that fact reject. A fact that was not given rejects with a message naming it, so a check
 * that reads a fact its test did not expect fails loudly. `calls` counts reads per fact name.
 */
import type { Facts, MeshBackendChoice } from '../../src/core/facts.ts';
import type { RuleBackend } from '../../src/core/report.ts';
import type { KconfigFacts, KernelFacts } from '../../src/modules/types.ts';

export type FactInput<T> = T | Error | ((backend?: RuleBackend) => T | Promise<T>);

/** One optional input per fact of the Facts contract (follows the contract as facts are added). */
export type FakeFactValues = { [K in keyof Facts]?: FactInput<Awaited<ReturnType<Facts[K]>>> };

export type FakeFacts = Facts & { calls: Record<string, number> };

/** Builds a Facts object from plain values; unset facts reject with `fake facts: <name> not provided`. */
export function fakeFacts(values: FakeFactValues = {}): FakeFacts {
  const calls: Record<string, number> = {};
  const readers = new Map<string, (backend?: RuleBackend) => Promise<unknown>>();
  const reader = (name: string) => async (backend?: RuleBackend): Promise<unknown> => {
    calls[name] = (calls[name] ?? 0) + 1;
    const input = (values as Record<string, FactInput<unknown> | undefined>)[name];
    if (input === undefined) throw new Error(`fake facts: ${name} not provided`);
    if (input instanceof Error) throw input;
    return typeof input === 'function' ? await (input as (b?: RuleBackend) => unknown)(backend) : input;
  };
  // A Proxy so that every fact of the contract exists, including ones added after this helper was written.
  return new Proxy({ calls } as FakeFacts, {
    get(target, name) {
      if (name === 'calls') return target.calls;
      // not a thenable, and no symbol-keyed facts
      if (typeof name !== 'string' || name === 'then') return undefined;
      let read = readers.get(name);
      if (!read) readers.set(name, (read = reader(name)));
      return read;
    },
  });
}

/** KernelFacts for a release string such as `6.18.2-1-amd64`. */
export function kernelFacts(release: string, source = '/proc/sys/kernel/osrelease'): KernelFacts {
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(release);
  return {
    release,
    source,
    ...(match ? { parsed: { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3] ?? 0) } } : {}),
  };
}

/** KconfigFacts from a record (`{ CONFIG_X: 'y' }`); `source` defaults to /proc/config.gz, null for none found. */
export function kconfigFacts(values: Record<string, string>, source: string | null = '/proc/config.gz'): KconfigFacts {
  return { values: new Map(Object.entries(values)), ...(source === null ? {} : { source }) };
}

/** A MeshBackendChoice. */
export function meshBackend(backend: RuleBackend, source: 'flag' | 'auto' = 'auto', reason = `follows the node (${backend})`): MeshBackendChoice {
  return { backend, source, reason };
}
