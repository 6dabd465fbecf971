/**
 * nft-binary (`--native-nftables` only): the `nft` that writes a native-nftables mesh's rules must be
 * ≥ 1.0.1 (Istio's stated minimum, istio.io platform-requirements; tools/istio-nftables/pkg/README.md). In
 * sidecar mode with the mesh's CNI plugin (`--cni`) that is the node's own nft, because the plugin runs on
 * the host (istio/istio#57978); otherwise the nft in the mesh's image (istio-cni node agent, proxyv2), and
 * the node's nft is not run at all (a check spawns nothing it does not need).
 */
import type { Check, CheckOutcome } from '../src/core/check.ts';
import type { NftBinaryFacts } from '../src/core/facts.ts';
import type { CheckOptions } from '../src/core/options.ts';
import { nftOnNode, olderVersion } from '../src/core/modes-section.ts';

export interface NftBinaryCheckFacts {
  /** The node's nft: read only where the node's own nft writes the rules (sidecar with --cni). */
  nft?: NftBinaryFacts;
  minNft?: { version: string; source: string };
}

/** Evaluates the node's nft against the mesh's minimum (pure). */
export function evaluateNftBinary(facts: Partial<NftBinaryCheckFacts>, options: Pick<CheckOptions, 'cni' | 'dataplane'>): CheckOutcome {
  const { nft, minNft } = facts;
  if (!minNft) return { status: 'skip', summary: 'no native nftables requirement to check', evidence: ['no nft facts'], remediation: [] };
  const minimum = `minimum: nft ${minNft.version} (${minNft.source})`;
  if (!nftOnNode(options)) {
    return {
      status: 'pass',
      summary: `the mesh's own image carries the nft that writes its rules (${options.dataplane === 'ambient' ? 'istio-cni node agent' : 'istio-init / proxyv2'}); the node's nft is not used, so it is not run (with --cni it would be)`,
      evidence: [minimum],
      remediation: [],
    };
  }
  if (!nft) return { status: 'skip', summary: "the node's nft was not read", evidence: [minimum], remediation: [] };
  const evidence = [nft.evidence, minimum];
  const tooOld = nft.version !== undefined && olderVersion(nft.version, minNft.version);
  if (nft.where === 'container') {
    return {
      status: 'skip',
      summary: `the mesh's CNI plugin runs the node's own nft, which cannot be run from this container (below --host-root); on the node, \`nft --version\` must say ≥ ${minNft.version}`,
      evidence,
      remediation: [],
    };
  }
  if (nft.version === undefined || tooOld) {
    return {
      status: 'fail',
      summary: nft.version === undefined
        ? `the mesh's CNI plugin runs the node's nft, and this node has none that reports a version (${nft.evidence})`
        : `the mesh's CNI plugin runs the node's nft ${nft.version}, older than ${minNft.version}`,
      evidence,
      remediation: [`Install nftables ≥ ${minNft.version} on the node (Debian/Ubuntu: apt-get install nftables; RHEL: dnf install nftables)`, 'Or use an init container instead of the CNI plugin, or keep the iptables backend (values.global.nativeNftables=false)'],
    };
  }
  return { status: 'pass', summary: `the node's nft ${nft.version} meets the minimum ${minNft.version} (the CNI plugin runs it on the host)`, evidence, remediation: [] };
}

/** The nft-binary check. */
export const nftBinaryCheck = {
  id: 'nft-binary',
  title: 'nft binary for native nftables',
  skipReason(options) {
    return options.nativeNftables ? undefined : 'only for --native-nftables (the mesh writes nft rules itself)';
  },
  async collect(ctx) {
    // `nft --version` is spawned only where its answer can change the result.
    const [nft, requirements] = await Promise.all([nftOnNode(ctx.options) ? ctx.facts.nftBinary() : undefined, ctx.facts.requirements()]);
    return { ...(nft ? { nft } : {}), ...(requirements.minNft ? { minNft: requirements.minNft } : {}) };
  },
  evaluate(facts, options) {
    return evaluateNftBinary(facts ?? {}, options);
  },
} satisfies Check<NftBinaryCheckFacts>;
