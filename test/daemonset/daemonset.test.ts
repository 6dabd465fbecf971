/** The agent DaemonSet's required properties, in the base and in every overlay. */
import { agentOf, KUSTOMIZATIONS, render, type KustomizationName, type Loose } from './helpers.ts';
import { argsOf, flagValue, parseAgentArgs } from './agent-args.ts';
import { needs } from '../helpers/requirements.ts';
import { MODPROBE_PATH, MODULES_DISABLED, SELINUX_CONFIG, SELINUX_ENFORCE } from '../../src/autoload/read.ts';

/** Every test here reads a rendering by the real kustomize (`kubectl kustomize`). */
const it = needs('kubectl');

/** Host paths the checks read (host root /host), each mounted read-only; plus the shared xtables lock. */
const HOST_READS = [
  '/proc', '/sys/module', '/lib/modules', '/usr/lib/modules', '/boot', '/etc/os-release', '/usr/lib/os-release', '/var/log/pods',
  // the autoload judgement: selinuxfs below /sys/fs, the SELinux config, modprobe.d
  '/sys/fs', '/etc/selinux', '/etc/modprobe.d', '/usr/lib/modprobe.d',
];
const XTABLES_LOCK = '/run/xtables.lock';
const HOST_ROOT = '/host';

interface HostMount {
  hostPath: string;
  type: string | undefined;
  mountPath: string;
  readOnly: boolean;
}

function hostMounts(pod: Loose, container: Loose): HostMount[] {
  const byName = new Map<string, Loose>((pod.volumes as Loose[]).map((v) => [v.name, v]));
  return (container.volumeMounts as Loose[]).flatMap((m) => {
    const volume = byName.get(m.name);
    if (!volume?.hostPath) return [];
    return [{ hostPath: volume.hostPath.path, type: volume.hostPath.type, mountPath: m.mountPath, readOnly: m.readOnly === true }];
  });
}

for (const name of KUSTOMIZATIONS) {
  const agent = () => agentOf(render(name));
  const fix = name === 'overlays/fix';

  it(`${name}: runs on every node, critical, in the host network`, (t) => {
    const { ds, pod } = agent();
    t.deepEqual(pod.tolerations, [{ operator: 'Exists' }]);
    t.is(pod.priorityClassName, 'system-node-critical');
    t.true(pod.hostNetwork);
    t.is(pod.dnsPolicy, 'ClusterFirstWithHostNet');
    t.is(pod.nodeSelector, undefined);
    t.is(pod.affinity, undefined);
    t.deepEqual(ds.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } });
  });

  it(`${name}: NODE_NAME from the downward API`, (t) => {
    const { container } = agent();
    const env = (container.env as Loose[]).find((e) => e.name === 'NODE_NAME');
    t.deepEqual(env, { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } });
  });

  it(`${name}: capabilities exactly NET_ADMIN + NET_RAW${fix ? ' + SYS_MODULE' : ''}, all else dropped, root filesystem read-only`, (t) => {
    const { pod, container } = agent();
    const sc = container.securityContext;
    t.deepEqual(sc.capabilities.drop, ['ALL']);
    t.deepEqual([...sc.capabilities.add].sort(), fix ? ['NET_ADMIN', 'NET_RAW', 'SYS_MODULE'] : ['NET_ADMIN', 'NET_RAW']);
    t.is(sc.readOnlyRootFilesystem, true);
    t.is(sc.allowPrivilegeEscalation, false);
    t.not(sc.privileged, true);
    t.is(sc.runAsUser, 0);
    t.deepEqual(sc.seccompProfile, { type: 'RuntimeDefault' });
    t.is(pod.hostPID, undefined);
    t.is(pod.hostIPC, undefined);
  });

  it(`${name}: /tmp is an emptyDir, the only writable place besides the fix mount`, (t) => {
    const { pod, container } = agent();
    const tmp = (container.volumeMounts as Loose[]).find((m) => m.mountPath === '/tmp');
    t.truthy(tmp);
    t.truthy((pod.volumes as Loose[]).find((v) => v.name === tmp.name)?.emptyDir);
    const writable = (container.volumeMounts as Loose[]).filter((m) => m.readOnly !== true).map((m) => m.mountPath);
    t.deepEqual(writable.sort(), fix ? ['/host/etc/modules-load.d', '/tmp'] : ['/tmp']);
  });

  it(`${name}: exactly the host paths the checks read are mounted, read-only, below --host-root`, (t) => {
    const { ds, pod, container } = agent();
    const mounts = hostMounts(pod, container);
    const expected = [...HOST_READS, XTABLES_LOCK, ...(fix ? ['/etc/modules-load.d'] : [])].sort();
    t.deepEqual(mounts.map((m) => m.hostPath).sort(), expected);
    for (const m of mounts) {
      if (m.hostPath === XTABLES_LOCK) {
        t.is(m.mountPath, XTABLES_LOCK, 'the lock is shared at its own path so iptables finds it');
        t.is(m.type, 'FileOrCreate');
        t.true(m.readOnly);
      } else if (m.hostPath === '/etc/modules-load.d') {
        t.is(m.mountPath, `${HOST_ROOT}/etc/modules-load.d`);
        t.false(m.readOnly);
      } else {
        t.is(m.mountPath, `${HOST_ROOT}${m.hostPath}`, m.hostPath);
        t.true(m.readOnly, `${m.hostPath} must be read-only`);
      }
    }
    // Volumes that are declared but not mounted would be dead configuration.
    const mounted = new Set((container.volumeMounts as Loose[]).map((m) => m.name));
    t.deepEqual((pod.volumes as Loose[]).map((v) => v.name).filter((n) => !mounted.has(n)), []);
    t.is(flagValue(parseAgentArgs(argsOf(ds)), '--host-root'), HOST_ROOT);
  });

  it(`${name}: what the autoload judgement reads lies below a read-only host mount`, (t) => {
    const { pod, container } = agent();
    const mounted = hostMounts(pod, container).filter((m) => m.readOnly).map((m) => m.hostPath);
    const covered = (file: string) => mounted.some((dir) => file === dir || file.startsWith(`${dir}/`));
    for (const file of [SELINUX_ENFORCE, SELINUX_CONFIG, MODULES_DISABLED, MODPROBE_PATH, '/etc/modprobe.d/x.conf', '/usr/lib/modprobe.d/x.conf']) {
      t.true(covered(file), `${file} is not mounted`);
    }
    // /sys/fs/selinux is absent (and cannot be created) on hosts without SELinux: its parent is mounted, and must exist.
    t.is(hostMounts(pod, container).find((m) => m.hostPath === '/sys/fs')?.type, 'Directory');
  });

  it(`${name}: probes /healthz (liveness) and /readyz (readiness) on the named port http`, (t) => {
    const { ds, container } = agent();
    t.like(container.livenessProbe, { httpGet: { path: '/healthz', port: 'http' } });
    t.like(container.readinessProbe, { httpGet: { path: '/readyz', port: 'http' } });
    const port = (container.ports as Loose[]).find((p) => p.name === 'http');
    t.is(port?.containerPort, 9808);
    const listen = flagValue(parseAgentArgs(argsOf(ds)), '--listen') ?? '0.0.0.0:9808';
    t.is(listen.split(':').at(-1), String(port?.containerPort), '--listen must serve the probed port');
  });

  it(`${name}: resource requests and limits`, (t) => {
    const { container } = agent();
    t.deepEqual(container.resources, { requests: { cpu: '10m', memory: '96Mi' }, limits: { cpu: '500m', memory: '192Mi' } });
  });
}

it('fix overlay: --fix=persist; base and other overlays do not fix', (t) => {
  t.is(flagValue(parseAgentArgs(argsOf(agentOf(render('overlays/fix')).ds)), '--fix'), 'persist');
  for (const name of KUSTOMIZATIONS.filter((n) => n !== 'overlays/fix')) {
    t.is(flagValue(parseAgentArgs(argsOf(agentOf(render(name)).ds)), '--fix'), undefined, name);
  }
});

it('linkerd overlay: --mesh=linkerd; the others use the default (istio)', (t) => {
  t.is(flagValue(parseAgentArgs(argsOf(agentOf(render('overlays/linkerd')).ds)), '--mesh'), 'linkerd');
  t.is(flagValue(parseAgentArgs(argsOf(agentOf(render('base')).ds)), '--mesh'), undefined);
});

it('mode overlays: istio-ambient, kuma and consul add exactly their mode flags to the base args', (t) => {
  const base = argsOf(agentOf(render('base')).ds);
  const added = (name: KustomizationName) => argsOf(agentOf(render(name)).ds).slice(base.length);
  t.deepEqual(added('overlays/istio-ambient'), ['--dataplane=ambient', '--dns-capture']);
  t.deepEqual(added('overlays/kuma'), ['--mesh=kuma', '--dns-capture']);
  t.deepEqual(added('overlays/consul'), ['--mesh=consul']);
  for (const name of ['overlays/istio-ambient', 'overlays/kuma', 'overlays/consul'] as const) {
    t.deepEqual(argsOf(agentOf(render(name)).ds).slice(0, base.length), base, `${name} keeps the base args`);
  }
});
