/** Signatures of a mismatch between the iptables backend the mesh uses and what the node supports, and of IPv6 being off. */
import type { Signature } from './types.ts';

export const backendSignatures: Signature[] = [
  {
    id: 'nft-generation-id-invalid',
    category: 'iptables-backend-mismatch',
    nodeProblem: true,
    priority: 62,
    patterns: [/(?<family>ip6?tables)(?:-(?:nft|save|restore))* v\d+(?:\.\d+){1,2} \((?<backend>nf_tables)\): Could not fetch rule set generation id: Invalid argument/],
    modules: ['nf_tables'],
    explanation:
      'The mesh ran iptables-nft but the node kernel has no working nf_tables for it (module missing or kernel too old for this iptables).',
    remediation: [
      'Run the mesh in legacy mode on this node (Linkerd: proxyInit.iptablesMode=legacy), or',
      'Load nf_tables on the node: modprobe nf_tables && mesh-preflight fix, then mesh-preflight check --backend nft',
    ],
    source: 'https://github.com/linkerd/linkerd2/issues/9053',
  },
  {
    id: 'nft-table-add-invalid',
    category: 'iptables-backend-mismatch',
    nodeProblem: true,
    priority: 47,
    patterns: [/TABLE_ADD failed \(Invalid argument\): table (?<table>[a-z]+)/],
    derive: 'none',
    modules: ['nf_tables'],
    explanation: 'iptables-nft could not create the `{table}` table: the kernel refuses nf_tables tables of this kind.',
    remediation: [
      'Use the legacy backend for the mesh on this node, or load nf_tables: modprobe nf_tables',
      'mesh-preflight check --backend nft shows which nft modules are missing',
    ],
    source: 'https://github.com/docker/for-win/issues/517',
  },
  {
    id: 'iptables-backend-binary-missing',
    category: 'iptables-backend-mismatch',
    nodeProblem: true,
    priority: 48,
    patterns: [/failed to execute (?<binary>ip6?tables-(?:nft|legacy)(?:-save|-restore)?): No such file or directory/],
    derive: 'none',
    explanation:
      'The CNI plugin runs the host\'s iptables binaries and {binary} is not installed on this node: the mesh expects a backend the node does not provide.',
    remediation: [
      'Install the matching iptables package on the node (iptables-nft / iptables-legacy), or',
      'Configure the mesh for the backend the node has (Linkerd: proxyInit.iptablesMode)',
    ],
    source: 'https://github.com/linkerd/linkerd2/issues/14538',
  },
  {
    id: 'legacy-tables-present',
    category: 'iptables-backend-mismatch',
    nodeProblem: true,
    priority: 20,
    patterns: [/# Warning: iptables-legacy tables present, use iptables-legacy to see them/],
    derive: 'none',
    explanation:
      'Rules exist in both backends: the mesh used iptables-nft while legacy tables are present, so its rules and the others will not see each other.',
    remediation: ['Make the mesh use the node\'s backend: mesh-preflight check shows which one the node uses', 'Linkerd: proxyInit.iptablesMode=legacy|nft'],
    source: 'https://github.com/P0cL4bs/wifipumpkin3/issues/96',
  },
  {
    id: 'ip6-address-family-not-supported',
    category: 'ipv6-unsupported',
    nodeProblem: true,
    priority: 65,
    patterns: [
      /(?<family>ip6tables)(?:-(?:legacy|nft))?(?:-(?:save|restore))?(?: v\d+(?:\.\d+){1,2}(?: \((?<backend>legacy|nf_tables)\))?)?: can't initialize ip6tables table [`'"](?<table>[a-z]+)['`"]?: Address family not supported by protocol/,
    ],
    derive: 'none',
    explanation:
      'IPv6 is disabled in this node\'s kernel (e.g. ipv6.disable=1), so ip6tables cannot open the `{table}` table.',
    remediation: [
      'Either enable IPv6 on the node (remove ipv6.disable=1 from the kernel command line and reboot),',
      'or turn off IPv6 interception for the mesh on IPv4-only nodes (Istio: values.pilot.env.ISTIO_DUAL_STACK / ENABLE_INBOUND_IPV6=false)',
    ],
    source: 'https://github.com/cloudfoundry/bosh-linux-stemcell-builder/issues/40; https://github.com/istio/istio/issues/15895',
  },
];
