/**
 * Signatures of the newer interception modes' own wordings: a mesh that programs nftables natively
 * through the nft CLI (Istio's native nftables, via knftables), a CNI plugin the container runtime runs on
 * the node itself, and Kuma's choice between the nft and legacy iptables executables (when both fail its
 * probe, the wrapped `unmet minimal requirements: missing table/module` is read by the table and extension
 * signatures). Which binary failed
 * decides whose problem it is: the one the node runs for a CNI plugin is the node's, the one in a
 * component's image is the mesh's configuration.
 */
import type { Signature } from './types.ts';

// CRI (containerd, CRI-O) wording of a pod sandbox whose CNI ADD failed: the plugin ran in the node's
// own mount namespace, so the binaries it looked up are the node's.
const SANDBOX_CNI_ADD = String.raw`failed to (?:setup|set up) (?:network for sandbox|pod network|sandbox container)[^\n]{0,400}?failed \(add\):[^\n]{0,200}?`;

export const nftablesSignatures: Signature[] = [
  {
    id: 'cni-plugin-host-binary-missing',
    category: 'iptables-backend-mismatch',
    nodeProblem: true,
    // Above mesh-image-binary-missing (31): the same lookup error, but the runtime ran the plugin on the node.
    priority: 49,
    patterns: [
      new RegExp(SANDBOX_CNI_ADD + String.raw`(?:could not find nftables binary: )?exec: \\?"(?<binary>nft|ip6?tables(?:-(?:nft|legacy))?(?:-save|-restore)?|ipset)\\?": executable file not found in \$PATH`),
    ],
    derive: 'none',
    explanation:
      'The container runtime ran the mesh\'s CNI plugin on the node itself, and the node has no {binary}: the interception mode the mesh is configured for (e.g. Istio native nftables with istio-cni) needs that binary on every node where pods start. The kernel is not the cause.',
    remediation: [
      'Install the package that provides {binary} on the node (nftables: nft 1.0.1 or later for Istio native nftables)',
      'Or turn the mode off for this cluster (Istio: values.global.nativeNftables=false) until every node has it',
      'mesh-preflight check --native-nftables --cni shows which nodes can run the mode',
    ],
    source:
      'https://github.com/istio/istio/issues/57978 (plugin type="istio-cni" failed (add): could not find nftables binary); https://github.com/istio/istio/pull/58022 ("the CNI plugin uses the host\'s nft binary which may not be available on some platforms")',
  },
  {
    id: 'cni-plugin-host-nft-unusable',
    category: 'iptables-backend-mismatch',
    nodeProblem: true,
    priority: 49,
    // knftables refuses an nft older than 1.0.1 or one built without JSON output: on a CNI ADD the nft is the node's.
    patterns: [
      new RegExp(SANDBOX_CNI_ADD + String.raw`(?:nft version must be v1\.0\.1 or later|failed to run nft: (?:Error: )?JSON support not compiled-in)`),
    ],
    derive: 'none',
    explanation:
      'The CNI plugin the container runtime ran on this node uses the node\'s nft, and that nft cannot be used by the nftables library the plugin is built on (knftables needs nft 1.0.1 or later built with JSON support). The kernel is not the cause.',
    remediation: [
      'Install a current nftables package on the node (nft --version 1.0.1 or later; nft --json list tables must work)',
      'Or turn the nftables mode off for the plugin until the nodes have it',
    ],
    source: 'kubernetes-sigs/knftables nftables.go ("nft version must be v1.0.1 or later (got %s)", "failed to run nft: %w"); https://github.com/siderolabs/talos/issues/12413 (bridge CNI: failed to run nft: Error: JSON support not compiled-in, fixed in the OS nft package)',
  },
  {
    id: 'component-nft-unusable',
    category: 'config-error',
    nodeProblem: false,
    priority: 33,
    // The same refusals from an agent running in its own container (istio-cni node agent, kube-proxy):
    // the nft is the one its image ships.
    patterns: [
      /nft version must be v1\.0\.1 or later \(got [^)\n]{1,80}\)/,
      /failed to run nft: (?:Error: )?JSON support not compiled-in/,
    ],
    derive: 'none',
    explanation:
      'The nft binary this component ships in its image cannot be used by its nftables library (knftables needs nft 1.0.1 or later with JSON support; a "slim" nft build lacks JSON). The node and its kernel are not the cause.',
    remediation: [
      'Use the image flavour whose nft has JSON support (Istio: the non-distroless install-cni image; later Istio releases fall back to iptables when the bundled nft lacks it)',
      'Or turn the native nftables mode off (Istio: values.global.nativeNftables=false)',
    ],
    source:
      'https://github.com/istio/istio/issues/58964 (istio-cni ambient: failed to list elements from set istio-inpod-probes-v4: failed to run nft: JSON support not compiled-in); https://github.com/istio/istio/pull/60370 (fall back to iptables "when the bundled nft lacks libjansson"); kubernetes-sigs/knftables nftables.go',
  },
  {
    id: 'kuma-iptables-executables-missing',
    category: 'config-error',
    nodeProblem: false,
    priority: 36,
    // Kuma tries the nft, then the legacy executables; both "could not locate" means the image (or the
    // --iptables-executables paths it was given) has none of them.
    patterns: [/failed to find valid nft or legacy executables: [^\n]{0,300}?(?:could not locate executable|specified path '[^'\n]{1,200}' for executable)/],
    derive: 'none',
    explanation:
      'Kuma found neither the iptables-nft nor the iptables-legacy executables it looks for: the init image (or the custom executable paths it was given) lacks them. The node\'s kernel is not implicated.',
    remediation: [
      'Use the kuma-init image of the control plane\'s version (it ships both backends), or fix the transparent proxy\'s executables paths',
    ],
    source: 'kumahq/kuma pkg/transparentproxy/config/config_executables.go ("failed to find valid nft or legacy executables", "could not locate executable \'%s\' with mode \'%s\'")',
  },
];
