/**
 * Serves the demo cluster of test/support/demo-cluster.ts (a fake API server, not a cluster) until
 * interrupted, and prints its kubeconfig: the README's `kubectl mesh-preflight` examples ran against it.
 * Usage: node --import=tsx scripts/demo-cluster.ts
 */
import { startDemoCluster } from '../test/support/demo-cluster.ts';

const { fake, kubeconfig } = await startDemoCluster();
console.log(`fake API server ${fake.url}; kubeconfig: ${kubeconfig}`);
process.on('SIGINT', () => void fake.close().then(() => process.exit(0)));
process.on('SIGTERM', () => void fake.close().then(() => process.exit(0)));
