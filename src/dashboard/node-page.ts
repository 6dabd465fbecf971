/**
 * `GET /nodes/:name`: for this agent's own node, the full report (every check with its evidence and
 * the exact remediation in copyable `<pre><code>` blocks, modules, iptables modes, the mesh's modes, diagnosed
 * init-container failures); for a peer, what it published plus where to find its full report.
 */
import type { NodeReadiness } from '../api/types.ts';
import type { CheckResult, InitContainerFinding, ModeReadiness, Report } from '../core/report.ts';
import { html, type SafeHtml } from './html.ts';
import { checkBadge, page, statusBadge, timeCell, valueList } from './layout.ts';
import { rowFromReadiness, rowFromReport, type NodeRow } from './rows.ts';

const BASE = '../';

function commands(lines: readonly string[]): SafeHtml {
  return html`${lines.map((l) => html`<pre class="command"><code>${l}</code></pre>`)}`;
}

function checkArticle(c: CheckResult): SafeHtml {
  const evidence = c.evidence.length === 0
    ? html`<p class="muted">No evidence recorded.</p>`
    : html`<h4>Evidence</h4><pre><code>${c.evidence.join('\n')}</code></pre>`;
  const remediation = c.remediation.length === 0
    ? ''
    : html`<h4>Remediation</h4>${commands(c.remediation)}`;
  return html`<article class="check check-${c.status}" id="check-${c.id}" aria-labelledby="check-${c.id}-title">
<h3 id="check-${c.id}-title">${c.title} <code class="muted">${c.id}</code></h3>
<p>${checkBadge(c.status)} ${c.summary}</p>
${evidence}
${remediation}
</article>`;
}

function findingArticle(f: InitContainerFinding, i: number): SafeHtml {
  const where = `${f.namespace}/${f.pod} · ${f.container}`;
  return html`<article class="finding" id="finding-${i}" aria-labelledby="finding-${i}-title">
<h3 id="finding-${i}-title">${where}</h3>
<dl class="facts">
<dt>Category</dt><dd><code>${f.category}</code>${f.nodeProblem ? html` <span class="tag">node problem</span>` : ''}</dd>
${f.modules.length > 0 ? html`<dt>Modules</dt><dd>${f.modules.join(', ')}</dd>` : ''}
${f.table !== undefined ? html`<dt>Table</dt><dd>${f.table}</dd>` : ''}
${f.extension !== undefined ? html`<dt>Extension</dt><dd>${f.extension}</dd>` : ''}
${f.restartCount !== undefined ? html`<dt>Restarts</dt><dd>${f.restartCount}</dd>` : ''}
${f.observedAt !== undefined ? html`<dt>Observed</dt><dd>${f.observedAt}</dd>` : ''}
<dt>Found by</dt><dd>${f.source}</dd>
</dl>
<h4>Matched log line</h4>
<pre><code>${f.matchedLine}</code></pre>
<p>${f.explanation}</p>
${f.remediation.length > 0 ? html`<h4>Remediation</h4>${commands(f.remediation)}` : ''}
</article>`;
}

function summaryFacts(row: NodeRow, now: number): SafeHtml {
  return html`<dl class="facts">
<dt>Readiness</dt><dd>${statusBadge(row.status)}</dd>
<dt>Mesh</dt><dd>${row.mesh ?? 'unknown'}</dd>
<dt>iptables backend</dt><dd>${row.backend ?? 'unknown'}</dd>
<dt>Failing checks</dt><dd>${valueList(row.failing)}</dd>
<dt>Missing modules</dt><dd>${valueList(row.missing)}</dd>
${row.notLoaded !== undefined ? html`<dt>Not-loaded modules</dt><dd>${valueList(row.notLoaded)}</dd>` : ''}
<dt>Last checked</dt><dd>${timeCell(row.checkedAt, now)}</dd>
${row.condition !== undefined ? html`<dt>Condition</dt><dd><code>MeshPreflightReady=${row.condition.status}</code> ${row.condition.reason}${row.condition.message !== '' ? html`<br>${row.condition.message}` : ''}</dd>` : ''}
${row.heartbeatAt !== undefined ? html`<dt>Heartbeat</dt><dd>${timeCell(row.heartbeatAt, now)}</dd>` : ''}
</dl>`;
}

function modulesTable(report: Report): SafeHtml {
  if (report.modules.length === 0) return html`<p class="muted">No modules in the report.</p>`;
  const rows = report.modules.map((m) => html`<tr>
<th scope="row"><code>${m.name}</code></th><td>${m.state}</td><td>${m.source}</td><td>${m.requiredFor.join(', ')}</td><td>${m.providedBy ?? ''}</td>
</tr>`);
  return html`<table id="modules"><caption>Kernel modules the mesh needs</caption>
<thead><tr><th scope="col">Module</th><th scope="col">State</th><th scope="col">Read from</th><th scope="col">Required for</th><th scope="col">Provided by</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

/** A mode's autoload judgement under its notes (iptables modes and mesh modes alike). */
function autoloadNote(autoload: { value: string; reason: string } | undefined): SafeHtml | '' {
  return autoload ? html`<div><span class="muted">Autoload by the mesh's pod:</span> ${autoload.value} — ${autoload.reason}</div>` : '';
}

function iptablesSection(report: Report): SafeHtml {
  const ipt = report.iptables;
  if (ipt === undefined) return html`<p class="muted">No iptables information in the report.</p>`;
  const modes = ipt.modes.map((m) => html`<tr>
<th scope="row">${m.backend}${m.backend === ipt.meshBackend ? html`<span class="tag">mesh uses</span>` : ''}</th>
<td>${m.ready ? 'yes' : 'no'}</td><td>${m.missing.join(', ')}</td><td>${m.notLoaded.join(', ')}</td><td>${m.unknown.join(', ')}</td><td>${m.notes.join(' ')}${autoloadNote(m.autoload)}</td>
</tr>`);
  return html`<dl class="facts">
<dt>Node's rules</dt><dd>${ipt.backend}</dd>
<dt>Mesh backend</dt><dd>${ipt.meshBackend} (${ipt.meshBackendSource === 'flag' ? 'set by --backend' : 'follows the node'})</dd>
${ipt.hostVersion !== undefined ? html`<dt>Host iptables</dt><dd><code>${ipt.hostVersion}</code></dd>` : ''}
${ipt.legacyXtablesAvailable !== undefined ? html`<dt>Legacy xtables in kernel</dt><dd>${ipt.legacyXtablesAvailable ? 'yes' : 'no'}</dd>` : ''}
</dl>
<table id="modes"><caption>Readiness per iptables backend</caption>
<thead><tr><th scope="col">Backend</th><th scope="col">Ready</th><th scope="col">Missing</th><th scope="col">Not loaded</th><th scope="col">Unknown</th><th scope="col">Notes</th></tr></thead>
<tbody>${modes}</tbody></table>`;
}

/** `sidecar · nft`, `ambient · native nftables`: a mode as the operator chooses it. */
function modeName(m: ModeReadiness): string {
  return `${m.dataplane} · ${m.nativeNftables ? 'native nftables' : m.backend}`;
}

/** report.modes: every mode of the mesh and whether it can run on this node ("which modes can run here"). */
function meshModesTable(report: Report): SafeHtml {
  const modes = report.modes ?? [];
  if (modes.length === 0) return html`<p class="muted">No mesh modes in the report.</p>`;
  const rows = modes.map((m) => html`<tr>
<th scope="row">${modeName(m)}${m.selected ? html`<span class="tag">checked above</span>` : ''}</th>
<td>${m.ready ? 'yes' : 'no'}</td><td>${m.missing.join(', ')}</td><td>${m.notLoaded.join(', ')}</td><td>${m.probe ? html`${m.probe.ok ? 'applied' : 'failed'}: ${m.probe.detail}` : html`<span class="muted">not probed</span>`}</td><td>${m.notes.join(' ')}${autoloadNote(m.autoload)}</td>
</tr>`);
  return html`<table id="mesh-modes"><caption>Which ${report.mesh} modes can run on this node</caption>
<thead><tr><th scope="col">Mode</th><th scope="col">Ready</th><th scope="col">Missing</th><th scope="col">Not loaded</th><th scope="col">Probe (--probe)</th><th scope="col">Notes</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

/** The full report of this agent's own node; `published` is its cluster-view entry, when listed. */
export function renderOwnNode(report: Report, published: NodeReadiness | undefined, now: number): string {
  // The report itself is the fresher, untruncated truth on this node; the cluster view may lag by
  // one publish, so only the condition and its heartbeat are taken from it.
  const own: NodeRow = rowFromReport(report);
  if (published !== undefined) {
    const seen = rowFromReadiness(published);
    if (seen.condition !== undefined) own.condition = seen.condition;
    if (seen.heartbeatAt !== undefined) own.heartbeatAt = seen.heartbeatAt;
  }
  const problems = report.checks.filter((c) => c.status === 'fail' || c.status === 'warn');
  const toc = problems.length === 0
    ? html`<p>All checks passed or were skipped.</p>`
    : html`<p>Needs attention:</p><ul>${problems.map((c) => html`<li><a href="#check-${c.id}">${c.title}</a> — ${checkBadge(c.status)}</li>`)}</ul>`;
  const findings = report.initContainers.length === 0
    ? html`<p class="muted">No failed mesh init containers diagnosed on this node.</p>`
    : report.initContainers.map(findingArticle);
  const fixes = report.fixes.length === 0
    ? ''
    : html`<h2 id="fixes">Fixes applied</h2><ul>${report.fixes.map((f) => html`<li>${f.at} <code>${f.kind} ${f.target}</code>: ${f.ok ? 'ok' : 'failed'} — ${f.message}</li>`)}</ul>`;
  return page({
    title: `Node ${report.node}`,
    base: BASE,
    subtitle: html`Full report from this agent · ${report.mesh} · kernel ${report.kernel.release ?? 'unknown'} · ${report.os.prettyName ?? report.os.id ?? 'unknown OS'}`,
    body: html`<h2 id="summary">Summary</h2>
${summaryFacts(own, now)}
${toc}
<h2 id="checks">Checks</h2>
${report.checks.map(checkArticle)}
<h2 id="init-containers">Init-container failures</h2>
${findings}
<h2 id="iptables">iptables</h2>
${iptablesSection(report)}
<h2 id="modes-h">Mesh modes</h2>
${meshModesTable(report)}
<h2 id="modules-h">Kernel modules</h2>
${modulesTable(report)}
${fixes}
<p><a href="${BASE}">Back to all nodes</a> · <a href="${BASE}v1/report">This report as JSON</a></p>`,
  });
}

/** What a peer node published; its full report lives on its own agent. */
export function renderPeerNode(node: NodeReadiness, now: number): string {
  const row = rowFromReadiness(node);
  return page({
    title: `Node ${node.name}`,
    base: BASE,
    subtitle: 'Published summary (labels, condition and report annotation)',
    body: html`<h2 id="summary">Published summary</h2>
${summaryFacts(row, now)}
<p class="banner" role="note">The full report of this node — every check with its evidence and remediation, and its
diagnosed init-container failures — is served by the mesh-preflight agent running on that node, at
<code>/v1/report</code> (port 9808), or on the dashboard of that agent.</p>
<p><a href="${BASE}">Back to all nodes</a></p>`,
  });
}

/** A small error page (404 unknown node, 400 bad name or query, 502/503 when data is unavailable). */
export function renderError(title: string, message: string, base: string): string {
  return page({
    title,
    base,
    body: html`<p class="banner error" role="alert">${message}</p><p><a href="${base === '' ? './' : base}">Back to all nodes</a></p>`,
  });
}
