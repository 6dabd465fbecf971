#!/usr/bin/env node
/**
 * The CLI shell: argv → command. The one place where errors become exit codes:
 * 0 ready (or degraded without --strict), 1 not ready, 2 usage or internal error.
 */
import { Command, Option } from 'commander';
import { addCheckFlags, parseCheckFlags } from './check-flags.ts';
import { colorWanted } from './render.ts';
import { packageVersion } from './version.ts';
import { ExitError, UsageError } from '../core/errors.ts';
import { exitWith, runProgram } from './run-program.ts';

function outputOption(): Option {
  return new Option('--output <format>', 'table or json (default: table on a TTY, json otherwise)').choices(['table', 'json']);
}

function defaultOutput(value: unknown): 'table' | 'json' {
  if (value === 'table' || value === 'json') return value;
  return process.stdout.isTTY ? 'table' : 'json';
}

function parseExitCode(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (!/^\d{1,3}$/.test(text) || Number(text) > 255) throw new UsageError(`invalid --exit-code ${text}: expected a number from 0 to 255`);
  return Number(text);
}

export function buildProgram(): Command {
  const program = new Command('mesh-preflight')
    .description('Can a service mesh set up its traffic interception on this Kubernetes node?')
    .version(packageVersion(), '-V, --version')
    .showSuggestionAfterError(true);

  addCheckFlags(
    program
      .command('check', { isDefault: true })
      .description('check this node (kernel, netfilter modules, iptables backend, rule dry-run)')
      .addOption(outputOption())
      .option('--strict', 'warnings fail too (exit 1 when degraded)', false),
  ).action(async (raw: Record<string, unknown>) => {
    const options = await parseCheckFlags(raw);
    const { runCheck } = await import('./commands/check.ts');
    const output = defaultOutput(raw['output']);
    const result = await runCheck(options, { output, strict: raw['strict'] === true, color: colorWanted(process.stdout) });
    process.stdout.write(result.stdout);
    if (result.exitCode !== 0) throw new ExitError(result.exitCode);
  });

  addCheckFlags(
    program
      .command('diagnose')
      .description('explain a failed mesh init container from its log (a file, or - for stdin)')
      .argument('[file]', 'log file (kubectl logs output or a CRI log file); - or nothing for stdin', '-')
      .option('--on-node', "this machine is the node the log came from: join the diagnosis with this node's check", false)
      .option('--exit-code <code>', 'the init container exit code (istio-validation 126, linkerd-network-validator 95)')
      .option('--container <name>', 'the init container name (istio-init, istio-validation, linkerd-init, ...)')
      .addOption(outputOption()),
  ).action(async (file: string, raw: Record<string, unknown>) => {
    // Only --on-node runs the checks: a plain diagnose never pays for the --ipv6 auto decision.
    const options = await parseCheckFlags(raw, process.env, { resolveIpv6Auto: raw['onNode'] === true });
    const exitCode = parseExitCode(raw['exitCode']);
    const { runDiagnose } = await import('./commands/diagnose.ts');
    // The checks (and execa) load only to join with this node's check.
    const checkThisNode = async () => (await import('../core/check-node.ts')).checkNode(options);
    const result = await runDiagnose(
      { file, stdin: process.stdin },
      {
        output: defaultOutput(raw['output']),
        node: raw['onNode'] === true ? { report: checkThisNode } : undefined,
        context: { exitCode, container: typeof raw['container'] === 'string' ? raw['container'] : undefined },
      },
    );
    process.stdout.write(result.stdout);
    if (result.stderr) process.stderr.write(result.stderr);
    if (result.exitCode !== 0) throw new ExitError(result.exitCode);
  });

  addCheckFlags(
    program
      .command('fix')
      .description('load the modules the check found loadable but not loaded (modprobe) and persist them (modules-load.d); dry run unless --yes')
      .option('--yes', 'apply the plan (without it, only print it)', false)
      .option('--now', 'modprobe the modules now (temporary fix)', false)
      .option('--persist', `write /etc/modules-load.d/99-mesh-preflight.conf below --host-root (lasting fix)`, false)
      .option('--undo', 'remove the modules-load.d file mesh-preflight wrote (and only that)', false)
      .option('--force', 'replace a modules-load.d file mesh-preflight did not write, keeping a backup', false)
      .addOption(outputOption()),
  ).action(async (raw: Record<string, unknown>) => {
    const options = await parseCheckFlags(raw);
    const [{ runFix }, { checkNode }, { HostRoot }, { realExec }, { knownModuleNames }, { readOsInfo }] = await Promise.all([
      import('./commands/fix.ts'),
      import('../core/check-node.ts'),
      import('../host/root.ts'),
      import('../host/exec.ts'),
      import('../../checks/kernel-data/module-history.ts'),
      import('../host/os-family.ts'),
    ]);
    const host = new HostRoot(options.hostRoot);
    const result = await runFix(
      {
        yes: raw['yes'] === true,
        now: raw['now'] === true,
        persist: raw['persist'] === true,
        undo: raw['undo'] === true,
        force: raw['force'] === true,
        output: defaultOutput(raw['output']),
      },
      { check: () => checkNode(options), exec: realExec, host, allowedModules: knownModuleNames(), os: await readOsInfo(host) },
    );
    process.stdout.write(result.stdout);
    if (result.stderr) process.stderr.write(result.stderr.endsWith('\n') ? result.stderr : `${result.stderr}\n`);
    if (result.exitCode !== 0) throw new ExitError(result.exitCode);
  });

  addCheckFlags(
    program
      .command('agent')
      .description('run as the node agent: periodic checks, HTTP API, node labels and condition, init-container watch')
      .option('--listen <host:port>', 'HTTP API address', '0.0.0.0:9808')
      .option('--interval <duration>', 'time between checks (±10% jitter)', '10m')
      .option('--kubeconfig <file>', 'kubeconfig (default: in-cluster, then KUBECONFIG, else run without Kubernetes)')
      .option('--label-prefix <prefix>', 'prefix of the node labels and annotation', 'mesh-preflight.io/')
      .option('--heartbeat <duration>', 'refresh the node condition at least this often even when nothing changed', '60m')
      .addOption(new Option('--fix <mode>', 'apply fixes after a check finds loadable modules').choices(['off', 'now', 'persist', 'both']).default('off'))
      .addOption(
        new Option('--recheck-auth <mode>', 'POST /v1/recheck: bearer token checked by a TokenReview, off, or none (no auth)')
          .choices(['tokenreview', 'off', 'none'])
          .default('tokenreview'),
      )
      .option('--nfd-features-dir <dir>', 'also write a node-feature-discovery local feature file there')
      .option('--cleanup', 'remove this agent\'s labels, annotation and condition from the node, then exit', false)
      .option('--mesh-from-cluster', 'read the installed mesh\'s mode from its ConfigMaps (Istio: istio, istio-cni-config; Linkerd: linkerd-config) at every check; flags given explicitly win', false)
      .option('--mesh-namespace <namespace>', 'namespace of the mesh\'s ConfigMaps (default: istio-system for Istio, linkerd for Linkerd)')
      .option('--print-config', 'print the validated configuration as JSON and exit (checks DaemonSet args)', false),
  ).action(async (raw: Record<string, unknown>, cmd: Command) => {
    // --cleanup runs no check: it does not pay for the --ipv6 auto decision.
    const options = await parseCheckFlags(raw, process.env, { resolveIpv6Auto: raw['cleanup'] !== true });
    const os = await import('node:os');
    const [{ parseAgentFlags }, { startAgent }, kube] = await Promise.all([
      import('./commands/agent.ts'),
      import('../agent/agent.ts'),
      import('../kube/client.ts'),
    ]);
    const command = parseAgentFlags(raw, options, os.hostname(), explicitCheckOptions(cmd));
    if (raw['printConfig'] === true) {
      process.stdout.write(`${JSON.stringify({ ...command.settings, kubeconfig: command.kubeconfig, cleanup: command.cleanup }, null, 2)}\n`);
      return;
    }
    let resolved;
    try {
      resolved = kube.resolveKubeConfig(command.kubeconfig ? { kubeconfig: command.kubeconfig } : {});
    } catch (error) {
      const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
      const what = command.kubeconfig ? `--kubeconfig ${command.kubeconfig}` : 'Kubernetes configuration (in-cluster or KUBECONFIG)';
      throw new UsageError(`invalid ${what}: ${/reading 'clusters'/.test(message ?? '') ? 'expected a kubeconfig file with clusters, users and contexts' : message}`);
    }
    const api = resolved ? kube.createKubeNodeApi(resolved) : undefined;
    if (command.settings.meshFromCluster && !api) {
      throw new UsageError('--mesh-from-cluster needs Kubernetes: give --kubeconfig, run in-cluster, or set KUBECONFIG');
    }
    if (command.cleanup) {
      if (!api) throw new UsageError('--cleanup needs Kubernetes: give --kubeconfig, run in-cluster, or set KUBECONFIG');
      const { NodePublisher } = await import('../kube/publisher.ts');
      const publisher = new NodePublisher(api, { nodeName: command.settings.nodeName, prefix: command.settings.labelPrefix });
      const result = await publisher.cleanup();
      if (!result.ok) throw new ExitError(1, result.error);
      process.stdout.write(`removed mesh-preflight labels, annotation and condition from node ${command.settings.nodeName} (${result.patches} patch${result.patches === 1 ? '' : 'es'})\n`);
      return;
    }
    const agent = await startAgent(command.settings, api ? { kube: api } : {});
    await new Promise<void>((resolve) => {
      const shutdown = () => resolve();
      process.once('SIGTERM', shutdown);
      process.once('SIGINT', shutdown);
    });
    // Stop accepting, finish the in-flight write, exit 0 within 5 s.
    const deadline = setTimeout(() => process.exit(0), 5000);
    deadline.unref();
    await agent.stop();
    clearTimeout(deadline);
  });

  return program;
}

/** The check options a flag set on the command line (not a default), by option name. */
function explicitCheckOptions(cmd: Command): string[] {
  const byFlag: Record<string, string> = { initContainer: 'initContainers' };
  return cmd.options
    .map((o) => o.attributeName())
    .filter((name) => cmd.getOptionValueSource(name) === 'cli')
    .map((name) => byFlag[name] ?? name);
}

export function main(argv: string[] = process.argv): Promise<number> {
  return runProgram(buildProgram(), argv, 'mesh-preflight', internalError);
}

/** Anything else is a bug: one line, exit 2 (the stack with MESH_PREFLIGHT_DEBUG). */
function internalError(error: unknown): number {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`mesh-preflight: internal error: ${message.split('\n')[0]} (please report it)\n`);
  if (process.env['MESH_PREFLIGHT_DEBUG'] && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return 2;
}

exitWith(main());
