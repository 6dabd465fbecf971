#!/usr/bin/env node
/**
 * `kubectl mesh-preflight` (the `kubectl-mesh_preflight` bin: kubectl runs it for `kubectl
 * mesh-preflight ...`). Reads the cluster through the user's kubeconfig with read-only RBAC (get, list,
 * watch nodes; get pods and pods/log). Each subcommand loads its own modules when it runs. Exit codes:
 * 0 done, 1 the cluster said no (not found, forbidden, unreachable), 2 bad input; errors are one line.
 */
import { Command, Option } from 'commander';
import { UsageError } from '../core/errors.ts';
import { packageVersion } from './version.ts';
import { exitWith, runProgram } from './run-program.ts';

const NAME = 'kubectl-mesh_preflight';

function kubeFlags(command: Command): Command {
  return command
    .option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context to use');
}

async function kubeConfig(raw: Record<string, unknown>) {
  const { loadUserKubeConfig } = await import('./plugin/kubeconfig.ts');
  return loadUserKubeConfig({
    ...(typeof raw['kubeconfig'] === 'string' ? { kubeconfig: raw['kubeconfig'] } : {}),
    ...(typeof raw['context'] === 'string' ? { context: raw['context'] } : {}),
  });
}

function parseChunkSize(value: string): number {
  if (!/^\d{1,6}$/.test(value)) throw new UsageError(`invalid --chunk-size ${value}: expected 0 (no chunks) or a number of nodes per request, e.g. 500`);
  return Number(value);
}

const write = (text: string) => void process.stdout.write(text);

export function buildPlugin(): Command {
  const program = new Command('kubectl mesh-preflight')
    .description('Mesh interception readiness of the cluster\'s nodes, as published by the mesh-preflight agents')
    .version(packageVersion(), '-V, --version')
    .showSuggestionAfterError(true);

  kubeFlags(
    program
      .command('nodes')
      .description("every node's readiness, backend, mesh, failing checks and last check (the dashboard's rows)")
      .option('-l, --selector <selector>', 'label selector, as kubectl get -l')
      .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'wide', 'json']).default('table'))
      .option('-w, --watch', 'after listing, print the rows that change', false)
      .option('--chunk-size <n>', 'nodes per list request, as kubectl get --chunk-size (0: one request)', '500'),
  ).action(async (raw: Record<string, unknown>) => {
    const chunkSize = parseChunkSize(String(raw['chunkSize']));
    const { kc } = await kubeConfig(raw);
    const { runNodes } = await import('./plugin/nodes.ts');
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    await runNodes(
      kc,
      { output: raw['output'] as 'table' | 'wide' | 'json', chunkSize, watch: raw['watch'] === true, ...(typeof raw['selector'] === 'string' ? { selector: raw['selector'] } : {}) },
      write,
      controller.signal,
    );
  });

  kubeFlags(
    program
      .command('node')
      .description("one node's published report, rendered like mesh-preflight check")
      .argument('<name>', 'node name')
      .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table')),
  ).action(async (name: string, raw: Record<string, unknown>) => {
    const { kc } = await kubeConfig(raw);
    const [{ runNode }, { colorWanted }] = await Promise.all([import('./plugin/node.ts'), import('./render.ts')]);
    await runNode(kc, name, { output: raw['output'] as 'table' | 'json', color: colorWanted(process.stdout) }, write);
  });

  kubeFlags(
    program
      .command('diagnose')
      .description("explain a pod's failed mesh init container from its log, joined with its node's published report")
      .argument('<pod>', 'pod name')
      .option('-n, --namespace <ns>', "the pod's namespace (default: the context's, else default)")
      .option('-c, --container <name>', 'the container to diagnose (default: the failed mesh init container)')
      .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table')),
  ).action(async (pod: string, raw: Record<string, unknown>) => {
    const { kc, namespace } = await kubeConfig(raw);
    const { runDiagnosePod } = await import('./plugin/diagnose-pod.ts');
    await runDiagnosePod(
      kc,
      pod,
      {
        namespace: typeof raw['namespace'] === 'string' ? raw['namespace'] : namespace,
        output: raw['output'] as 'table' | 'json',
        ...(typeof raw['container'] === 'string' ? { container: raw['container'] } : {}),
      },
      write,
      (text) => void process.stderr.write(text),
    );
  });
  return program;
}

export function pluginMain(argv: string[] = process.argv): Promise<number> {
  return runProgram(buildPlugin(), argv, NAME, requestFailed);
}

/** The API server or the network said no (LeanReadError and the like): one line, exit 1, as kubectl. */
function requestFailed(error: unknown): number {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${NAME}: ${message.split('\n')[0]}\n`);
  if (process.env['MESH_PREFLIGHT_DEBUG'] && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return 1;
}

exitWith(pluginMain());
