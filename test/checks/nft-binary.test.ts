import test from 'ava';
import { evaluateNftBinary, nftBinaryCheck } from '../../checks/nft-binary.ts';
import { olderVersion } from '../../src/core/modes-section.ts';
import { checkOptions } from '../../src/core/options.ts';

const MIN = { version: '1.0.1', source: 'https://istio.io/latest/docs/ops/deployment/platform-requirements/' };
const sidecarCni = { cni: true, dataplane: 'sidecar' as const };

test('olderVersion compares every component', (t) => {
  t.true(olderVersion('1.0.0', '1.0.1'));
  t.true(olderVersion('0.9.8', '1.0.1'));
  t.false(olderVersion('1.0.1', '1.0.1'));
  t.false(olderVersion('1.0.6', '1.0.1'));
  t.false(olderVersion('1.1', '1.0.1'));
});

test('with the CNI plugin (sidecar) the node\'s nft must be ≥ 1.0.1', (t) => {
  t.is(evaluateNftBinary({ nft: { where: 'host', version: '1.0.6', evidence: '$ nft --version: nftables v1.0.6 (Lester Gooch #5)' }, minNft: MIN }, sidecarCni).status, 'pass');
  const old = evaluateNftBinary({ nft: { where: 'host', version: '0.9.3', evidence: '$ nft --version: nftables v0.9.3 (Topsy)' }, minNft: MIN }, sidecarCni);
  t.is(old.status, 'fail');
  t.regex(old.summary, /nft 0\.9\.3, older than 1\.0\.1/);
  const none = evaluateNftBinary({ nft: { where: 'host', evidence: '$ nft --version: not found' }, minNft: MIN }, sidecarCni);
  t.is(none.status, 'fail');
  t.true(none.remediation.some((r) => r.includes('apt-get install nftables')));
});

test('without the CNI plugin (or in ambient) the mesh image carries nft: the node\'s is not run', async (t) => {
  const out = evaluateNftBinary({ minNft: MIN }, { cni: false, dataplane: 'sidecar' });
  t.is(out.status, 'pass');
  t.regex(out.summary, /the node's nft is not used, so it is not run/);
  t.is(evaluateNftBinary({ minNft: MIN }, { cni: true, dataplane: 'ambient' }).status, 'pass');
  // collect asks for the node's nft only where it matters
  let asked = 0;
  const facts = { nftBinary: async () => { asked += 1; return { where: 'host' as const, version: '1.0.6', evidence: 'v' }; }, requirements: async () => ({ minNft: MIN }) };
  const collect = (options: ReturnType<typeof checkOptions>) => nftBinaryCheck.collect({ facts, options } as unknown as Parameters<typeof nftBinaryCheck.collect>[0]);
  t.false('nft' in (await collect(checkOptions({ nativeNftables: true }))));
  t.is(asked, 0);
  t.is((await collect(checkOptions({ nativeNftables: true, cni: true }))).nft?.version, '1.0.6');
  t.is(asked, 1);
});

test('with the CNI plugin but no nft facts: skip, never a pass', (t) => {
  t.is(evaluateNftBinary({ minNft: MIN }, sidecarCni).status, 'skip');
});

test('below a mounted host root the node\'s nft cannot be run: skip, never a pass', (t) => {
  const out = evaluateNftBinary({ nft: { where: 'container', version: '1.0.6', evidence: 'x' }, minNft: MIN }, sidecarCni);
  t.is(out.status, 'skip');
  t.regex(out.summary, /cannot be run from this container/);
});

test('skipped unless --native-nftables', (t) => {
  t.regex(nftBinaryCheck.skipReason(checkOptions()) ?? '', /--native-nftables/);
  t.is(nftBinaryCheck.skipReason(checkOptions({ nativeNftables: true })), undefined);
});
