import test from 'ava';
import { effectiveConfFiles, parseModprobeConf } from '../../src/autoload/modprobe-d.ts';

test('install and blacklist lines with their file and line; comments, options and aliases ignored', (t) => {
  const text = [
    '# hardening',
    'options nf_conntrack hashsize=65536',
    'alias ipt_owner xt_owner',
    'install iptable-raw /bin/false',
    '',
    '  blacklist   xt_owner  ',
    'install sctp \\',
    '  /bin/true',
    'blacklist',
  ].join('\n');
  t.deepEqual(parseModprobeConf(text, '/etc/modprobe.d/h.conf'), [
    { kind: 'install', module: 'iptable_raw', command: '/bin/false', file: '/etc/modprobe.d/h.conf', line: 4, text: 'install iptable-raw /bin/false' },
    { kind: 'blacklist', module: 'xt_owner', file: '/etc/modprobe.d/h.conf', line: 6, text: 'blacklist   xt_owner' },
    { kind: 'install', module: 'sctp', command: '/bin/true', file: '/etc/modprobe.d/h.conf', line: 7, text: 'install sctp    /bin/true' },
  ]);
});

test('only *.conf files, an earlier directory hides the same name in a later one', (t) => {
  t.deepEqual(
    effectiveConfFiles([
      { dir: '/etc/modprobe.d', entries: ['a.conf', 'README', 'b.conf.disabled'] },
      { dir: '/run/modprobe.d', entries: undefined },
      { dir: '/usr/lib/modprobe.d', entries: ['a.conf', 'c.conf'] },
      { dir: '/lib/modprobe.d', entries: ['c.conf'] },
    ]),
    ['/etc/modprobe.d/a.conf', '/usr/lib/modprobe.d/c.conf'],
  );
});
