import test from 'ava';
import { classifyLog, CLASSIFY_LIMITS } from '../../src/diagnose/classify.ts';
import { DiagnosisResultSchema } from '../../src/diagnose/types.ts';

test('empty input is unknown, not the node, and says so', (t) => {
  for (const text of ['', '\n\n', '   ']) {
    const r = classifyLog(text);
    t.is(r.category, 'unknown');
    t.false(r.nodeProblem);
    t.deepEqual(r.findings, []);
    t.regex(r.explanation, /empty/);
  }
});

test('unrecognised input is unknown and says no signature matched', (t) => {
  const r = classifyLog('hello\nworld: all good\n');
  t.is(r.category, 'unknown');
  t.false(r.nodeProblem);
  t.regex(r.explanation, /No known failure signature/);
  t.is(r.matchedLine, 'world: all good');
});

test('result validates against the zod schema', (t) => {
  const r = classifyLog("iptables-restore v1.8.7 (legacy): iptables-restore: unable to initialize table 'raw'");
  t.notThrows(() => DiagnosisResultSchema.parse(r));
  t.deepEqual(r.modules, ['iptable_raw', 'ip_tables']);
  t.is(r.table, 'raw');
  t.is(r.backend, 'legacy');
});

test('table modules follow the backend: the log wins, then the context', (t) => {
  const line = "iptables-restore: unable to initialize table 'nat'";
  t.deepEqual(classifyLog(line).modules, ['iptable_nat', 'ip_tables']);
  t.deepEqual(classifyLog(line, { backend: 'nft' }).modules, ['nft_chain_nat', 'nf_tables']);
  const logSaysLegacy = "iptables-restore v1.8.9 (legacy): iptables-restore: unable to initialize table 'nat'";
  t.deepEqual(classifyLog(logSaysLegacy, { backend: 'legacy' }).modules, ['iptable_nat', 'ip_tables']);
  // A legacy binary failing on a node known to run nf_tables (diagnose --on-node, the agent) is the wrong backend.
  const onNftNode = classifyLog(logSaysLegacy, { backend: 'nft' });
  t.is(onNftNode.category, 'iptables-backend-mismatch');
  t.regex(onNftNode.remediation[0] ?? '', /nft mode/);
  t.regex(classifyLog(logSaysLegacy).remediation.join(' '), /nftables backend/, 'without the node, the table reading names the alternative');
  t.deepEqual(classifyLog("ip6tables-restore: unable to initialize table 'raw'").modules, ['ip6table_raw', 'ip6_tables']);
});

test('extension modules: match/target names map to xt_ modules, merged ones included', (t) => {
  t.deepEqual(classifyLog("iptables v1.8.4 (legacy): Couldn't load target `REDIRECT':No such file or directory").modules, ['xt_REDIRECT']);
  t.deepEqual(classifyLog("iptables v1.8.4 (legacy): Couldn't load match `tcp':No such file or directory").modules, ['xt_tcpudp']);
  const nft = classifyLog("iptables v1.8.7 (nf_tables): Couldn't load match `owner':No such file or directory");
  t.deepEqual(nft.modules, ['xt_owner', 'nft_compat']);
  t.is(nft.extension, 'match owner');
});

test('trap: a mesh chain named as a target is a config error, not a missing extension', (t) => {
  for (const chain of ['ISTIO_REDIRECT', 'ISTIO_INBOUND', 'PROXY_INIT_REDIRECT', 'KUBE-MARK-DROP', 'DOCKER']) {
    const r = classifyLog(`iptables v1.8.7 (legacy): Couldn't load target \`${chain}':No such file or directory`);
    t.is(r.category, 'config-error', chain);
    t.false(r.nodeProblem);
    t.deepEqual(r.modules, []);
  }
});

test('trap: a re-run in a configured pod is not a node problem', (t) => {
  const rerun = ['Writing following contents to rules file: /tmp/x', '* nat', '-N ISTIO_INBOUND', '-A ISTIO_INBOUND -p tcp -j RETURN', 'COMMIT', 'iptables-restore: line 2 failed'].join('\n');
  const r = classifyLog(rerun);
  t.is(r.category, 'config-error');
  t.regex(r.explanation, /-N ISTIO_INBOUND/);
  const generic = ['Writing following contents to rules file: /tmp/x', '* nat', '-N ISTIO_INBOUND', '-A OUTPUT -p tcp -m owner --uid-owner 1337 -j RETURN', 'COMMIT', 'iptables-restore: line 3 failed'].join('\n');
  const g = classifyLog(generic);
  t.is(g.category, 'unknown');
  t.deepEqual(g.modules, ['xt_owner']);
  t.is(g.signatureId, 'restore-line-failed');
});

test('trap: an SELinux denial that names a module is SELinux first', (t) => {
  const log = [
    'iptables v1.8.4 (legacy): can\'t initialize iptables table `raw\': Table does not exist (do you need to insmod?)',
    'audit: type=1400 audit(1.2:3): avc:  denied  { module_request } for  pid=1 comm="iptables" kmod="iptable_raw" scontext=system_u:system_r:container_t:s0 tcontext=system_u:system_r:kernel_t:s0 tclass=system permissive=0',
  ].join('\n');
  const r = classifyLog(log);
  t.is(r.category, 'selinux');
  t.deepEqual(r.modules, ['iptable_raw']);
  t.is(r.findings.length, 2);
  t.is(r.findings[1]?.category, 'missing-iptables-table');
});

test('trap: lock contention worded like missing kernel support is the lock', (t) => {
  const r = classifyLog(
    'iptables binary iptables has no loaded kernel support and cannot be used, err: exit status 4 out: Can\'t lock /run/xtables.lock: Resource temporarily unavailable',
  );
  t.is(r.category, 'xtables-lock');
});

test('context: documented exit codes and the istio-cni label explain an empty validator log', (t) => {
  const istio = classifyLog('', { exitCode: 126, container: 'istio-validation' });
  t.is(istio.category, 'config-error');
  t.is(istio.signatureId, 'istio-validation-failed');
  t.regex(istio.matchedLine, /exit code 126/);
  const linkerd = classifyLog('', { exitCode: 95, container: 'linkerd-network-validator' });
  t.is(linkerd.signatureId, 'linkerd-network-validator-failed');
  t.is(classifyLog('', { exitCode: 126, container: 'istio-init' }).category, 'unknown', 'exit 126 means nothing for istio-init');
  t.is(classifyLog('', { podLabels: { 'cni.istio.io/uninitialized': 'true' } }).signatureId, 'istio-validation-failed');
});

test('several failures: all distinct ones are listed, the primary first', (t) => {
  const log = [
    "iptables v1.8.7 (legacy): Couldn't load match `owner':No such file or directory",
    "iptables v1.8.7 (legacy): Couldn't load match `owner':No such file or directory",
    "iptables-restore v1.8.7 (legacy): iptables-restore: unable to initialize table 'raw'",
  ].join('\n');
  const r = classifyLog(log);
  t.is(r.category, 'missing-iptables-table');
  t.is(r.findings.length, 2);
  t.deepEqual(r.findings.map((f) => f.category), ['missing-iptables-table', 'missing-xtables-extension']);
});

test('CRI-prefixed lines are understood without parsing', (t) => {
  const r = classifyLog("2024-05-01T10:00:00.2Z stderr F iptables-restore: unable to initialize table 'mangle'");
  t.deepEqual(r.modules, ['iptable_mangle', 'ip_tables']);
});

test('fuzz: random input never throws and stays bounded', (t) => {
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const alphabet = "abcXYZ_-'`:()[]{}\\n\n \t0123456789iptables-restore: line failed Couldn't load match ISTIO_ avc: denied { module_request } kmod=\"";
  for (let i = 0; i < 300; i++) {
    const len = Math.floor(rnd() * 4000);
    let s = '';
    for (let j = 0; j < len; j++) s += alphabet[Math.floor(rnd() * alphabet.length)];
    t.notThrows(() => classifyLog(s, { exitCode: Math.floor(rnd() * 256), container: 'istio-init' }));
  }
});

test('huge input (12 MiB, adversarial lines) is classified in bounded time from its tail', (t) => {
  const nasty = 'avc:  denied  { ' + 'x'.repeat(5000) + "Couldn't load target `" + 'A_'.repeat(3000) + '\n';
  const big = nasty.repeat(Math.ceil((12 * 1024 * 1024) / nasty.length)) + "iptables-restore: unable to initialize table 'nat'\n";
  t.true(big.length > 10 * 1024 * 1024);
  const start = Date.now();
  const r = classifyLog(big);
  const ms = Date.now() - start;
  t.true(ms < 5000, `${ms} ms`);
  t.true(r.scanned.truncated);
  t.true(r.scanned.bytes <= CLASSIFY_LIMITS.maxBytes);
  t.is(r.category, 'missing-iptables-table');
  const lines = 'x\n'.repeat(3_000_000);
  const start2 = Date.now();
  t.is(classifyLog(lines).category, 'unknown');
  t.true(Date.now() - start2 < 5000);
});
