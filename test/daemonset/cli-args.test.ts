/** The DaemonSet's container args are ones the real CLI accepts (the built CLI, `agent --print-config`). */
import { execa } from 'execa';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { needs } from '../helpers/requirements.ts';
import { KUSTOMIZATIONS, REPO_ROOT, argsByKustomization } from './helpers.ts';
import { CLI_PATH } from '../helpers/cli.ts';

/** Tests that read a rendering by the real kustomize (`kubectl kustomize`). */
const kubectlTest = needs('kubectl');

const cli = CLI_PATH;

for (const name of KUSTOMIZATIONS) {
  kubectlTest(`${name}: the container args parse with the real CLI`, async (t) => {
    const args = argsByKustomization()[name];
    t.is(args[0], 'agent');
    // /host exists only inside the pod; everything else is passed verbatim.
    const hostRoot = await mkdtemp(path.join(tmpdir(), 'mp-host-'));
    const local = args.map((a) => (a.startsWith('--host-root=') ? `--host-root=${hostRoot}` : a));
    const result = await execa(process.execPath, [cli, ...local, '--print-config'], {
      reject: false,
      // --ipv6 auto runs systeminformation first (bounded, src/host/ipv6-auto.ts); on a loaded machine the
      // start-up of five agents at once took 23-28 s.
      timeout: 60_000,
      env: { NODE_NAME: 'worker-1' },
    });
    t.is(result.exitCode, 0, `${local.join(' ')}\n${result.stderr}`);
    const config = JSON.parse(result.stdout);
    t.is(config.nodeName, 'worker-1', 'NODE_NAME from the downward API is the node name');
    t.is(config.listen.port, 9808);
    if (name === 'overlays/linkerd') t.is(config.options.mesh, 'linkerd');
    if (name === 'overlays/istio-ambient') t.like(config.options, { mesh: 'istio', dataplane: 'ambient', dnsCapture: true });
    if (name === 'overlays/kuma') t.like(config.options, { mesh: 'kuma', dnsCapture: true });
    if (name === 'overlays/consul') t.like(config.options, { mesh: 'consul', dataplane: 'sidecar' });
    if (name === 'overlays/fix') t.not(config.fix, 'off');
  });
}
