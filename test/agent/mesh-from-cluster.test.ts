/**
 * agent --mesh-from-cluster against the in-process fake API server (a fake, not a kube-apiserver): the
 * mesh's ConfigMaps decide the options the flags leave open, are re-read at every check, a misbehaving
 * API server keeps the last good report, and the overlay's Roles allow exactly the requests made.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { startAgent, type RunningAgent } from '../../src/agent/agent.ts';
import { checkOptions } from '../../src/core/options.ts';
import { policyRuleAllows, PolicyRuleSchema, requestToAttributes } from '../daemonset/rbac.ts';
import { agentSettings, fixtureCheck } from '../helpers/agent.ts';
import { fakeWithClient } from '../kube/fixtures.ts';
import type { FakeApiServer, LoggedRequest } from '../support/fake-apiserver.ts';
import { render, type Loose } from '../daemonset/helpers.ts';
import { needs } from '../helpers/requirements.ts';
import { CLI_PATH } from '../helpers/cli.ts';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/configmaps');
const data = (name: string): Record<string, string> => parse(readFileSync(path.join(FIXTURES, `${name}.yaml`), 'utf8')).data;

const recorded: LoggedRequest[] = [];

async function withAgent(
  t: { teardown(fn: () => unknown): void },
  opts: { explicit?: string[]; mesh?: 'istio' | 'linkerd'; backend?: 'nft' | 'legacy' } = {},
): Promise<{ fake: FakeApiServer; agent: RunningAgent; logs: string[] }> {
  const { fake, api } = await fakeWithClient();
  const logs: string[] = [];
  const agent = await startAgent(
    agentSettings({
      options: checkOptions({ nodeName: 'n1', ...(opts.mesh ? { mesh: opts.mesh } : {}), ...(opts.backend ? { backend: opts.backend } : {}) }),
      explicitOptions: opts.explicit ?? [],
      meshFromCluster: { ...(opts.explicit?.includes('mesh') ? { mesh: opts.mesh } : {}), istioNamespace: 'istio-system', linkerdNamespace: 'linkerd' },
    }),
    { kube: api, check: fixtureCheck({ current: 'talos' }), log: (l) => logs.push(l), publisherRetryDelayMs: { min: 10, max: 50, catchUp: 100 } },
  );
  t.teardown(async () => {
    await agent.stop();
    recorded.push(...fake.requests);
    await fake.close();
  });
  return { fake, agent, logs };
}

test.serial('Istio ambient from its ConfigMaps: options and their sources in the report, re-read at the next check', async (t) => {
  const { fake, agent, logs } = await withAgent(t);
  fake.setConfigMap('istio-system', 'istio-cni-config', data('istio-cni-config.ambient'));
  fake.setConfigMap('istio-system', 'istio', data('istio.default'));
  const report = await agent.runNow();
  t.like(report.options, { mesh: 'istio', dataplane: 'ambient', cni: true, dnsCapture: true, nativeNftables: false, meshVersion: '1.28' });
  t.like(report.options.optionSources, { dataplane: 'cluster', cni: 'cluster', dnsCapture: 'cluster', nativeNftables: 'cluster', mesh: 'cluster', backend: 'default', probe: 'default' });
  t.true(logs.some((l) => l.includes('AMBIENT_ENABLED="true": dataplane ambient')));
  const gets = fake.requestsMatching('GET', /\/configmaps\//).map((r) => r.path).sort();
  t.deepEqual([...new Set(gets)], [
    '/api/v1/namespaces/istio-system/configmaps/istio',
    '/api/v1/namespaces/istio-system/configmaps/istio-cni-config',
    '/api/v1/namespaces/linkerd/configmaps/linkerd-config',
  ]);

  fake.setConfigMap('istio-system', 'istio-cni-config', data('istio-cni-config.ambient-native-nftables'));
  const next = await agent.runNow();
  t.true(next.options.nativeNftables, 'the ConfigMap is read again at each check');
});

test.serial('flags given explicitly win over the cluster; an absent mesh leaves the defaults', async (t) => {
  const { fake, agent } = await withAgent(t, { explicit: ['backend', 'mesh'], mesh: 'linkerd', backend: 'legacy' });
  fake.setConfigMap('linkerd', 'linkerd-config', data('linkerd-config'));
  fake.setConfigMap('istio-system', 'istio-cni-config', data('istio-cni-config.ambient'));
  const report = await agent.runNow();
  t.is(report.options.mesh, 'linkerd');
  t.is(report.options.backend, 'legacy', '--backend legacy given on the command line wins over iptablesMode: nft');
  t.true(report.options.cni);
  t.like(report.options.optionSources, { mesh: 'flag', backend: 'flag', cni: 'cluster', dataplane: 'default' });
  t.deepEqual(fake.requestsMatching('GET', /istio-system/), [], '--mesh linkerd reads only Linkerd\'s ConfigMap');

  fake.deleteConfigMap('linkerd', 'linkerd-config');
  const none = await agent.runNow();
  t.false(none.options.cni, 'not installed (404): back to the default');
  t.is(none.options.optionSources?.['cni'], 'default');
});

test.serial('403 or an API server away: the last good report is kept, and the log says which Role is missing', async (t) => {
  const { fake, agent, logs } = await withAgent(t);
  fake.setConfigMap('istio-system', 'istio-cni-config', data('istio-cni-config.ambient'));
  const good = await agent.runNow();
  t.is(good.options.dataplane, 'ambient');

  fake.forbid('istio-system', 'istio-cni-config');
  const kept = await agent.runNow();
  t.is(kept.generatedAt, good.generatedAt, 'the last good report is served');
  t.regex(agent.runner.lastFailure() ?? '', /403/);
  t.true(logs.some((l) => /configmaps "istio-cni-config" is forbidden.*daemonset\/overlays\/mesh-from-cluster/.test(l)), logs.join('\n'));

  fake.fail({ path: /\/configmaps\//, status: 500, times: 3 });
  const still = await agent.runNow();
  t.is(still.generatedAt, good.generatedAt);
});

needs('kubectl').serial('the overlay\'s Roles allow exactly the ConfigMap reads the agent made, in their namespaces', (t) => {
  const objects = render('overlays/mesh-from-cluster');
  const roles = objects.filter((o) => o.kind === 'Role') as Loose[];
  const reads = recorded.filter((r) => r.path.includes('/configmaps/'));
  t.true(reads.length > 0);
  const used = new Set<string>();
  for (const r of reads) {
    const a = requestToAttributes({ method: r.method, path: r.path, query: r.query });
    const ns = (a as { namespace?: string }).namespace;
    const allowing = roles.filter((role) => role.metadata.namespace === ns && role.rules.some((rule: unknown) => policyRuleAllows(PolicyRuleSchema.parse(rule), a)));
    t.is(allowing.length, 1, `${r.method} ${r.path}`);
    used.add(`${ns}/${(a as { name?: string }).name}`);
  }
  const granted = roles.flatMap((role) => role.rules.flatMap((rule: Loose) => (rule.resourceNames as string[]).map((n) => `${role.metadata.namespace}/${n}`)));
  t.deepEqual([...used].sort(), granted.sort(), 'no name granted that the agent does not read');
  for (const role of roles) for (const rule of role.rules as Loose[]) t.deepEqual(rule.verbs, ['get'], 'read-only');
  const sa = objects.find((o) => o.kind === 'ServiceAccount')!;
  for (const binding of objects.filter((o) => o.kind === 'RoleBinding') as Loose[]) {
    t.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: sa.metadata.namespace }]);
  }
});

test('the built CLI: --mesh-from-cluster without Kubernetes, or --mesh-namespace alone, is a one-line usage error (exit 2)', async (t) => {
  const { execa } = await import('execa');
  const cli = CLI_PATH;
  const env = { KUBECONFIG: '', KUBERNETES_SERVICE_HOST: '', NODE_NAME: 'n1' };
  for (const [args, message] of [
    [['--mesh-from-cluster', '--host-root', '/'], /--mesh-from-cluster needs Kubernetes/],
    [['--mesh-namespace', 'istio-system', '--host-root', '/'], /--mesh-namespace istio-system: only used with --mesh-from-cluster/],
    [['--mesh-from-cluster', '--mesh-namespace', 'Not_A_Namespace'], /invalid --mesh-namespace/],
  ] as const) {
    const result = await execa(process.execPath, [cli, 'agent', ...args], { reject: false, timeout: 30_000, env, extendEnv: false });
    t.is(result.exitCode, 2, `${args.join(' ')}: ${result.stderr}`);
    t.is(result.stderr.trim().split('\n').length, 1, result.stderr);
    t.regex(result.stderr, message);
  }
});
