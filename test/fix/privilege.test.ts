import test from 'ava';
import { CAP_SYS_MODULE, hasCapability, missingPrivilege, parseProcStatus, privilegeFrom } from '../../src/fix/privilege.ts';

// /proc/[pid]/status layout per proc(5): tab-separated `Name:\tvalue` lines; Uid: real, effective,
// saved, filesystem; Cap*: 16 hex digits. Masks: a root shell on kernel 6.x (all 41 caps), and
// Docker's default capability set 0x00000000a80425fb (moby oci/caps/defaults.go, no SYS_MODULE).
const status = (uid: string, capEff: string) =>
  [
    'Name:\tnode',
    'Umask:\t0022',
    'State:\tS (sleeping)',
    'Pid:\t4242',
    `Uid:\t${uid}\t${uid}\t${uid}\t${uid}`,
    'Gid:\t0\t0\t0\t0',
    'CapInh:\t0000000000000000',
    'CapPrm:\t000001ffffffffff',
    `CapEff:\t${capEff}`,
    'CapBnd:\t000001ffffffffff',
    'CapAmb:\t0000000000000000',
    'NoNewPrivs:\t0',
    '',
  ].join('\n');

test('CAP_SYS_MODULE is bit 16', (t) => {
  t.is(CAP_SYS_MODULE, 16);
  t.true(hasCapability(0x10000n, 16));
  t.false(hasCapability(0xfffeffffn, 16));
});

test('root with the full set can load modules', (t) => {
  t.deepEqual(parseProcStatus(status('0', '000001ffffffffff')), { capEff: 0x1ffffffffffn, euid: 0 });
  const p = privilegeFrom(status('0', '000001ffffffffff'), '0\n');
  t.true(p.capSysModule);
  t.false(p.modulesDisabled);
  t.is(missingPrivilege(p), undefined);
  t.true(p.evidence.some((e) => e.includes('CAP_SYS_MODULE set')));
});

test('root in a default Docker container lacks CAP_SYS_MODULE, and we say so', (t) => {
  const p = privilegeFrom(status('0', '00000000a80425fb'), undefined);
  t.false(p.capSysModule);
  t.regex(missingPrivilege(p) ?? '', /^running as root but without CAP_SYS_MODULE/);
});

test('a non-root user without capabilities', (t) => {
  const p = privilegeFrom(status('1000', '0000000000000000'), '0');
  t.regex(missingPrivilege(p) ?? '', /uid 1000/);
});

test('modules_disabled=1 wins over capabilities', (t) => {
  const p = privilegeFrom(status('0', '000001ffffffffff'), '1\n');
  t.true(p.modulesDisabled);
  t.regex(missingPrivilege(p) ?? '', /modules_disabled=1/);
});

test('unreadable status: unknown, not refused', (t) => {
  const p = privilegeFrom(undefined, undefined);
  t.is(p.capSysModule, undefined);
  t.is(missingPrivilege(p), undefined);
});
