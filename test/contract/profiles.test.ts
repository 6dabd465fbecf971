import test from 'ava';
import { allModeOptions, allRequirementOptions } from '../helpers/requirement-options.ts';
import { profiles } from '../../checks/profiles/index.ts';
import type { MeshProfile, Table } from '../../checks/profiles/types.ts';
import { EXTENSIONS, kconfigSymbolsFor } from '../../checks/kernel-data/netfilter-map.ts';
import { knownModuleNames } from '../../checks/kernel-data/module-history.ts';
import { deriveRequirements, effectiveVariant, conditionHolds, iptablesDataplane } from '../../src/core/requirements.ts';
import type { RequirementOptions } from '../../src/core/requirements.types.ts';

// A citation is a URL or `owner/repo path…`.
const CITATION = /(https:\/\/\S+|\b[\w.-]+\/[\w.-]+ [\w./-]+)/;

const allOptions = allModeOptions;
void allRequirementOptions;

const list = Object.values(profiles) as MeshProfile[];

test('profiles are keyed by their own mesh', (t) => {
  for (const [key, p] of Object.entries(profiles)) t.is(p.mesh as string, key);
});

test('every profile entry carries a source citation', (t) => {
  for (const p of list) {
    const cited: [string, string][] = [
      ['proxyUidSource', p.proxyUidSource],
      ['initContainersSource', p.initContainersSource],
      ['ruleset', p.ruleset.source],
      ['minKernel.legacy', p.minKernel.legacy.source],
      ['minKernel.nft', p.minKernel.nft.source],
      ...p.tables.map((e): [string, string] => [`table ${e.table}`, e.source]),
      ...p.extensions.map((e): [string, string] => [`${e.kind} ${e.name}`, e.source]),
      ...p.node.map((e): [string, string] => [`node ${e.module}`, e.source]),
      ...p.kconfig.map((e): [string, string] => [`kconfig ${e.symbol}`, e.source]),
      ['backendPolicy', p.backendPolicy.source],
      ['versions', p.versions.source],
      ...(p.cniValidation ? [['cniValidation', p.cniValidation.source] as [string, string]] : []),
    ];
    const planes = [p, ...(p.ambient ? [p.ambient] : [])];
    for (const plane of planes) {
      cited.push(
        ['minKernel.legacy', plane.minKernel.legacy.source],
        ['minKernel.nft', plane.minKernel.nft.source],
        ['ruleset', plane.ruleset.source],
        ...(plane.hostRuleset ? [['hostRuleset', plane.hostRuleset.source] as [string, string]] : []),
        ...plane.tables.map((e): [string, string] => [`table ${e.table}`, e.source]),
        ...plane.extensions.map((e): [string, string] => [`${e.kind} ${e.name}`, e.source]),
        ...plane.node.map((e): [string, string] => [`node ${e.module}`, e.source]),
        ...plane.kconfig.map((e): [string, string] => [`kconfig ${e.symbol}`, e.source]),
        ...(plane.ipsets ?? []).map((e): [string, string] => [`ipset ${JSON.stringify(e.name)}`, e.source]),
        ...(plane.policyRoutes ?? []).map((e): [string, string] => [`ip rule ${e.fwmark}`, e.source]),
      );
    }
    if (p.ambient) cited.push(['ambient agents', p.ambient.agentsSource]);
    for (const [dataplane, nft] of Object.entries(p.nftables ?? {})) {
      cited.push(
        [`nftables ${dataplane} since`, nft.sinceSource],
        [`nftables ${dataplane} minKernel`, nft.minKernel.source],
        [`nftables ${dataplane} minNft`, nft.minNft.source],
        [`nftables ${dataplane} ruleset`, nft.ruleset.source],
        ...(nft.hostRuleset ? [[`nftables ${dataplane} hostRuleset`, nft.hostRuleset.source] as [string, string]] : []),
        ...nft.node.map((e): [string, string] => [`nftables node ${e.module}`, e.source]),
        ...(nft.policyRoutes ?? []).map((e): [string, string] => [`nftables ip rule ${e.fwmark}`, e.source]),
      );
    }
    for (const [what, source] of cited) t.regex(source, CITATION, `${p.mesh} ${what} lacks a citation`);
  }
});

test('every extension a profile names is mapped to modules', (t) => {
  for (const p of list) {
    for (const e of [...p.extensions, ...(p.ambient?.extensions ?? [])]) t.truthy(EXTENSIONS[`${e.kind}:${e.name}`], `${p.mesh}: ${e.kind} ${e.name}`);
  }
});

test('every derived module is known, has kconfig symbols, and appears once', (t) => {
  const known = knownModuleNames();
  for (const o of allOptions()) {
    const r = deriveRequirements(o);
    const names = r.modules.map((m) => m.name);
    t.is(new Set(names).size, names.length, `duplicates in ${JSON.stringify(o)}`);
    for (const n of names) {
      t.true(known.has(n), `${n} unknown to knownModuleNames()`);
      const symbols = kconfigSymbolsFor(n);
      t.true(symbols.length > 0 && symbols.every((s) => /^CONFIG_[A-Z0-9_]+$/.test(s)), `${n}: ${symbols.join(',')}`);
    }
    const symbols = r.kconfig.map((k) => k.symbol);
    t.is(new Set(symbols).size, symbols.length);
    for (const s of symbols) t.regex(s, /^CONFIG_[A-Z0-9_]+$/);
  }
});

test('derivation is deterministic', (t) => {
  for (const o of allOptions()) t.deepEqual(JSON.stringify(deriveRequirements(o)), JSON.stringify(deriveRequirements({ ...o })));
});

/** The extensions a restore text uses, per table: `-m X`, `-p tcp|udp` (implicit tcp/udp match), `-j Y`. */
function usedExtensions(text: string, chains: Set<string>): Map<Table, Set<string>> {
  const used = new Map<Table, Set<string>>();
  let table: Table | undefined;
  for (const line of text.split('\n')) {
    const header = /^\*\s*(\w+)$/.exec(line);
    if (header) table = header[1] as Table;
    if (!table || !/^-[AI] /.test(line)) continue;
    const set = used.get(table) ?? new Set<string>();
    for (const m of line.matchAll(/(?:-m|--match) (\S+)/g)) set.add(`match:${m[1]}`);
    for (const m of line.matchAll(/-p (tcp|udp)\b/g)) if (/--[ds]port\b/.test(line)) set.add(`match:${m[1]}`);
    const target = /-j (\S+)/.exec(line)?.[1];
    if (target && !chains.has(target)) set.add(`target:${target}`);
    used.set(table, set);
  }
  return used;
}

test('the extensions a profile declares are exactly those its rule sets (pod and host netns) use', (t) => {
  for (const o of allOptions()) {
    if (o.nativeNftables) continue;
    const p = profiles[o.mesh];
    const plane = iptablesDataplane(p, o.dataplane ?? 'sidecar');
    const variant = effectiveVariant(p, o);
    const r = deriveRequirements(o);
    for (const family of r.families) {
      const text = `${r.ruleset[family] ?? ''}${r.hostRuleset[family] ?? ''}`;
      const chains = new Set([...text.matchAll(/^(?:-N |:)(\w+)/gm)].map((m) => m[1] ?? ''));
      const used = usedExtensions(text, chains);
      const declared = new Map<Table, Set<string>>();
      for (const e of plane.extensions) {
        if (!conditionHolds(e.when, variant) || (e.families && !e.families.includes(family))) continue;
        for (const table of e.tables) declared.set(table, (declared.get(table) ?? new Set()).add(`${e.kind}:${e.name}`));
      }
      for (const [table, set] of used) {
        const standard = ['target:RETURN', 'target:ACCEPT', 'target:DROP'];
        const wanted = [...set].filter((x) => !standard.includes(x)).sort();
        t.deepEqual(wanted, [...(declared.get(table) ?? [])].sort(), `${o.mesh} ${JSON.stringify(o)} ${family} table ${table}`);
      }
      for (const table of declared.keys()) t.true(used.has(table), `${o.mesh}: declared extensions in unused table ${table}`);
      // Every table the ruleset writes is declared with a reason.
      for (const table of [...(r.tables[family] ?? []), ...(r.hostTables[family] ?? [])]) {
        t.true(plane.tables.some((n) => n.table === table && conditionHolds(n.when, variant)), `${o.mesh}: table ${table} undeclared`);
      }
    }
  }
});
