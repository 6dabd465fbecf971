/** The pure ConfigMaps → options mapping, on the shapes the meshes' charts render (test/fixtures/configmaps). */
import test from 'ava';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ConfigMapSchema, majorMinor, optionsFromConfigMaps, type ConfigMap } from '../../src/meshconfig/configmaps.ts';
import { flagSources, withClusterOptions } from '../../src/meshconfig/merge.ts';
import { checkOptions } from '../../src/core/options.ts';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/configmaps');
const cm = (name: string): ConfigMap => ConfigMapSchema.parse(parse(readFileSync(path.join(DIR, `${name}.yaml`), 'utf8')));

test('Istio ambient: dataplane ambient, the CNI, its DNS capture and the version', (t) => {
  const r = optionsFromConfigMaps({ istioCni: cm('istio-cni-config.ambient'), istioMesh: cm('istio.default') });
  t.deepEqual(r.options, { mesh: 'istio', cni: true, dataplane: 'ambient', dnsCapture: true, nativeNftables: false, meshVersion: '1.28' });
  t.deepEqual(r.warnings, []);
  t.true(r.evidence.includes('ConfigMap istio-system/istio-cni-config AMBIENT_ENABLED="true": dataplane ambient'));
});

test('Istio ambient with native nftables (a distroless tag still gives X.Y)', (t) => {
  const r = optionsFromConfigMaps({ istioCni: cm('istio-cni-config.ambient-native-nftables') });
  t.like(r.options, { nativeNftables: true, meshVersion: '1.28', dataplane: 'ambient' });
});

test('Istio sidecars with istio-cni 1.24 (no NATIVE_NFTABLES key yet), DNS capture and TPROXY from the mesh config', (t) => {
  const r = optionsFromConfigMaps({ istioCni: cm('istio-cni-config.sidecar-1.24'), istioMesh: cm('istio.dns-tproxy') });
  t.deepEqual(r.options, { mesh: 'istio', cni: true, dataplane: 'sidecar', meshVersion: '1.24', interception: 'tproxy', dnsCapture: true });
  t.true(r.evidence.some((e) => e.includes('ISTIO_META_DNS_CAPTURE="true"')));
});

test('Istio without istio-cni: only what the mesh config says; the defaults stay defaults', (t) => {
  const r = optionsFromConfigMaps({ istioMesh: cm('istio.default') });
  t.deepEqual(r.options, { mesh: 'istio' });
});

test('Linkerd: iptablesMode and the CNI from the chart values', (t) => {
  const r = optionsFromConfigMaps({ linkerdConfig: cm('linkerd-config') });
  t.deepEqual(r.options, { mesh: 'linkerd', cni: true, backend: 'nft' });
  const plain = ConfigMapSchema.parse({ metadata: { name: 'linkerd-config', namespace: 'linkerd' }, data: { values: 'proxyInit:\n  iptablesMode: plain\n' } });
  const p = optionsFromConfigMaps({ linkerdConfig: plain });
  t.deepEqual(p.options, { mesh: 'linkerd' }, 'plain runs the image\'s iptables: the backend stays auto');
  t.true(p.evidence[0]!.includes('backend left to auto'));
});

test('both meshes installed: Istio, with a warning', (t) => {
  const r = optionsFromConfigMaps({ istioMesh: cm('istio.default'), linkerdConfig: cm('linkerd-config') });
  t.is(r.options.mesh, 'istio');
  t.regex(r.warnings[0]!, /both Istio and Linkerd/);
});

test('unreadable content is a warning and that ConfigMap is ignored, never a throw', (t) => {
  const badYaml = ConfigMapSchema.parse({ metadata: { name: 'istio', namespace: 'istio-system' }, data: { mesh: 'defaultConfig: [unclosed' } });
  const badBool = ConfigMapSchema.parse({ metadata: { name: 'istio-cni-config', namespace: 'istio-system' }, data: { AMBIENT_ENABLED: 'yes please' } });
  const badType = ConfigMapSchema.parse({ metadata: { name: 'linkerd-config', namespace: 'linkerd' }, data: { values: 'cniEnabled: "maybe"' } });
  const a = optionsFromConfigMaps({ istioMesh: badYaml });
  t.regex(a.warnings[0]!, /ConfigMap istio-system\/istio mesh: not YAML/);
  const b = optionsFromConfigMaps({ istioCni: badBool });
  t.deepEqual(b.options, { mesh: 'istio', cni: true });
  t.regex(b.warnings[0]!, /AMBIENT_ENABLED/);
  const c = optionsFromConfigMaps({ linkerdConfig: badType });
  t.deepEqual(c.options, { mesh: 'linkerd' });
  t.regex(c.warnings[0]!, /cniEnabled/);
  t.deepEqual(optionsFromConfigMaps({}), { options: {}, evidence: [], warnings: [] });
  t.deepEqual(ConfigMapSchema.parse({ metadata: { name: 'x' } }).data, {}, 'a ConfigMap without data');
});

test('majorMinor reads image tags', (t) => {
  t.is(majorMinor('1.28.0'), '1.28');
  t.is(majorMinor('1.27.3-distroless'), '1.27');
  t.is(majorMinor('1.29-dev'), '1.29');
  t.is(majorMinor('latest'), undefined);
  t.is(majorMinor(''), undefined);
});

test('flags given explicitly win; the report says where each option came from', (t) => {
  const base = checkOptions({ dnsCapture: false, backend: 'legacy' });
  const merged = withClusterOptions(base, new Set(['backend']), { mesh: 'linkerd', backend: 'nft', cni: true, dnsCapture: true });
  t.is(merged.backend, 'legacy', 'the flag wins');
  t.is(merged.mesh, 'linkerd');
  t.true(merged.cni);
  t.true(merged.dnsCapture);
  t.like(merged.optionSources, { backend: 'flag', mesh: 'cluster', cni: 'cluster', dnsCapture: 'cluster', dataplane: 'default', probe: 'default' });
  const auto = withClusterOptions({ ...base, optionSources: { ipv6: 'auto' } }, new Set(), {});
  t.is(auto.optionSources?.['ipv6'], 'auto', 'another owner\'s source is kept');
  t.like(flagSources(base, new Set(['mesh'])).optionSources, { mesh: 'flag', backend: 'default' });
});
