import test from 'ava';
import { renderOwnNode } from '../../src/dashboard/node-page.ts';
import { NOW, selfReport, EVIL_MESSAGE } from './fixtures.ts';

test('own node page: the mesh modes table says which modes can run here, the checked one marked, text escaped', (t) => {
  const report = selfReport();
  report.modes = [
    { mesh: 'istio', dataplane: 'sidecar', backend: 'nft', selected: true, ready: false, missing: ['xt_owner'], notLoaded: [], unknown: [], notes: [EVIL_MESSAGE], autoload: { value: 'yes', reason: 'the kernel loads it on use' } },
    { mesh: 'istio', dataplane: 'sidecar', backend: 'nft', nativeNftables: true, ready: true, missing: [], notLoaded: ['nft_tproxy'], unknown: [], notes: [], probe: { ok: true, detail: 'nft -f applied' } },
    { mesh: 'istio', dataplane: 'ambient', backend: 'nft', ready: false, missing: ['ip_set'], notLoaded: [], unknown: [], notes: [] },
  ];
  const body = renderOwnNode(report, undefined, NOW);
  t.regex(body, /<table id="mesh-modes"><caption>Which istio modes can run on this node<\/caption>/);
  t.regex(body, /<th scope="row">sidecar · nft<span class="tag">checked above<\/span><\/th>\s*<td>no<\/td><td>xt_owner<\/td>/);
  t.regex(body, /<th scope="row">sidecar · native nftables<\/th>\s*<td>yes<\/td><td><\/td><td>nft_tproxy<\/td><td>applied: nft -f applied<\/td>/);
  t.regex(body, /<th scope="row">ambient · nft<\/th>\s*<td>no<\/td><td>ip_set<\/td><td><\/td><td><span class="muted">not probed<\/span><\/td>/);
  t.false(body.includes(EVIL_MESSAGE), 'notes are escaped');
  t.regex(body, /Autoload by the mesh's pod:<\/span> yes — the kernel loads it on use/);
});

test('own node page without modes says so instead of an empty table', (t) => {
  const body = renderOwnNode(selfReport(), undefined, NOW);
  t.regex(body, /<p class="muted">No mesh modes in the report\.<\/p>/);
  t.false(body.includes('id="mesh-modes"'));
});
