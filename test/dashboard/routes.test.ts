import test from 'ava';
import { DASHBOARD_CSP } from '../../src/api/routes/dashboard.ts';
import { buildReport, check } from '../api/report-fixture.ts';
import { attributeNames, countsOf, dashboardServer, decode, directory, rowNames, rowStatuses, tagNames } from './helpers.ts';
import { clusterNodes, EVIL_EVIDENCE, EVIL_LOG_LINE, EVIL_MESSAGE, EVIL_MODULE, EVIL_NAME, EXPECTED_COUNTS, SELF, selfReport } from './fixtures.ts';

const cluster = () => ({ report: selfReport(), nodes: clusterNodes() });

// Every element and attribute the templates may emit; anything else in a page came from data.
const ALLOWED_TAGS = new Set([
  'html', 'head', 'meta', 'title', 'link', 'body', 'a', 'header', 'main', 'footer', 'p', 'h1', 'h2', 'h3', 'h4', 'nav', 'ul', 'li',
  'span', 'div', 'form', 'label', 'input', 'button', 'table', 'caption', 'thead', 'tbody', 'tr', 'th', 'td', 'code', 'pre',
  'time', 'dl', 'dt', 'dd', 'article', 'br',
]);
const ALLOWED_ATTRIBUTES = new Set([
  'lang', 'charset', 'name', 'content', 'http-equiv', 'rel', 'href', 'type', 'class', 'id', 'tabindex', 'aria-label', 'aria-current',
  'aria-sort', 'aria-hidden', 'aria-labelledby', 'data-filter', 'data-sort', 'data-node', 'data-status', 'title', 'method', 'role',
  'for', 'value', 'maxlength', 'autocomplete', 'scope', 'colspan', 'datetime',
]);

function assertHtmlResponse(t: import('ava').ExecutionContext, res: { statusCode: number; headers: Record<string, unknown>; body: string }, status: number) {
  t.is(res.statusCode, status, res.body.slice(0, 500));
  t.is(res.headers['content-type'], 'text/html; charset=utf-8');
  t.is(res.headers['content-security-policy'], DASHBOARD_CSP);
  t.is(res.headers['x-content-type-options'], 'nosniff');
  t.true(res.body.startsWith('<!doctype html>'));
  const tags = [...tagNames(res.body)].filter((n) => !ALLOWED_TAGS.has(n) && n !== '!doctype');
  t.deepEqual(tags, [], 'no element beyond the templates’ own');
  t.deepEqual([...attributeNames(res.body)].filter((n) => !ALLOWED_ATTRIBUTES.has(n)), [], 'no attribute beyond the templates’ own');
  t.notRegex(res.body, /<script|<style/i); // on* and style attributes are caught by the attribute list above
}

test('the CSP is exactly the strict policy', (t) => {
  t.is(DASHBOARD_CSP, "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
});

test('GET / lists every node with the right counts, and escapes hostile values', async (t) => {
  const app = dashboardServer(t, cluster());
  const res = await app.inject({ url: '/' });
  assertHtmlResponse(t, res, 200);
  t.deepEqual(countsOf(res.body), EXPECTED_COUNTS);
  t.deepEqual(rowNames(res.body).sort(), clusterNodes().map((n) => n.name).sort());
  for (const evil of [EVIL_NAME, EVIL_MODULE]) {
    t.false(res.body.includes(evil), evil);
    t.true(decode(res.body).includes(evil), `${evil} is shown as text`);
  }
  // The hostile name is not a valid node name, so it gets no link; real names do.
  t.true(res.body.includes('<a href="nodes/node-broken">node-broken</a>'));
  t.notRegex(res.body, /href="nodes\/%3Cimg/);
  t.regex(res.body, /<meta http-equiv="refresh" content="30">/);
  t.regex(res.body, /<caption id="nodes-caption">[^<]*7 of 7 nodes/);
  t.regex(res.body, /<th scope="row"><a href="nodes\/node-self">node-self<\/a><span class="tag">this agent<\/span>/);
});

test('?filter= keeps only that status; counts stay cluster-wide; links keep the other parameters', async (t) => {
  const app = dashboardServer(t, cluster());
  for (const [filter, n] of [['not-ready', 3], ['ready', 1], ['degraded', 1], ['unchecked', 2]] as const) {
    const res = await app.inject({ url: `/?filter=${filter}&sort=status` });
    assertHtmlResponse(t, res, 200);
    const statuses = rowStatuses(res.body);
    t.is(statuses.length, n, filter);
    t.true(statuses.every((s) => s === filter), filter);
    t.deepEqual(countsOf(res.body), EXPECTED_COUNTS);
    t.regex(res.body, new RegExp(`href="\\?filter=${filter}" data-filter="${filter}" aria-current="true"`));
    t.true(res.body.includes('href="?filter=' + filter + '&amp;sort=checked" data-sort="checked"'), 'sort links keep the filter');
  }
  const none = await app.inject({ url: '/?filter=ready&q=broken' });
  t.deepEqual(rowNames(none.body), []);
  t.regex(none.body, /No nodes match this filter/);
});

test('?sort= orders the rows and marks the sorted column', async (t) => {
  const app = dashboardServer(t, cluster());
  const byName = await app.inject({ url: '/?sort=name' });
  t.deepEqual(rowNames(byName.body), [EVIL_NAME, 'node-broken', 'node-degraded', 'node-new', 'node-pending', 'node-ready', 'node-self']);
  t.regex(byName.body, /<th scope="col" aria-sort="ascending"><a href="\?sort=name" data-sort="name"/);
  // Worst first is the default: not ready and degraded nodes lead the first page.
  const byStatus = await app.inject({ url: '/' });
  t.deepEqual(rowNames(byStatus.body), [EVIL_NAME, 'node-broken', 'node-self', 'node-degraded', 'node-new', 'node-pending', 'node-ready']);
  t.regex(byStatus.body, /aria-sort="other"><a href="\.\/" data-sort="status"/);
  const byChecked = await app.inject({ url: '/?sort=checked' });
  t.deepEqual(rowNames(byChecked.body), ['node-new', EVIL_NAME, 'node-degraded', 'node-broken', 'node-ready', 'node-self', 'node-pending']);
});

test('?q= filters by name; the search form carries the other parameters as hidden fields', async (t) => {
  const app = dashboardServer(t, cluster());
  const res = await app.inject({ url: '/?q=node-&filter=unchecked&sort=checked&refresh=off' });
  assertHtmlResponse(t, res, 200);
  t.deepEqual(rowNames(res.body), ['node-new', 'node-pending']);
  t.regex(res.body, /<input type="hidden" name="filter" value="unchecked">/);
  t.regex(res.body, /<input type="hidden" name="sort" value="checked">/);
  t.regex(res.body, /<input type="hidden" name="refresh" value="off">/);
  t.regex(res.body, /<input id="q" name="q" type="search" value="node-"/);
  t.notRegex(res.body, /http-equiv="refresh"/, 'refresh=off drops the meta refresh');
  const hostile = await app.inject({ url: `/?q=${encodeURIComponent('"><script>alert(5)</script>')}` });
  assertHtmlResponse(t, hostile, 200);
  t.regex(hostile.body, /value="&quot;&gt;&lt;script&gt;alert\(5\)&lt;\/script&gt;"/);
});

test('bad query values are a 400 HTML page, escaped', async (t) => {
  const app = dashboardServer(t, cluster());
  for (const url of ['/?filter=broken', '/?sort=%3Cb%3E', '/?filter=ready&filter=degraded', `/?q=${'a'.repeat(300)}`]) {
    const res = await app.inject({ url });
    assertHtmlResponse(t, res, 400);
    t.regex(res.body, /role="alert"/);
  }
});

test('without Kubernetes: just this node, and other names are 404', async (t) => {
  const app = dashboardServer(t, { report: selfReport() });
  const res = await app.inject({ url: '/' });
  assertHtmlResponse(t, res, 200);
  t.deepEqual(rowNames(res.body), [SELF]);
  t.deepEqual(countsOf(res.body), { all: 1, 'not-ready': 1, degraded: 0, unchecked: 0, ready: 0 });
  t.regex(res.body, /No Kubernetes access: showing only the node this agent runs on/);
  t.is((await app.inject({ url: `/nodes/${SELF}` })).statusCode, 200);
  const other = await app.inject({ url: '/nodes/node-broken' });
  assertHtmlResponse(t, other, 404);
  t.regex(other.body, /knows only its own node \(node-self\)/);
});

test('without Kubernetes and before the first run: an empty table and a notice', async (t) => {
  const app = dashboardServer(t, {});
  const res = await app.inject({ url: '/' });
  assertHtmlResponse(t, res, 200);
  t.deepEqual(rowNames(res.body), []);
  t.regex(res.body, /The first check run on this node has not finished yet/);
});

test('a failing node directory: a notice and this node only; a peer page is 502', async (t) => {
  const app = dashboardServer(t, { report: selfReport(), nodes: new Error('connect ECONNREFUSED 10.96.0.1:443') });
  const res = await app.inject({ url: '/' });
  assertHtmlResponse(t, res, 200);
  t.deepEqual(rowNames(res.body), [SELF]);
  t.regex(res.body, /Listing nodes from the Kubernetes API failed/);
  t.false(res.body.includes('ECONNREFUSED'), 'internals stay in the log');
  assertHtmlResponse(t, await app.inject({ url: '/nodes/node-broken' }), 502);
  assertHtmlResponse(t, await app.inject({ url: `/nodes/${SELF}` }), 200);
});

test('directory entries of the wrong shape are dropped and counted', async (t) => {
  const nodes = directory([...clusterNodes(), { name: 'x', ready: 'maybe' }, 42]);
  const app = dashboardServer(t, { report: selfReport(), nodes });
  const res = await app.inject({ url: '/' });
  assertHtmlResponse(t, res, 200);
  t.is(rowNames(res.body).length, 7);
  t.regex(res.body, /2 node entries from the node directory did not match/);
});

test('own node page: every check, evidence, copyable remediation, diagnosed init-container failures', async (t) => {
  const app = dashboardServer(t, cluster());
  const res = await app.inject({ url: `/nodes/${SELF}` });
  assertHtmlResponse(t, res, 200);
  const report = selfReport();
  for (const c of report.checks) t.regex(res.body, new RegExp(`<article class="check check-${c.status}" id="check-${c.id}"`));
  t.true(res.body.includes('<pre class="command"><code>modprobe xt_owner</code></pre>'));
  t.true(res.body.includes('<pre class="command"><code>echo xt_owner &gt; /etc/modules-load.d/mesh-preflight.conf</code></pre>'));
  t.true(res.body.includes('<a href="#check-modules">Kernel modules</a>'), 'problems link to their check');
  for (const evil of [EVIL_EVIDENCE, EVIL_LOG_LINE]) {
    t.false(res.body.includes(evil));
    t.true(decode(res.body).includes(evil));
  }
  t.regex(res.body, /<h3 id="finding-0-title">default\/reviews-v1-7d8f9 · istio-init<\/h3>/);
  t.regex(res.body, /<dt>Category<\/dt><dd><code>missing-module<\/code>/);
  t.regex(res.body, /iptables-restore could not load the owner match/);
  t.regex(res.body, /<link rel="stylesheet" href="\.\.\/assets\/dashboard\.css">/);
  t.regex(res.body, /<dt>Condition<\/dt><dd><code>MeshPreflightReady=False<\/code>/);
});

test('peer node page: its published summary and where the full report is', async (t) => {
  const app = dashboardServer(t, cluster());
  const res = await app.inject({ url: '/nodes/node-broken' });
  assertHtmlResponse(t, res, 200);
  t.regex(res.body, /Not ready/);
  t.regex(res.body, /<li><code>xt_REDIRECT<\/code><\/li><li><code>nf_nat<\/code><\/li>/);
  t.regex(res.body, /served by the mesh-preflight agent running on that node, at\s+<code>\/v1\/report<\/code>/);
  t.notRegex(res.body, /<article class="check/);
});

test('node names are validated (400) and unknown nodes are 404, both as HTML', async (t) => {
  const app = dashboardServer(t, cluster());
  for (const url of ['/nodes/Node-A', `/nodes/${encodeURIComponent(EVIL_NAME)}`, '/nodes/a_b', '/nodes/a/b', `/nodes/${'a'.repeat(254)}`, '/nodes/']) {
    assertHtmlResponse(t, await app.inject({ url }), 400);
  }
  const missing = await app.inject({ url: '/nodes/node-gone' });
  assertHtmlResponse(t, missing, 404);
  t.regex(missing.body, /No node “node-gone”/);
});

test('a 253-character node name reaches its page (longer than fastify’s parameter limit)', async (t) => {
  const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
  t.is(long.length, 253);
  const app = dashboardServer(t, { report: buildReport({ node: long, checks: [check('kernel', 'pass')] }), nodes: [] });
  const res = await app.inject({ url: `/nodes/${long}` });
  assertHtmlResponse(t, res, 200);
  t.regex(res.body, /All checks passed or were skipped/);
});

test('the stylesheet and icon are served from the package with nosniff', async (t) => {
  const app = dashboardServer(t, {});
  const css = await app.inject({ url: '/assets/dashboard.css' });
  t.is(css.statusCode, 200);
  t.is(css.headers['content-type'], 'text/css; charset=utf-8');
  t.is(css.headers['x-content-type-options'], 'nosniff');
  t.regex(css.body, /\.status-not-ready\s*\{/);
  t.regex(css.body, /:focus-visible/);
  const icon = await app.inject({ url: '/assets/favicon.svg' });
  t.is(icon.statusCode, 200);
  t.is(icon.headers['content-type'], 'image/svg+xml');
  t.notRegex(icon.body, /<script/i);
});

test('the JSON API is untouched by the dashboard', async (t) => {
  const app = dashboardServer(t, cluster());
  const nodes = await app.inject({ url: '/v1/nodes' });
  t.is(nodes.statusCode, 200);
  t.regex(String(nodes.headers['content-type']), /^application\/json/);
  const missing = await app.inject({ url: '/nope' });
  t.is(missing.statusCode, 404);
  t.regex(String(missing.headers['content-type']), /^application\/json/);
});

test('?page= pages the rows 100 at a time, worst first, with links; counts stay cluster-wide; bad pages are 400, past the end is the last', async (t) => {
  const nodes = Array.from({ length: 230 }, (_, i) => ({
    name: `n-${String(i).padStart(3, '0')}`,
    ready: (i % 50 === 7 ? 'false' : 'true') as 'true' | 'false',
    summary: { verdict: (i % 50 === 7 ? 'not-ready' : 'ready') as 'ready' | 'not-ready', failing: [], missing: [], generatedAt: '2025-06-01T11:00:00Z' },
  }));
  const app = dashboardServer(t, { nodes });
  const first = await app.inject({ url: '/' });
  assertHtmlResponse(t, first, 200);
  t.is(rowNames(first.body).length, 100);
  t.deepEqual(rowStatuses(first.body).slice(0, 5), Array(5).fill('not-ready'));
  t.regex(first.body, /page 1 of 3, rows 1–100/);
  t.regex(first.body, /<a href="\?page=2" rel="next">Next<\/a>/);
  t.deepEqual(countsOf(first.body), { all: 230, 'not-ready': 5, degraded: 0, unchecked: 0, ready: 225 });
  const last = await app.inject({ url: '/?page=3&sort=name' });
  t.deepEqual(rowNames(last.body), nodes.slice(200).map((n) => n.name));
  t.regex(last.body, /<a href="\?sort=name&amp;page=2" rel="prev">Previous<\/a>/);
  t.regex(last.body, /href="\?filter=ready&amp;sort=name" data-filter="ready"/, 'a filter link starts at page 1');
  const beyond = await app.inject({ url: '/?page=99' });
  t.regex(beyond.body, /page 3 of 3/);
  for (const url of ['/?page=0', '/?page=-1', '/?page=x', '/?page=1&page=2']) t.is((await app.inject({ url })).statusCode, 400, url);
  t.true(Buffer.byteLength(first.body) < 120_000, `${Buffer.byteLength(first.body)} bytes for 100 rows`);
});
