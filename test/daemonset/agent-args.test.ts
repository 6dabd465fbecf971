/** The container args of every overlay are a valid `mesh-preflight agent` command line. */
import test from 'ava';
import { AGENT_FLAGS, argsOf, parseAgentArgs } from './agent-args.ts';
import { needs } from '../helpers/requirements.ts';
import { argsByKustomization, KUSTOMIZATIONS } from './helpers.ts';

/** Tests that read a rendering by the real kustomize (`kubectl kustomize`). */
const kubectlTest = needs('kubectl');

for (const name of KUSTOMIZATIONS) {
  kubectlTest(`${name}: every arg is a known agent flag with a valid value`, (t) => {
    const args = argsByKustomization()[name];
    t.is(args[0], 'agent');
    const parsed = parseAgentArgs(args);
    t.deepEqual(parsed.problems, []);
    for (const { flag } of parsed.flags) t.truthy(AGENT_FLAGS[flag], flag);
  });
}

test('the flag list is exactly the agent flags of the brief', (t) => {
  t.deepEqual(Object.keys(AGENT_FLAGS).sort(), [
    '--backend', '--cleanup', '--dns-capture', '--fix', '--host-root', '--init-container', '--interception', '--interval', '--ipv6',
    '--kubeconfig', '--label-prefix', '--listen', '--mesh', '--mesh-from-cluster', '--mesh-namespace', '--nfd-features-dir', '--no-ipv6', '--node-name',
    '--probe', '--recheck-auth',
  ]);
});

test('parseAgentArgs catches what a real parser would refuse', (t) => {
  const problems = (args: string[]) => parseAgentArgs(args).problems;
  t.deepEqual(problems(['agent', '--mesh', 'linkerd', '--probe', '--init-container=a', '--init-container', 'b']), []);
  t.regex(problems(['agent', '--meshh=istio']).join(), /unknown flag --meshh/);
  t.regex(problems(['agent', '--fix=always']).join(), /expected one of off, now, persist, both/);
  t.regex(problems(['agent', '--fix']).join(), /--fix needs a value/);
  t.regex(problems(['agent', '--fix', '--probe']).join(), /--fix needs a value/);
  t.regex(problems(['agent', '--probe=yes']).join(), /takes no value/);
  t.regex(problems(['agent', '--mesh=istio', '--mesh=linkerd']).join(), /given more than once/);
  t.regex(problems(['agent', '--listen=9808']).join(), /--listen=9808: does not match/);
  t.regex(problems(['agent', '--interval=ten']).join(), /--interval=ten/);
  t.regex(problems(['agent', '--host-root=host']).join(), /--host-root=host/);
  t.regex(problems(['check', '--probe']).join(), /subcommand "agent"/);
  t.regex(problems(['agent', 'stray']).join(), /positional/);
});

test('argsOf picks the agent container and copes with a DaemonSet without args', (t) => {
  const ds = (args?: string[]) => ({
    kind: 'DaemonSet',
    spec: { template: { spec: { containers: [{ name: 'sidecar', args: ['x'] }, { name: 'agent', ...(args ? { args } : {}) }] } } },
  });
  t.deepEqual(argsOf(ds(['agent', '--probe'])), ['agent', '--probe']);
  t.deepEqual(argsOf(ds()), []);
  t.throws(() => argsOf({ kind: 'Deployment', spec: {} }));
});
