/** checks/kernel-data/autoload.ts, entry by entry: every fact cites a source, every module has a request path. */
import test from 'ava';
import {
  AUTOLOAD_FACTS,
  CONTAINER_POLICIES,
  DISABLING_INSTALL_COMMANDS,
  MODPROBE_D_DIRS,
  containerPolicyFor,
  moduleRequest,
} from '../../checks/kernel-data/autoload.ts';
import { MODULES } from '../../checks/kernel-data/netfilter-map.ts';

for (const [id, fact] of Object.entries(AUTOLOAD_FACTS)) {
  test(`fact ${id}: a statement and a source that names where it comes from`, (t) => {
    t.true(fact.statement.length > 40, id);
    t.regex(fact.source, /torvalds\/linux|kmod|systemd|container-selinux|selinux\(8\)|iptables/, id);
  });
}

test('the issues and kernel files the judgement rests on are cited', (t) => {
  const all = Object.values(AUTOLOAD_FACTS).map((f) => f.source).join(' ');
  for (const cite of ['net/netfilter/x_tables.c', 'nf_sockopt.c', 'container.te', 'kubevirt/kubevirt#2400', 'amazon-eks-ami#2354', 'istio/istio#57380', 'istio/istio#4500', 'istio/istio#24101', 'rancher/rke2#504', 'modprobe.d(5)', 'KMOD_PROBE_APPLY_BLACKLIST']) {
    t.true(all.includes(cite), cite);
  }
});

for (const module of Object.keys(MODULES)) {
  test(`moduleRequest(${module}): a known request path with a source`, (t) => {
    const r = moduleRequest(module);
    t.true(['name', 'alias', 'dependency', 'pod-modprobe', 'host-only'].includes(r.kind));
    t.true(r.source.length > 10);
    if (r.kind === 'alias' || r.kind === 'name') t.truthy(r.requested);
  });
}

test('requests as the kernel makes them (x_tables.c, nf_tables_api.c, nfnetlink.c)', (t) => {
  t.deepEqual([moduleRequest('iptable_raw').kind, moduleRequest('iptable_raw').requested], ['name', 'iptable_raw']);
  t.deepEqual([moduleRequest('ip6table_nat', 'ipv6').kind, moduleRequest('ip6table_nat', 'ipv6').requested], ['name', 'ip6table_nat']);
  t.is(moduleRequest('xt_owner').requested, 'ipt_owner');
  t.is(moduleRequest('xt_owner', 'ipv6').requested, 'ip6t_owner');
  t.is(moduleRequest('xt_REDIRECT').requested, 'ipt_REDIRECT');
  t.is(moduleRequest('xt_tcpudp').requested, 'ipt_tcp');
  t.is(moduleRequest('nft_chain_nat').requested, 'nft-chain-2-nat');
  t.is(moduleRequest('nf_tables').requested, 'nfnetlink-subsys-10');
  t.is(moduleRequest('ip_tables').kind, 'pod-modprobe');
  t.is(moduleRequest('br_netfilter').kind, 'host-only');
  t.is(moduleRequest('nf_conntrack').kind, 'dependency');
});

test('SELinux policies: Bottlerocket grants module_request, anything else is container-selinux (refuses)', (t) => {
  t.true(containerPolicyFor('bottlerocket').grantsModuleRequest);
  for (const id of ['rocky', 'rhel', 'centos', 'almalinux', 'fedora', 'amzn', undefined]) t.false(containerPolicyFor(id).grantsModuleRequest, String(id));
  for (const p of CONTAINER_POLICIES) t.true(p.source.length > 10);
});

test('modprobe.d directories in kmod precedence order; disabling install commands', (t) => {
  t.deepEqual(MODPROBE_D_DIRS, ['/etc/modprobe.d', '/run/modprobe.d', '/usr/local/lib/modprobe.d', '/usr/lib/modprobe.d', '/lib/modprobe.d']);
  t.true(DISABLING_INSTALL_COMMANDS.includes('/bin/false'));
  t.true(DISABLING_INSTALL_COMMANDS.includes('/bin/true'));
  t.false(DISABLING_INSTALL_COMMANDS.includes('/sbin/modprobe'));
});
