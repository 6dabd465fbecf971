/**
 * The general classes added after the blind evaluation (test/fixtures/logs/batches/blind.md), each with
 * real wordings; the source of every line is cited next to it.
 */
import test, { type ExecutionContext } from 'ava';
import { readFileSync } from 'node:fs';
import { classifyLog } from '../../src/diagnose/classify.ts';
import type { DiagnosisCategory } from '../../src/diagnose/types.ts';
import { isKernelModuleName } from '../../src/diagnose/modules.ts';
import { logPath } from './fixtures.ts';

const TRY = "Try `iptables -h' or 'iptables --help' for more information.";

/** Every line alone is classified as category (and, when given, with that nodeProblem and those modules). */
function expectEach(t: ExecutionContext, lines: string[], category: DiagnosisCategory, want: { nodeProblem?: boolean; modules?: string[] } = {}): void {
  for (const line of lines) {
    const r = classifyLog(line);
    t.is(r.category, category, line);
    if (want.nodeProblem !== undefined) t.is(r.nodeProblem, want.nodeProblem, line);
    if (want.modules) t.deepEqual(r.modules, want.modules, line);
  }
}

/** The main-corpus log `name` is classified as category and names (at least) those modules; returns the result. */
function expectFile(t: ExecutionContext, name: string, category: DiagnosisCategory, modules: string[] = []): ReturnType<typeof classifyLog> {
  const r = classifyLog(readFileSync(logPath(name), 'utf8'));
  t.is(r.category, category, name);
  for (const m of modules) t.true(r.modules.includes(m), `${name}: ${m} in ${r.modules.join(' ')}`);
  return r;
}

// --- 1. several failing lines of one category: the primary carries the union of their modules
test('union: filter then nat tables give both tables\' modules (archtorify#27)', (t) => {
  const log = [
    "iptables v1.8.8 (legacy): can't initialize iptables table `filter': Table does not exist (do you need to insmod?)",
    'Perhaps iptables or your kernel needs to be upgraded.',
    "iptables v1.8.8 (legacy): can't initialize iptables table `nat': Table does not exist (do you need to insmod?)",
  ].join('\n');
  const r = classifyLog(log);
  t.is(r.category, 'missing-iptables-table');
  t.deepEqual([...r.modules].sort(), ['ip_tables', 'iptable_filter', 'iptable_nat']);
  t.is(r.findings.length, 2, 'each table stays its own finding');
  t.deepEqual(r.findings.map((f) => f.table), ['nat', 'filter']);
  t.regex(r.remediation[0] ?? '', /modprobe iptable_nat ip_tables iptable_filter/);
  t.regex(r.explanation, /Other failing lines of the same kind add iptable_filter/);
});

test('union: several extensions of one nft run (ruped24/toriptables3#2)', (t) => {
  const log = [
    "iptables v1.8.7 (nf_tables): Couldn't load match `tcp':No such file or directory", '', TRY,
    "iptables v1.8.7 (nf_tables): Couldn't load match `owner':No such file or directory", '', TRY,
    "iptables v1.8.7 (nf_tables): Couldn't load match `state':No such file or directory",
  ].join('\n');
  const r = classifyLog(log);
  t.is(r.category, 'missing-xtables-extension');
  for (const m of ['xt_tcpudp', 'xt_owner', 'xt_state', 'nft_compat']) t.true(r.modules.includes(m), m);
  t.is(r.findings.length, 3);
});

test('union: other categories and non-node findings are not merged in', (t) => {
  const log = [
    "iptables v1.8.7 (legacy): Couldn't load match `owner':No such file or directory",
    "iptables-restore v1.8.7 (legacy): iptables-restore: unable to initialize table 'raw'",
    "iptables v1.8.7 (legacy): Couldn't load target `ISTIO_REDIRECT':No such file or directory",
  ].join('\n');
  const r = classifyLog(log);
  t.is(r.category, 'missing-iptables-table');
  t.deepEqual(r.modules, ['iptable_raw', 'ip_tables']);
  const config = classifyLog("iptables v1.8.7 (legacy): Couldn't load target `ISTIO_REDIRECT':No such file or directory\niptables v1.8.7 (legacy): Couldn't load target `ISTIO_INBOUND':No such file or directory");
  t.is(config.category, 'config-error');
  t.deepEqual(config.modules, []);
});

// --- 2. IPv6 disabled in the kernel
test('ipv6: EAFNOSUPPORT from any ip6tables tool or the revision socket is ipv6-unsupported', (t) => {
  const lines = [
    // istio/istio#57199 (istio-cni probe, node booted with ipv6.disable=1)
    'error    iptables binary ip6tables has no loaded kernel support and cannot be used, err: exit status 1 out: Could not open socket to kernel: Address family not supported by protocol',
    // SELinuxProject/selinux-testsuite#55 (ipv6.disable=1)
    "ip6tables v1.8.2 (legacy): can't initialize ip6tables table `security': Address family not supported by protocol",
    'Could not open socket to kernel: Address family not supported by protocol',
    // cloudfoundry/bosh-linux-stemcell-builder#40
    "ip6tables v1.6.0: can't initialize ip6tables table `filter': Address family not supported by protocol",
  ];
  for (const line of lines) {
    const r = classifyLog(line);
    t.is(r.category, 'ipv6-unsupported', line);
    t.true(r.nodeProblem);
    t.deepEqual(r.modules, [], 'nothing to modprobe');
  }
});

test('ipv6: a kernel command line with ipv6.disable=1 explains an ip6tables failure', (t) => {
  const log = ['BOOT_IMAGE=/vmlinuz-5.15.0 root=/dev/sda1 ro ipv6.disable=1', 'error    iptables binary ip6tables has no loaded kernel support and cannot be used, err: exit status 1'].join('\n');
  t.is(classifyLog(log).category, 'ipv6-unsupported');
  t.is(classifyLog('BOOT_IMAGE=/vmlinuz-5.15.0 ro ipv6.disable=1').category, 'unknown', 'the command line alone explains nothing');
});

test('ipv6 trap: without the errno, ip6tables "no loaded kernel support" stays a missing module', (t) => {
  const r = classifyLog('error    iptables binary ip6tables has no loaded kernel support and cannot be used, err: exit status 1');
  t.is(r.category, 'missing-kernel-module');
  t.deepEqual(r.modules, ['ip6_tables']);
});

test('ipv6: EAFNOSUPPORT from any program, whatever its casing, is IPv6 off on the node', (t) => {
  for (const line of [
    // opencost/opencost-helm-chart#173: nginx's IPv6 listener on a node without IPv6
    'nginx: [emerg] socket() [::]:9096 failed (97: Address family not supported by protocol)',
    // rustfs/rustfs#1202: a Rust server (as ztunnel is), ipv6.disable=1
    'Server encountered an error and is shutting down: Address family not supported by protocol (os error 97)',
    // Go's net package lower-cases the errno text
    'listen tcp6 [::]:15008: socket: address family not supported by protocol',
  ]) {
    const r = classifyLog(line);
    t.is(r.category, 'ipv6-unsupported', line);
    t.true(r.nodeProblem);
    t.deepEqual(r.modules, []);
  }
});

// --- 3. nf_tables-backend wordings
test("nft: Couldn't find match is a missing extension (k3s#6184), a chain named as target is not", (t) => {
  const r = classifyLog("error checking rule: exit status 2: iptables v1.8.6 (nf_tables): Couldn't find match `conntrack'");
  t.is(r.category, 'missing-xtables-extension');
  t.deepEqual(r.modules, ['xt_conntrack', 'nft_compat']);
  const chain = classifyLog("iptables v1.8.7 (nf_tables): Couldn't find target `KUBE-MARK-DROP'");
  t.is(chain.category, 'config-error');
  t.false(chain.nodeProblem);
});

// Two of three independent blind labellers (blind/rk3568-2, blind5/istio-44274; blind2/rockchip-8 said
// missing-kernel-module) read iptables-nft on a kernel without nf_tables as the wrong backend for the node.
test('nft: iptables-nft "Failed to initialize nft: Protocol not supported" is the wrong backend; the nft CLI saying it is a missing nf_tables', (t) => {
  expectEach(t, [
    'iptables/1.8.7 Failed to initialize nft: Protocol not supported', // qxhome/rk3568-kernel5.10-alldrivers#2
    'ip6tables-save/1.8.2 Failed to initialize nft: Protocol not supported', // mattymcfatty/HoneyPi#19
    'iptables: Failed to initialize nft: Protocol not supported', // k3s-io/klipper-lb#83
    'Error running command iptables-nft: iptables/1.8.7 Failed to initialize nft: Protocol', // istio/istio#44274, quoted cut short
  ], 'iptables-backend-mismatch', { nodeProblem: true, modules: ['nf_tables'] });
  const cli = classifyLog('netlink.c:62: Unable to initialize Netlink socket: Protocol not supported'); // intelligent-agent/Refactor#169 (nft)
  t.is(cli.category, 'missing-kernel-module');
  t.deepEqual(cli.modules, ['nf_tables']);
});

test('nft: generation id EINVAL is a backend mismatch with or without the version tag', (t) => {
  expectEach(t, [
    'iptables v1.8.7 (nf_tables): Could not fetch rule set generation id: Invalid argument', // linkerd/linkerd2#9053
    'iptables-nft-restore: Could not fetch rule set generation id: Invalid argument',
  ], 'iptables-backend-mismatch', { modules: ['nf_tables'] });
});

test('nft: RULE_APPEND / RULE_INSERT ENOENT take modules from the command before them', (t) => {
  // openwrt/openwrt#13860
  const log = ['root@OpenWrt:/# iptables -t nat -A POSTROUTING -j MASQUERADE', 'iptables v1.8.8 (nf_tables):  RULE_APPEND failed (No such file or directory): rule in chain POSTROUTING'].join('\n');
  const r = classifyLog(log);
  t.is(r.category, 'missing-xtables-extension');
  t.deepEqual(r.modules, ['xt_MASQUERADE', 'nft_compat']);
  t.regex(r.explanation, /in chain POSTROUTING/);
  // Alone (k3s-io/k3s#12712 quoted without its revision warning; mirrord#3500, never explained) it names
  // neither the rule nor an extension: not a node finding (blind25's labeller read it so).
  const insert = classifyLog('iptables v1.8.11 (nf_tables): RULE_INSERT failed (No such file or directory)');
  t.is(insert.category, 'unknown');
  t.false(insert.nodeProblem);
});

test('nft: CHAIN_ADD ENOENT means the nft path cannot work here: the wrong backend (pivpn#1135, qoomon/docker-host#62, preevy#453)', (t) => {
  const r = classifyLog('iptables v1.8.10 (nf_tables):  CHAIN_ADD failed (No such file or directory): chain PREROUTING');
  t.is(r.category, 'iptables-backend-mismatch');
  t.deepEqual(r.modules, ['nf_tables']);
  const withCommand = classifyLog(['+ iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 192.168.65.2', 'iptables v1.8.10 (nf_tables):  CHAIN_ADD failed (No such file or directory): chain PREROUTING'].join('\n'));
  t.deepEqual(withCommand.modules, ['nf_tables', 'nft_chain_nat']);
  t.is(withCommand.table, 'nat');
});

test('nft CLI: EOPNOTSUPP is the kernel; ENOENT only when the statement names an expression module', (t) => {
  const eop = classifyLog(['Error: Could not process rule: Operation not supported', 'add table inet zapret', '^^^^^^^^^^^^^^^^^^^^^^'].join('\n')); // bol-van/zapret#698
  t.is(eop.category, 'missing-kernel-module');
  t.true(eop.nodeProblem);
  const fib = readFileSync(logPath('siderolabs-pkgs-951-nft-fib'), 'utf8');
  t.deepEqual(classifyLog(fib).modules, ['nft_fib_ipv4'], 'masquerade in a comment or chain name is not nft_masq');
  // juewuy/ShellCrash#1182: the chain is missing (configuration); no expression module is named.
  const chainMissing = classifyLog(['Error: Could not process rule: No such file or directory', 'add rule inet shellcrash prerouting_dns udp dport != 53 return', '                         ^^^^^^^^^^^^^^'].join('\n'));
  t.is(chainMissing.category, 'config-error');
  t.false(chainMissing.nodeProblem);
  t.deepEqual(chainMissing.modules, []);
});

// --- 4. legacy images on nft hosts
const openshift = readFileSync(logPath('openshift-installer-1816-kube-mark-drop'), 'utf8');

test('backend: a chain-as-target error with two backends at work is a backend mismatch', (t) => {
  const r = classifyLog(openshift, { backend: 'nft' }); // the node says nft; the log's iptables is 1.4.21 (legacy only)
  t.is(r.category, 'iptables-backend-mismatch');
  t.true(r.nodeProblem);
  t.is(r.signatureId, 'chain-target-other-backend');
  // Both backends visible in the log itself (robbertkl/docker-ipv6nat#82 wording next to an nft run).
  const both = ["iptables v1.8.7 (nf_tables): Could not fetch rule set generation id: Invalid argument", "iptables v1.8.7 (legacy): Couldn't load target `DOCKER':No such file or directory"].join('\n');
  t.is(classifyLog(both).findings.find((f) => f.matchedLine.includes('DOCKER'))?.category, 'iptables-backend-mismatch');
  // P0cL4bs/wifipumpkin3#96 warning next to a missing chain.
  const warned = ['# Warning: iptables-legacy tables present, use iptables-legacy to see them', "iptables v1.8.7 (nf_tables): Couldn't load target `KUBE-MARK-DROP':No such file or directory"].join('\n');
  t.is(classifyLog(warned).category, 'iptables-backend-mismatch');
});

test('backend trap: without signs of two backends the same error stays a config error', (t) => {
  t.is(classifyLog(openshift).category, 'config-error', 'v1.4.21 alone is not proof of an nft node');
  t.is(classifyLog(openshift, { backend: 'legacy' }).category, 'config-error');
  // robbertkl/docker-ipv6nat#6: old iptables, chain really missing.
  t.is(classifyLog("2017/01/20 14:19:49 exit status 2: iptables v1.6.0: Couldn't load target `DOCKER':No such file or directory").category, 'config-error');
  t.false(classifyLog("iptables v1.8.7 (legacy): Couldn't load target `ISTIO_REDIRECT':No such file or directory", { backend: 'legacy' }).nodeProblem);
});

// --- 5. not root
test('privileges: EPERM/EACCES wordings are insufficient-privileges and beat a table/module guess', (t) => {
  expectEach(t, [
    "iptables v1.4.21: can't initialize iptables table `nat': Permission denied (you must be root)", // silarsis/personal_dev#1
    "iptables v1.6.1: can't initialize iptables table `filter': Permission denied", // AndronixApp/AndronixOrigin#103
    'iptables v1.8.10 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)', // fail2ban/fail2ban#3925
    'iptables/1.8.5 Failed to initialize nft: Permission denied', // ruped24/tor_ip_switcher#3
    'netlink: Error: cache initialization failed: Operation not permitted, nft delete table ip telemt_synlimit failed: Operation not permitted (you must be root)', // telemt/telemt#845
    'getsockopt failed strangely: Operation not permitted', // MarkusMcNugen/docker-sftp#3
  ], 'insufficient-privileges', { nodeProblem: false });
  // htrgouvea/nipe#62 shape: a table guess and an EPERM in one log — the errno wins.
  const mixed = ["iptables v1.6.1: can't initialize iptables table `nat': Table does not exist (do you need to insmod?)", 'Could not open socket to kernel: Permission denied'].join('\n');
  t.is(classifyLog(mixed).category, 'insufficient-privileges');
});

test('privileges: a tool started from a non-root prompt outranks the extension error it causes (kuma#8412)', (t) => {
  const kuma = ['kuma-dp@e6d58d8ae5a1:~$ ./kumactl install transparent-proxy --kuma-dp-user kuma-dp', "iptables-restore v1.8.7 (nf_tables): Couldn't load match 'owner': No such file or directory"].join('\n');
  const r = classifyLog(kuma);
  t.is(r.category, 'insufficient-privileges');
  t.is(r.findings[1]?.category, 'missing-xtables-extension', 'the extension line is still listed');
  const error = "iptables v1.8.7 (nf_tables): Couldn't load match `owner':No such file or directory";
  t.is(classifyLog(`dev@laptop:~$ kubectl logs web-0 -c istio-init\n${error}`).category, 'missing-xtables-extension', 'kubectl from a user prompt says nothing about the container');
  t.is(classifyLog(`dev@laptop:~$ sudo iptables -A OUTPUT -m owner --uid-owner 1337 -j RETURN\n${error}`).category, 'missing-xtables-extension', 'sudo is root');
  t.is(classifyLog(`root@node:~# iptables -A OUTPUT -m owner --uid-owner 1337 -j RETURN\n${error}`).category, 'missing-xtables-extension');
  t.is(classifyLog('dev@laptop:~$ iptables -L').category, 'unknown', 'a prompt alone is no failure');
});

// --- after blind2 (test/fixtures/logs/batches/blind2.md): general classes, each line's source cited
test('modules: userspace tool names from modprobe lines are not kernel modules (fail2ban#4182, linux-rockchip#8)', (t) => {
  t.false(isKernelModuleName('iptables'));
  t.false(isKernelModuleName('nftables'));
  t.false(isKernelModuleName('ip6tables'));
  t.true(isKernelModuleName('ip_tables'));
  t.true(isKernelModuleName('nf_tables'));
  t.true(isKernelModuleName('ebtables'), 'ebtables.ko is a real module (net/bridge/netfilter/Makefile)');
  const only = classifyLog('modprobe: FATAL: Module iptables not found in directory /lib/modules/6.18.29+rpt-rpi-v7');
  t.is(only.category, 'unknown', 'a wrong modprobe name says nothing about the kernel');
  const mixed = classifyLog([
    'iptables failed: iptables --wait -t nat -N DOCKER: iptables: Failed to initialize nft: Protocol not supported',
    'modprobe: FATAL: Module nftables not found in directory /lib/modules/6.18.1-1-arm64',
  ].join('\n'));
  t.is(mixed.category, 'iptables-backend-mismatch');
  t.deepEqual(mixed.modules, ['nf_tables']);
  // nordvpn#372: a real module name is still taken.
  const real = classifyLog('modprobe: FATAL: Module ip_tables not found in directory /lib/modules/5.4.224-1.el8.elrepo.x86_64');
  t.deepEqual(real.modules, ['ip_tables']);
});

test('backend: legacy picked by a wrapper\'s own detection, then missing legacy support, is a mismatch (klipper-lb#80)', (t) => {
  const tail = [
    '+ iptables -t filter -I FORWARD -s 0.0.0.0/0 -p TCP --dport 80 -j ACCEPT',
    'Warning: Extension tcp revision 0 not supported, missing kernel module?',
  ];
  const r = classifyLog(['+ lsmod', '+ grep -qF nf_tables', '+ mode=legacy', '[INFO]  legacy mode detected', ...tail].join('\n'));
  t.is(r.category, 'iptables-backend-mismatch');
  t.true(r.nodeProblem);
  t.deepEqual(r.modules, ['xt_tcpudp'], 'the legacy module stays named for nodes meant to run legacy');
  const viaSymlink = classifyLog(['+ ln -sf /sbin/xtables-legacy-multi /sbin/iptables', ...tail].join('\n'));
  t.is(viaSymlink.category, 'iptables-backend-mismatch');
  // Trap: the same warning without a detection step stays a missing extension (vopono#297 wording).
  t.is(classifyLog(tail.join('\n')).category, 'missing-xtables-extension');
  // Trap: a mesh configured to call iptables-legacy (linkerd proxy-init's default binary) is not a detection.
  const configured = classifyLog([
    'time="2022-06-01T10:14:41Z" level=info msg="iptables-legacy -t nat -A PROXY_INIT_OUTPUT -m owner --uid-owner 2102 -j RETURN"',
    "iptables v1.8.7 (legacy): Couldn't load match `owner':No such file or directory",
  ].join('\n'));
  t.is(configured.category, 'missing-xtables-extension');
});

test('backend: a table iptables-nft cannot read holds native nft rules; a chain-level "incompatible" does not count', (t) => {
  // containernetworking/plugins#461 (via coreos/go-iptables#73), squat/kilo#402, Calico felix's own wording.
  expectEach(t, [
    "running [/usr/sbin/iptables -t nat -S --wait]: exit status 1: iptables v1.8.2 (nf_tables): table `nat' is incompatible, use 'nft' tool.",
    "ip6tables v1.8.7 (nf_tables): table `nat' is incompatible, use 'nft' tool.",
    'felix/table.go 946: iptables-save failed because there are incompatible nft rules in the table.  Remove the nft rules to continue. ipVersion=0x4 table="nat"',
  ], 'iptables-backend-mismatch', { modules: [] });
  // iptables-nft < 1.8.11 says this for a chain that does not exist (moby integration tests): not a conflict.
  const chain = classifyLog("ip6tables v1.8.9 (nf_tables): chain `DOCKER-USER' in table `filter' is incompatible, use 'nft' tool.");
  t.not(chain.category, 'iptables-backend-mismatch');
});

test('config: the mesh init\'s usage dump with no node error is config-error; a node error in the same log wins', (t) => {
  // linkerd2#13458 (close-wait option; the error line itself is cut off in the issue).
  const usage = classifyLog([
    '      --timeout-close-wait-secs',
    '      3600',
    '      Message:   r proxy-init',
    '      --inbound-ports-to-ignore strings    Inbound ports and/or port ranges (inclusive) to ignore and not redirect to proxy. This has higher precedence than any other  parameters.',
    '  -p, --incoming-proxy-port int            Port to redirect incoming traffic (default -1)',
  ].join('\n'));
  t.is(usage.category, 'config-error');
  t.false(usage.nodeProblem);
  // linkerd2#8596: proxy-init prints its usage after a node error too; the node error is the finding.
  const node = classifyLog(readFileSync(logPath('linkerd-8596-iptables-who'), 'utf8') +
    '\n  -p, --incoming-proxy-port int            Port to redirect incoming traffic (default -1)\n');
  t.is(node.category, 'iptables-backend-mismatch');
  t.true(node.nodeProblem);
  // Without any mesh init name in the log, a Go flag listing is not taken as the mesh's.
  t.is(classifyLog('  -p, --port int            Port to listen on (default 8080)').category, 'unknown');
});

// --- 4. classes added after blind set 3 (test/fixtures/logs/batches/blind3.md)
test('nft restore: `line N:` errors blame the rule on that line of the logged input, with or without the prefix on the line', (t) => {
  const input = [
    'Running iptables-restore with the following input:',
    '* nat',
    '-N ISTIO_OUTPUT',
    '-A OUTPUT -p tcp -j ISTIO_OUTPUT',
    '-A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN',
    'COMMIT',
  ];
  // netblue30/firejail#2232 puts `iptables-restore v1.8.1 (nf_tables): ` on a line of its own; Go wrappers join with ", ".
  for (const error of [
    ['iptables-restore v1.8.7 (nf_tables): ', 'line 4: RULE_APPEND failed (No such file or directory): rule in chain ISTIO_OUTPUT'],
    ['iptables-nft-restore v1.8.7 (nf_tables): , line 4: RULE_APPEND failed (Operation not supported): rule in chain ISTIO_OUTPUT'],
  ]) {
    const r = classifyLog([...input, ...error].join('\n'));
    t.is(r.category, 'missing-xtables-extension', error.join(''));
    t.deepEqual(r.modules, ['xt_owner', 'nft_compat']);
    t.is(r.extension, 'match owner');
  }
  // The base chains failing first (CHAIN_ADD): the nft path itself is unusable, not one rule's extension.
  const firejail = classifyLog(readFileSync(logPath('firejail-2232-nft-restore-line-errors'), 'utf8'));
  t.is(firejail.category, 'iptables-backend-mismatch');
  t.deepEqual(firejail.modules, ['nf_tables']);
});

test('config: values iptables rejects in userspace are the configuration, never the node', (t) => {
  expectEach(t, [
    "iptables v1.6.0: invalid port/service `%!d(float64=50051)' specified", // mumoshu/kube-magic-ip-address#4
    "iptables v1.8.10 (legacy): host/network `' not found", // binhex/arch-sabnzbdvpn#45
    'iptables v1.6.0: Port "53" does not resolve to anything.', // dperson/openvpn-client#77
    "iptables-restore v1.4.21: invalid port/service `tcp/30033' specified", // firehol/firehol#159
  ], 'config-error', { nodeProblem: false });
  // A node error in the same log still wins.
  const both = classifyLog("iptables v1.8.7 (legacy): invalid port/service `abc' specified\niptables-restore v1.8.7 (legacy): iptables-restore: unable to initialize table 'nat'");
  t.is(both.category, 'missing-iptables-table');
});

test('privileges: admission and read-only /proc/sys stop the init container, not the kernel', (t) => {
  const scc = classifyLog(readFileSync(logPath('learn-katacoda-1015-scc-net-admin'), 'utf8'));
  t.is(scc.category, 'insufficient-privileges');
  t.false(scc.nodeProblem);
  expectEach(t, [
    // kubernetes pod-security-admission wording
    'Error creating: pods "web-1" is forbidden: violates PodSecurity "baseline:latest": non-default capabilities (container "istio-init" must not include "NET_ADMIN", "NET_RAW" in securityContext.capabilities.add)',
    // kubelet's runAsNonRoot check
    'Error: container has runAsNonRoot and image will run as root (pod: "web-1_default(1234)", container: istio-init)',
    // k3s-io/k3s#89
    'unable to create proxier: can\'t set sysctl net/ipv4/conf/all/route_localnet: open /proc/sys/net/ipv4/conf/all/route_localnet: read-only file system',
    // jordanpotter/docker-wireguard#3
    'sysctl: setting key "net.ipv4.conf.all.src_valid_mark": Read-only file system',
  ], 'insufficient-privileges', { nodeProblem: false });
});

test('config: any refused or unresolvable control-plane address is not the node (consul#11792, consul-k8s#27)', (t) => {
  expectEach(t, [
    'Error registering service "static-server-proxy": Put http://10.0.0.7:8500/v1/agent/service/register: dial tcp 10.0.0.7:8500: connect: connection refused',
    'transport: Error while dialing: dial tcp: lookup istiod.istio-system.svc on 10.96.0.10:53: no such host',
    'dial tcp 10.96.0.1:443: i/o timeout',
  ], 'config-error', { nodeProblem: false });
  // A kernel error in the same log is the finding.
  const node = classifyLog("dial tcp 10.0.0.7:8500: connect: connection refused\niptables v1.8.7 (legacy): Couldn't load match `owner':No such file or directory");
  t.is(node.category, 'missing-xtables-extension');
});

test('backend: the legacy-tables warning counts with or without the `# ` iptables-nft-save puts before it (kubernetes#107965)', (t) => {
  for (const line of ['Warning: iptables-legacy tables present, use iptables-legacy to see them', '# Warning: ip6tables-legacy tables present, use ip6tables-legacy to see them']) {
    t.is(classifyLog(line).category, 'iptables-backend-mismatch', line);
  }
});

test("istio: the wrapper's `xtables <class> problem:` prefix reads as iptables' own (istio tools/istio-iptables dependencies)", (t) => {
  const cases: [string, string, string[]][] = [
    ["Command error: xtables version problem: can't initialize iptables table `nat': Table does not exist (do you need to insmod?)", 'missing-iptables-table', ['iptable_nat']],
    ["Command error: xtables version problem: can't initialize ip6tables table `nat': Table does not exist (do you need to insmod?)", 'missing-iptables-table', ['ip6table_nat']],
    ['Command error: xtables version problem: Cannot initialize: iptables who? (do you need to insmod?)', 'missing-kernel-module', ['ip_tables']],
    ['Command error: xtables resource problem: Could not fetch rule set generation id: Invalid argument', 'iptables-backend-mismatch', ['nf_tables']],
    ["Command error: xtables version problem: can't initialize iptables table `nat': Permission denied (you must be root)", 'insufficient-privileges', []],
  ];
  for (const [line, category, modules] of cases) {
    const r = classifyLog(line);
    t.is(r.category as string, category, line);
    for (const m of modules) t.true(r.modules.includes(m), `${line}: ${m}`);
    t.is(r.matchedLine, line, 'the line is quoted as logged');
  }
  // Restore line errors keep their own form.
  t.is(classifyLog('Command error: xtables other problem: line 3 failed').signatureId, 'restore-line-failed');
});

// Outputs below were produced with Debian's iptables 1.8.9 in a throwaway network namespace (unshare -n).
test('nft: a missing user chain is configuration; EINVAL is a misplaced rule; a built-in table nft cannot create is missing', (t) => {
  const chain = classifyLog("iptables v1.8.9 (nf_tables): Chain 'ISTIO_X' does not exist");
  t.is(chain.category, 'config-error');
  t.false(chain.nodeProblem);
  for (const line of ["iptables: Invalid argument. Run `dmesg' for more information.", 'iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain PREROUTING']) {
    const r = classifyLog(line);
    t.is(r.category, 'config-error', line);
    t.false(r.nodeProblem);
  }
  const table = classifyLog("iptables v1.8.9 (nf_tables): table 'nat' does not exist\nPerhaps iptables or your kernel needs to be upgraded.");
  t.is(table.category, 'missing-iptables-table');
  t.deepEqual(table.modules, ['nft_chain_nat', 'nf_tables']);
  // A table name that is not built in is someone's typo, not the kernel.
  t.not(classifyLog("iptables v1.8.9 (nf_tables): table 'foo' does not exist").category, 'missing-iptables-table');
  const save = classifyLog('Failed to list table names in /proc/net/ip_tables_names: Permission denied');
  t.is(save.category, 'insufficient-privileges');
});

// --- 5. classes added after blind sets 4-6 (their READMEs list the misses that prompted them)
test('lock: legacy exit status 4 logged without its message is the lock, never with nf_tables in the log', (t) => {
  const log = readFileSync(logPath('cilium-8690-exit-status-4-lock-then-chain-exists'), 'utf8');
  t.is(classifyLog(log).category, 'xtables-lock');
  // With iptables-nft every kernel error exits 4 too: the nft message is the finding.
  const nft = classifyLog([
    'level=error msg="Command execution failed" cmd="[iptables -t nat -A CILIUM_POST -j MASQUERADE]" error="exit status 4" subsys=iptables',
    'level=warning msg="iptables v1.8.4 (nf_tables):  RULE_APPEND failed (No such file or directory): rule in chain CILIUM_POST" subsys=iptables',
  ].join('\n'));
  t.is(nft.category, 'missing-xtables-extension');
});

test('wrapped: a message broken in the middle is read with its next line, never across a new record', (t) => {
  const r = classifyLog("ip6tables-restore v1.8.4 (legacy): ip6tables-restore: unable to\ninitialize table 'nat'\n\nError occurred at line: 1"); // kuma#1947
  t.is(r.category, 'missing-iptables-table');
  t.true(r.modules.includes('ip6table_nat'));
  const records = classifyLog("2024-01-01T00:00:00Z error iptables-restore: unable to\n2024-01-01T00:00:01Z info initialize table 'nat' is a phrase");
  t.is(records.category, 'unknown');
});

test('config: certificates and RBAC refusals of the mesh\'s own service accounts are the control plane\'s', (t) => {
  expectEach(t, [
    'Error logging in: Post "https://192.168.64.54:8501/v1/acl/login": x509: certificate is valid for 127.0.0.1, ::, not 192.168.64.54', // consul-k8s#302
    'failed to get pod data: pods "web-1" is forbidden: User "system:serviceaccount:openshift-sdn:kuma-cni" cannot get resource "pods" in API group "" in the namespace "demo"', // kuma#9655
  ], 'config-error', { nodeProblem: false });
});

// --- 6. wordings read from the mesh components' own source (helper research; each line cites its file)
test('source wordings: flag and annotation checks of linkerd proxy-init, istio-cni and kuma are configuration', (t) => {
  expectEach(t, [
    'Error: --firewal-bin-path and firewall-save-bin-path are no longer supported; please use --iptables-mode instead', // linkerd2-proxy-init proxy-init/cmd/root.go (sic)
    'Error: --iptables-mode valid values are only "legacy" and "nft"', // same file
    'Error: 10.0.0.0/33 is not a valid CIDR address', // same file
    'istio-cni cmdAdd error: redirect failed due to bad params: annotation value error for value 15001-; annotationFound = true: invalid port', // istio cni/pkg/plugin/sidecar_redirect.go
    "Error: failed to setup transparent proxy: parsing excluded outbound ports for uids failed: values or range 'a3000-5000' failed validation: value 'a3000', is not valid uint16", // kuma pkg/transparentproxy/config
  ], 'config-error', { nodeProblem: false });
});

test('source wordings: CNI directories, the CNI agent and istiod are configuration; kuma\'s probe names tables and extensions', (t) => {
  expectEach(t, [
    'No active CNI configuration files found', // linkerd-cni install-cni.sh
    '2024-05-02T10:00:00Z warn install hint: some Kubernetes environments require customization of the CNI directory. Ensure you properly set global.platform=<name> during installation', // istio cni/pkg/install/binaries.go
    'istio-cni cmdAdd failed to contact node Istio CNI agent: dial unix /var/run/istio-cni/pluginevent.sock: connect: no such file or directory', // istio cni/pkg/plugin/plugin.go
    'Envoy proxy is NOT ready: config not received from XDS server (is Istiod running?): cds updates: 0 successful, 0 rejected; lds updates: 0 successful, 0 rejected', // istio pilot/cmd/pilot-agent/status/server.go
  ], 'config-error');
  const table = classifyLog('Error: failed to setup transparent proxy: failed to find valid nft or legacy executables: functionality verification failed: unmet minimal requirements: missing table: "nat"');
  t.is(table.category, 'missing-iptables-table');
  t.true(table.modules.includes('iptable_nat'));
  const ext = classifyLog('Error: failed to setup transparent proxy: functionality verification failed: unmet minimal requirements: missing module: "owner"');
  t.is(ext.category, 'missing-xtables-extension');
  t.true(ext.modules.includes('xt_owner'));
});

test('privileges fallback: any netfilter or routing tool refused with EPERM, when nothing more specific explains it', (t) => {
  expectEach(t, [
    "can't initialize iptables table 'nat': Permission denied", // istio/old_issues_repo#316 (quoted without prefix)
    'ipset v7.1: Kernel error received: Operation not permitted', // ipset lib/session.c wording
    'RTNETLINK answers: Operation not permitted', // iproute2 lib/libnetlink.c
  ], 'insufficient-privileges', { nodeProblem: false });
  // A specific reading wins: SELinux in the same log.
  const selinux = classifyLog('iptables-restore: Permission denied\ntype=AVC msg=audit(1.2:3): avc:  denied  { module_request } for  pid=1 comm="iptables" kmod="iptable_nat" scontext=x');
  t.is(selinux.category, 'selinux');
});

test('nft: RULE_APPEND ENOENT for a rule with no extension is the nft path, not a module; the rule may be quoted on the line itself', (t) => {
  const bare = classifyLog(readFileSync(logPath('podman-25952-wsl-machine-iptables-nft'), 'utf8')); // podman#25952
  t.is(bare.category, 'iptables-backend-mismatch');
  const withExt = classifyLog("netavark (exit code 1): unable to append rule '-p tcp -m owner --uid-owner 1337 -j RETURN' to table 'nat': code: 4, msg: iptables v1.8.10 (nf_tables):  RULE_APPEND failed (No such file or directory): rule in chain OUT");
  t.is(withExt.category, 'missing-xtables-extension');
  t.true(withExt.modules.includes('xt_owner'));
});

test('config: a daemon told a flag it does not know (kube-ovn#3331), a CNI plugin binary not where the runtime looks (podman#19463)', (t) => {
  t.is(classifyLog(readFileSync(logPath('kube-ovn-3331-unknown-flag-install-mismatch'), 'utf8')).category, 'config-error');
  expectEach(t, [
    'flag provided but not defined: -cni-bin-dir', // Go flag package
    'WARN[0000] Error validating CNI config file /etc/cni/net.d/87-podman.conflist: [failed to find plugin "bridge" in path [/usr/local/libexec/cni /usr/libexec/cni]]', // containernetworking/cni libcni
  ], 'config-error', { nodeProblem: false });
});

// --- blind14 (transparent proxies, VPNs, firewalls): general classes its misses showed
test('modules: a link type the kernel cannot create names its module (wireguard-docker#3)', (t) => {
  const r = classifyLog(readFileSync(logPath('wireguard-docker-3-ubuntu-host-no-wireguard-module'), 'utf8'));
  t.is(r.category, 'missing-kernel-module');
  t.deepEqual(r.modules, ['wireguard']);
  // The same iproute2 answer for other link kinds; the kind comes from the command before it.
  const vxlan = classifyLog('+ ip link add flannel.1 type vxlan id 1 dev eth0\nRTNETLINK answers: Operation not supported');
  t.is(vxlan.category, 'missing-kernel-module');
  t.deepEqual(vxlan.modules, ['vxlan']);
  t.deepEqual(classifyLog('[#] ip -4 link add wg0 type wireguard\nError: Unknown device type.').modules, ['wireguard']);
  // Without an `ip link add` it says nothing about the kernel.
  t.is(classifyLog('Error: Unknown device type.').category, 'unknown');
  t.not(classifyLog('ip link add foo type mything\nError: Unknown device type.').category, 'missing-kernel-module');
});

test('modules: the conntrack and bridge sysctls read by a Python tool (firewalld#353)', (t) => {
  const r = classifyLog(readFileSync(logPath('firewalld-353-nf-conntrack-helper-proc'), 'utf8'));
  t.is(r.category, 'missing-kernel-module');
  t.deepEqual(r.modules, ['nf_conntrack']);
  const bridge = classifyLog('ERROR: Failed to read file "/proc/sys/net/bridge/bridge-nf-call-iptables": [Errno 2] No such file or directory');
  t.deepEqual(bridge.modules, ['br_netfilter']);
});

test('backend: iptables-nft cannot set a built-in chain\'s policy (CHAIN_UPDATE ENOENT, gluetun#896)', (t) => {
  const r = classifyLog(readFileSync(logPath('gluetun-896-ubuntu1604-ip6tables-nft-chain-update'), 'utf8'));
  t.is(r.category, 'iptables-backend-mismatch');
  t.is(r.nodeProblem, true);
});

// --- blind15 (Kubernetes distributions and tooling): general classes its misses showed
test('modules: REJECT (and the other per-family targets) live in ipt_/ip6t_ modules, not xt_ (k3s#10099)', (t) => {
  const r = classifyLog(readFileSync(logPath('k3s-10099-reject-target-missing'), 'utf8'));
  t.is(r.category, 'missing-xtables-extension');
  t.deepEqual(r.modules, ['ipt_REJECT']);
  t.deepEqual(classifyLog("ip6tables v1.8.7 (legacy): Couldn't load target `REJECT':No such file or directory").modules, ['ip6t_REJECT']);
  t.deepEqual(classifyLog('type=AVC msg=audit(1.2:3): avc:  denied  { module_request } for  pid=1 comm="iptables" kmod="ipt_REJECT" scontext=x').modules, ['ipt_REJECT']);
  t.deepEqual(classifyLog("iptables v1.8.7 (legacy): Couldn't load target `MASQUERADE':No such file or directory").modules, ['xt_MASQUERADE']);
});

test('modules: a tunnel device the kernel cannot create (k3s#11166), IPVS refusing services without its scheduler (kubernetes#92033)', (t) => {
  const wg = classifyLog(readFileSync(logPath('k3s-11166-wireguard-el7-kernel'), 'utf8'));
  t.is(wg.category, 'missing-kernel-module');
  t.deepEqual(wg.modules, ['wireguard']);
  t.deepEqual(classifyLog('E1101 flannel: failed to create vxlan device flannel.1: operation not supported').modules, ['vxlan']);
  const ipvs = classifyLog(readFileSync(logPath('kubernetes-92033-ipvs-scheduler-module'), 'utf8'));
  t.is(ipvs.category, 'missing-kernel-module');
  t.deepEqual(ipvs.modules, ['ip_vs_rr']);
});

test('lock: a bare "exit status 4" from iptables is the lock; one followed by an nft message is not (kubernetes#107482)', (t) => {
  t.is(classifyLog(readFileSync(logPath('kubernetes-107482-canary-exit-status-4'), 'utf8')).category, 'xtables-lock');
  const nft = classifyLog('running [/usr/sbin/iptables -t nat -A X -j RETURN --wait]: exit status 4: iptables v1.8.7 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain X');
  t.not(nft.category, 'xtables-lock');
});

test('ipv6: no ::1 to bind to is IPv6 disabled by sysctl (kube-router#566)', (t) => {
  const r = classifyLog(readFileSync(logPath('kube-router-566-bgp-disable-ipv6-sysctl'), 'utf8'));
  t.is(r.category, 'ipv6-unsupported');
  t.is(classifyLog('listen tcp 10.0.0.5:179: bind: cannot assign requested address').category, 'unknown', 'an IPv4 address is not about IPv6');
});

test('config: kube-proxy in a nested node cannot raise nf_conntrack_max (minikube#11418); other read-only sysctls stay privileges', (t) => {
  const r = classifyLog(readFileSync(logPath('minikube-11418-conntrack-max-permission-denied'), 'utf8'));
  t.is(r.category, 'config-error');
  t.false(r.nodeProblem);
  t.regex(r.remediation[0] ?? '', /maxPerCore: 0/);
  t.is(classifyLog('open /proc/sys/net/ipv4/conf/all/route_localnet: read-only file system').category, 'insufficient-privileges');
});

// --- blind16 (Q&A pages, blogs, vendor pages): general classes its misses showed
test('rules: an iptables command whose first argument is -A is still the failing rule (pastebin ZiSSt7BX)', (t) => {
  const r = classifyLog(readFileSync(logPath('pastebin-ZiSSt7BX-state-match-missing'), 'utf8'));
  t.is(r.category, 'missing-xtables-extension');
  t.deepEqual(r.modules, ['xt_state']);
  // A cleanup command first-argument -F stays a cleanup.
  t.is(classifyLog('iptables -F ISTIO_OUTPUT\niptables: No chain/target/match by that name.').category, 'config-error');
});

test('privileges: docker:dind not run as root falls back to rootless; its module probes are noise (Hugging Face Space)', (t) => {
  const r = classifyLog(readFileSync(logPath('huggingface-space-dind-rootless-nonroot'), 'utf8'));
  t.is(r.category, 'insufficient-privileges');
  t.false(r.nodeProblem);
});

test('a kubelet chain missing for kube-proxy stays "a chain, not a target" (config), never blamed on the node by name alone', (t) => {
  // blind16's Tencent page and blind/openshift-installer-1816 read it as the other backend; blind8's
  // kubernetes-80462 (IPVS kube-proxy that never created it) as configuration. The log alone cannot tell.
  const r = classifyLog(readFileSync(logPath('kubernetes-80462-ipvs-kube-mark-drop-missing'), 'utf8'));
  t.is(r.category, 'config-error');
  t.false(r.nodeProblem);
});

// --- blind17 (orchestrators, libvirt, build tools, Ansible roles): general classes its misses showed
test('config: an unknown option no extension owns is the rule\'s fault; a tcp option is tcp\'s only when the rule loads tcp (ansible-role-firewall#5)', (t) => {
  const r = classifyLog(readFileSync(logPath('ansible-role-firewall-5-dstport-typo'), 'utf8'));
  t.is(r.category, 'config-error');
  t.false(r.nodeProblem);
  t.is(classifyLog('iptables v1.8.7 (legacy): unknown option "--dport"').category, 'config-error', 'no -p tcp: the classic rule mistake');
  const tcp = classifyLog('iptables -t nat -A X -p tcp --dport 80 -j RETURN\niptables v1.8.7 (legacy): unknown option "--dport"');
  t.is(tcp.category, 'missing-xtables-extension');
  t.deepEqual(tcp.modules, ['xt_tcpudp']);
  t.deepEqual(classifyLog('iptables v1.8.7 (legacy): unknown option "--hashlimit-above"').modules, ['xt_hashlimit']);
  t.deepEqual(classifyLog('iptables v1.8.7 (legacy): unknown option "--xor-mark"').modules, ['xt_mark'], 'owned options keep their extension');
});

test('backend: iptable_nat busy because nf_tables NAT owns the hook (create_ap#349)', (t) => {
  const r = classifyLog(readFileSync(logPath('create_ap-349-nft-nat-busy'), 'utf8'));
  t.is(r.category, 'iptables-backend-mismatch');
});

test('privileges: firewalld refusing a rootless caller over D-Bus (nerdctl#2818)', (t) => {
  const r = classifyLog(readFileSync(logPath('nerdctl-2818-rootless-firewalld-not-authorized'), 'utf8'));
  t.is(r.category, 'insufficient-privileges');
  t.false(r.nodeProblem);
});

test('config: iptables-nft\'s CHAIN_USER_ADD EEXIST is "chain already exists" (nomad#8838)', (t) => {
  const r = classifyLog(readFileSync(logPath('nomad-8838-cni-dnat-chain-exists'), 'utf8'));
  t.is(r.category, 'config-error');
  t.false(r.nodeProblem);
});

test('selinux: every nfnetlink subsystem alias names its module (selinux-policy-contrib#66)', (t) => {
  const r = classifyLog(readFileSync(logPath('selinux-policy-contrib-66-conntrackd-module-request'), 'utf8'));
  t.is(r.category, 'selinux');
  t.deepEqual(r.modules, ['nf_conntrack_netlink']);
  t.deepEqual(classifyLog('type=AVC msg=audit(1.2:3): avc:  denied  { module_request } for  pid=1 comm="ipset" kmod="nfnetlink-subsys-6" scontext=x').modules, ['ip_set']);
});

test('modules: a queueing discipline the kernel does not have names its sch_ module (fault injectors, bandwidth plugins)', (t) => {
  // kernel net/sched/sch_api.c wording; the kind comes from the tc command before it.
  const netem = classifyLog('+ tc qdisc add dev eth0 root netem delay 100ms\nError: Specified qdisc kind is unknown.');
  t.is(netem.category, 'missing-kernel-module');
  t.deepEqual(netem.modules, ['sch_netem']);
  t.deepEqual(classifyLog('tc qdisc replace dev eth0 root handle 1: tbf rate 1mbit burst 32kbit latency 400ms\nError: Specified qdisc not found.').modules, ['sch_tbf']);
  t.deepEqual(classifyLog('tc qdisc add dev eth0 clsact\nError: Specified qdisc kind is unknown.').modules, ['sch_ingress']);
  // The older wording alone is also what a missing handle gets: not a node finding.
  t.is(classifyLog('Error: Specified qdisc not found.').category, 'unknown');
});

test('fallbacks: EPERM on network set-up is a capability; a named netfilter module "not loaded" is that module', (t) => {
  expectEach(t, [
    'plugin type="bridge" failed (add): failed to create bridge "cni0": operation not permitted', // containernetworking/plugins bridge.go
    'Error: failed to setup network: failed to enter netns: operation not permitted',
    'mount: permission denied (are you root?)', // busybox libbb/messages.c
  ], 'insufficient-privileges', { nodeProblem: false });
  expectEach(t, ['br_netfilter module is not loaded', 'ERROR: Kernel module br_netfilter not found'], 'missing-kernel-module', { modules: ['br_netfilter'] });
  t.deepEqual(classifyLog('modprobe: module xt_owner not found in modules.dep').modules, ['xt_owner'], 'busybox modprobe');
  // Not kernel modules, not network plumbing:
  for (const line of ['Python module requests not found', 'module github.com/foo/bar not found', 'failed to open file /data/x: operation not permitted']) {
    t.is(classifyLog(line).category, 'unknown', line);
  }
});

// --- blind18 (sandboxes, VMs, CI, small boards): general classes its misses showed
test('rules: Docker quotes the failing command on the error line; a plain rule means a missing chain (docker-library#467, setup-lxd#19, travis-ci#4778)', (t) => {
  const nft = classifyLog(readFileSync(logPath('docker-library-docker-467-cos-legacy-host-nft-picked'), 'utf8'));
  t.is(nft.category, 'iptables-backend-mismatch', 'RULE_APPEND ENOENT of `-j RETURN` on nft');
  for (const name of ['setup-lxd-19-docker-user-chain-missing', 'travis-ci-4778-docker-chain-missing']) {
    const r = classifyLog(readFileSync(logPath(name), 'utf8'));
    t.is(r.category, 'config-error', name);
    t.false(r.nodeProblem, name);
  }
  // With a module-backed extension in the quoted rule, it is still that extension.
  const owner = classifyLog('iptables failed: iptables --wait -t nat -A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN: iptables: No chain/target/match by that name.');
  t.is(owner.category, 'missing-xtables-extension');
  t.deepEqual(owner.modules, ['xt_owner']);
});

test('backend: legacy iptables 1.8+ on a 6.17+ kernel without the legacy core (antrea#7755, DietPi#8163); older kernels stay a missing table', (t) => {
  for (const name of ['dietpi-8163-rpi-kernel-618-nft-only', 'antrea-7755-talos-legacy-raw-table']) {
    t.is(classifyLog(readFileSync(logPath(name), 'utf8')).category, 'iptables-backend-mismatch', name);
  }
  t.is(classifyLog(readFileSync(logPath('nordvpn-372-modprobe-fatal'), 'utf8')).category, 'missing-iptables-table', 'kernel 5.4, iptables 1.6');
});

test('tables: a legacy table failure after iptables-nft found no nf_tables is the kernel lacking the table (opensandbox#934); a lost opening quote (synology-docker#63)', (t) => {
  const r = classifyLog(readFileSync(logPath('opensandbox-934-gvisor-no-nat-table'), 'utf8'));
  t.is(r.category, 'missing-iptables-table');
  t.true(r.modules.includes('iptable_nat'));
  const syno = classifyLog(readFileSync(logPath('synology-docker-63-ds1815-raw-table'), 'utf8'));
  t.is(syno.category, 'missing-iptables-table');
  t.true(syno.modules.includes('iptable_raw'));
});

test('modprobe naming a match/target or table module reports that extension or table (WSL#9946)', (t) => {
  const r = classifyLog(readFileSync(logPath('wsl-9946-xt-u32-not-found'), 'utf8'));
  t.is(r.category, 'missing-xtables-extension');
  t.deepEqual(r.modules, ['xt_u32']);
  const table = classifyLog('modprobe: FATAL: Module iptable_nat not found in directory /lib/modules/5.15.0-1019-aws');
  t.is(table.category, 'missing-iptables-table');
  t.true(table.modules.includes('iptable_nat'));
});

// --- blind19–blind21 (the held-back measurement): general classes their misses showed, added after scoring
test('options: every extension\'s own options are known, read from the installed iptables (chaos-mesh#1885)', (t) => {
  const r = classifyLog(readFileSync(logPath('chaos-mesh-1885-set-class-unknown-option'), 'utf8'));
  t.is(r.category, 'missing-xtables-extension');
  t.deepEqual(r.modules, ['xt_CLASSIFY']);
  t.is(classifyLog('iptables v1.8.7 (legacy): unknown option "--dstport"').category, 'config-error');
});

test('modules: CNI bridge creation unsupported, ebtables tables, IPVS sysctls, ipset set types, tc inside zap records', (t) => {
  expectFile(t, 'podman-4114-cni-bridge-operation-not-supported', 'missing-kernel-module', ['bridge']);
  expectFile(t, 'chaos-mesh-4313-ebtables-nat-table', 'missing-iptables-table', ['ebtable_nat']);
  expectFile(t, 'kube-vip-812-ipvs-conntrack-sysctl', 'missing-kernel-module', ['ip_vs']);
  expectFile(t, 'chaos-mesh-2300-ipset-list-set-unsupported', 'missing-kernel-module', ['ip_set_list_set']);
  expectFile(t, 'chaos-mesh-1389-netem-qdisc-not-found', 'missing-kernel-module', ['sch_netem']);
  t.deepEqual(classifyLog('ipset create -exist s hash:ip,port\nipset v7.1: Kernel error received: set type not supported').modules, ['ip_set', 'ip_set_hash_ipport']);
});

test('config and privileges: binaries missing without their name, no API config, ports below 1024, lower-case user chains', (t) => {
  for (const name of ['kubeasz-1251-ipset-binary-missing', 'kubeedge-3128-cloudcore-no-iptables-binary', 'kubeedge-4623-iptables-manager-edge-no-incluster', 'fabedge-15-missing-user-chain']) {
    const r = classifyLog(readFileSync(logPath(name), 'utf8'));
    t.is(r.category, 'config-error', name);
    t.false(r.nodeProblem, name);
  }
  const bind = classifyLog(readFileSync(logPath('higress-1614-gateway-bind-80-denied'), 'utf8'));
  t.is(bind.category, 'insufficient-privileges');
  t.is(classifyLog('listen tcp 0.0.0.0:8080: bind: permission denied').category, 'unknown', 'not a privileged port');
});

// --- blind23 (kernel modules and permissions across small distros): general classes its misses showed
test('selinux: Android logcat denials of iptables (orWall#69); privileges: IP_TRANSPARENT refused (shadowsocks-libev#2783)', (t) => {
  t.is(classifyLog(readFileSync(logPath('orWall-69-android-sysinit-rawip-socket'), 'utf8')).category, 'selinux');
  const tproxy = classifyLog(readFileSync(logPath('shadowsocks-libev-2783-snap-ip-transparent'), 'utf8'));
  t.is(tproxy.category, 'insufficient-privileges');
  t.false(tproxy.nodeProblem);
});

// --- blind24 (nft, ipset, tc, ip and sysctl around the netfilter tools): general classes its misses showed
test('blind24 classes: EEXIST/in-use objects are configuration; IPv6 disabled on a device; nft cache init without nf_tables; nft families; xt_ modules named as not loaded; ipset 4 type names', (t) => {
  t.false(expectFile(t, 'DietPi-3624-wg-allowedips-lan-route-exists', 'config-error').nodeProblem);
  t.false(expectFile(t, 'nftables-blacklist-50-set-in-use', 'config-error').nodeProblem);
  expectFile(t, 'VPN-Confinement-19-bridge-ipv6-disabled', 'ipv6-unsupported');
  expectFile(t, 'docker-wireguard-191-synology-nft-cache-init', 'iptables-backend-mismatch');
  expectFile(t, 'firewalld-411-security-table-inet-family', 'missing-iptables-table', ['iptable_security', 'ip6table_security']);
  expectFile(t, 'tproxy-gateway-2-unraid-xt-set', 'missing-xtables-extension', ['xt_set']);
  expectFile(t, 'cs-firewall-bouncer-211-synology-nethash', 'missing-kernel-module', ['ip_set_hash_net']);
  // nft's EAFNOSUPPORT is its own family, not IPv6
  t.is(classifyLog('Error: Could not process rule: Address family not supported by protocol\nadd table inet firewalld').category, 'missing-kernel-module');
});

// --- blind25 (traffic-interception agents and sidecar set-up): general classes its misses showed
test('blind25 classes: table modules that fail to load, weak EAFNOSUPPORT, enforcing AVC lines, sysctl unknown keys, Autopilot, nft assertions, empty targets, bare RULE_INSERT', (t) => {
  expectFile(t, 'cilium-8860-gke-cos-ip6table-mangle', 'missing-iptables-table', ['ip6table_mangle']);
  expectFile(t, 'elemental-529-cilium-cni-bin-usr_t-avc', 'selinux');
  expectFile(t, 'gardener-1067-kube-proxy-init-ipv6-sysctl', 'ipv6-unsupported');
  t.false(expectFile(t, 'istio.io-16266-gke-autopilot-cni-warden', 'insufficient-privileges').nodeProblem);
  t.false(expectFile(t, 'kubernetes-140951-nft-ipv6-dnat-assertion', 'config-error').nodeProblem);
  t.false(expectFile(t, 'submariner-3023-empty-jump-target', 'config-error').nodeProblem);
  // RULE_INSERT ENOENT with neither the rule nor an extension named says nothing about the node
  t.false(expectFile(t, 'mirrord-3500-rule-insert-enoent-unresolved', 'unknown').nodeProblem);
  t.deepEqual(classifyLog("sysctl: error: 'net.bridge.bridge-nf-call-iptables' is an unknown key").modules, ['br_netfilter']);
  // A permissive-mode AVC line is not what stopped anything.
  t.is(classifyLog('type=AVC msg=audit(1.2:3): avc:  denied  { write } for  pid=1 comm="cp" scontext=a tcontext=b tclass=dir permissive=1').category, 'unknown');
});

// --- blind26 (Kubernetes add-ons and node agents): general classes its misses showed
test('blind26 classes: modprobe EPERM is the container, SELinux module_load names the file, `could not get iptables version`', (t) => {
  const rook = classifyLog(readFileSync(logPath('rook-1312-openshift-modprobe-rbd-eperm'), 'utf8'));
  t.is(rook.category, 'insufficient-privileges');
  t.false(rook.nodeProblem);
  // A table that also fails is still the finding (blind15's kind-3234).
  t.is(classifyLog(readFileSync(logPath('kind-3234-rootless-podman-ip-tables-not-loaded'), 'utf8')).category, 'missing-iptables-table');
  const gpu = classifyLog(readFileSync(logPath('gpu-operator-553-selinux-module-load-nvidia'), 'utf8'));
  t.is(gpu.category, 'selinux');
  t.deepEqual(gpu.modules, ['nvidia']);
  t.is(classifyLog(readFileSync(logPath('kube-vip-1065-masquerade-no-iptables-binary'), 'utf8')).category, 'config-error');
});

// --- blind27 (non-English threads: routers, proxies): general classes its misses showed
test('blind27 classes: multiport limits and empty hosts are the rule; "iptables who?" explains the table failures after it; nft statements on the error line', (t) => {
  for (const name of ['ShellCrash-1293-too-many-ports', 'Xray4Magisk-70-empty-host-network']) {
    const r = classifyLog(readFileSync(logPath(name), 'utf8'));
    t.is(r.category, 'config-error', name);
  }
  t.is(classifyLog(readFileSync(logPath('lede-9025-n1-flippy-iptables-who'), 'utf8')).category, 'iptables-backend-mismatch');
  const tproxy = classifyLog(readFileSync(logPath('v2rayA-911-nft-tproxy-enoent'), 'utf8'));
  t.is(tproxy.category, 'missing-kernel-module');
  t.true(tproxy.modules.includes('nft_tproxy'));
});

// --- blind28 (2014–2019 threads on old kernels and firmwares): general classes its misses showed
test('blind28 classes: Python exit status 4, quoted CIDRs, ipset name clashes, err= wordings, a bare nft table refused', (t) => {
  expectFile(t, 'felix-368-ip6tables-list-exit-status-4', 'xtables-lock');
  expectFile(t, 'kube-router-25-kops-cidr-double-quote-mask', 'config-error');
  expectFile(t, 'openvpn-client-198-quoted-cidr-invalid-mask', 'config-error');
  expectFile(t, 'weave-2934-leftover-weave-kube-test-ipset', 'config-error');
  expectFile(t, 'rancher-9677-rhel73-vxlan-not-supported', 'missing-kernel-module', ['vxlan']);
  expectFile(t, 'linux-2177-raspbian-419-no-nf-tables', 'missing-kernel-module', ['nf_tables']);
});

// --- blind29 (the nftables-native generation): general classes its misses showed
test('blind29 classes: nft syntax errors are the generator; nft commands echoed before their error; CHAIN_ADD without a chain name; flush ruleset refused', (t) => {
  expectFile(t, 'openwrt-9927-fw4-typo-syntax-error', 'config-error');
  expectFile(t, 'https-dns-proxy-7-notrack-chain-outside-table', 'config-error');
  expectFile(t, 'WSL-9772-nft-nat-chain-missing', 'missing-kernel-module', ['nft_chain_nat']);
  expectFile(t, 'kamal-1762-dind-chain-add-nftables-host', 'iptables-backend-mismatch');
  expectFile(t, 'raspberrypi-linux-3615-nf-tables-modules-missing', 'missing-kernel-module', ['nf_tables']);
});

// --- blind30 (security agents and one Q&A page; the last batch the search budget allowed)
test('blind30 classes: NFQUEUE without kernel support or privileges, a build without iptables, a built-in verdict read as a chain', (t) => {
  expectFile(t, 'opensnitch-412-nfqueue-protocol-not-supported', 'missing-kernel-module', ['nfnetlink']);
  expectFile(t, 'opensnitch-323-non-root-unbind-eperm', 'insufficient-privileges');
  expectFile(t, 'tailscale-13440-iptables-disabled-in-build', 'config-error');
  t.false(expectFile(t, 'tailscale-initramfs-3-return-chain-missing-libxt', 'config-error').nodeProblem);
});
