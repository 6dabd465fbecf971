/**
 * `GET /`: counts per status for the whole cluster, filter and sort controls as plain links and a GET
 * form (they work with JavaScript off), and one page of table rows — worst first by default — with
 * links to the other pages. Filtering, search, sorting and paging are all done by the server.
 */
import { z } from 'zod';
import { html, type SafeHtml } from './html.ts';
import { page, statusBadge, statusText, timeCell, valueList } from './layout.ts';
import { countRows, filterRows, rowFilters, rowSorts, sortRows, type NodeRow, type RowFilter, type RowSort } from './rows.ts';

/** Query of `/`; unknown keys are ignored, bad values of known keys are a 400. */
export const IndexQuerySchema = z.object({
  filter: z.enum(rowFilters).default('all'),
  sort: z.enum(rowSorts).default('status'),
  q: z.string().max(253).default(''),
  refresh: z.enum(['on', 'off']).default('on'),
  page: z.string().regex(/^[1-9]\d{0,5}$/, 'expected a page number from 1').transform(Number).default(1),
});
export type IndexQuery = z.infer<typeof IndexQuerySchema>;

/** What the index page shows. */
export interface IndexView {
  rows: NodeRow[];
  query: IndexQuery;
  /** False when the agent runs without Kubernetes (only this node is shown). */
  clusterView: boolean;
  /** Problems to show above the table (already plain text). */
  notices: string[];
  now: number;
  refreshSeconds: number;
}

/** Rows per page of the index. */
export const PAGE_SIZE = 100;

/**
 * `?…` for the query with `change` applied; defaults are left out so URLs stay short. Changing the
 * filter, sort or search goes back to the first page.
 */
export function queryHref(query: IndexQuery, change: Partial<IndexQuery>): string {
  const next = { ...query, ...change };
  if (change.page === undefined && (change.filter !== undefined || change.sort !== undefined || change.q !== undefined)) next.page = 1;
  const params = new URLSearchParams();
  if (next.filter !== 'all') params.set('filter', next.filter);
  if (next.sort !== 'status') params.set('sort', next.sort);
  if (next.q !== '') params.set('q', next.q);
  if (next.refresh !== 'on') params.set('refresh', next.refresh);
  if (next.page !== 1) params.set('page', String(next.page));
  const s = params.toString();
  return s === '' ? './' : `?${s}`;
}

const filterLabels: Record<RowFilter, string> = {
  all: 'All nodes',
  'not-ready': statusText['not-ready'].label,
  degraded: statusText.degraded.label,
  unchecked: statusText.unchecked.label,
  ready: statusText.ready.label,
};

const sortLabels: Record<RowSort, string> = {
  name: 'by name',
  status: 'by readiness, worst first',
  checked: 'by last check, oldest first',
};

function counts(view: IndexView): SafeHtml {
  const c = countRows(view.rows);
  const items = rowFilters.map((f) => {
    const n = f === 'all' ? view.rows.length : c[f];
    const current = view.query.filter === f;
    const cls = f === 'all' ? '' : ` status-${f}`;
    return html`<li><a class="count${cls}" href="${queryHref(view.query, { filter: f })}" data-filter="${f}"${current ? html` aria-current="true"` : ''}><span class="n">${n}</span> <span class="label">${filterLabels[f]}</span></a></li>`;
  });
  return html`<nav aria-label="Filter by readiness"><ul class="counts" id="counts">${items}</ul></nav>`;
}

function controls(view: IndexView): SafeHtml {
  const { query } = view;
  const hidden = [
    query.filter !== 'all' ? html`<input type="hidden" name="filter" value="${query.filter}">` : '',
    query.sort !== 'status' ? html`<input type="hidden" name="sort" value="${query.sort}">` : '',
    query.refresh !== 'on' ? html`<input type="hidden" name="refresh" value="${query.refresh}">` : '',
  ];
  const refresh = query.refresh === 'on'
    ? html`Auto-refresh every ${view.refreshSeconds} s. <a href="${queryHref(query, { refresh: 'off' })}">Stop auto-refresh</a>`
    : html`Auto-refresh is off. <a href="${queryHref(query, { refresh: 'on' })}">Resume auto-refresh</a>`;
  return html`<div class="controls">
<form class="search" method="get" role="search">
<label for="q">Node name contains</label>
<input id="q" name="q" type="search" value="${query.q}" maxlength="253" autocomplete="off">
${hidden}
<button type="submit">Filter</button>
${query.q !== '' ? html`<a href="${queryHref(query, { q: '' })}">Clear</a>` : ''}
</form>
<p class="meta">${refresh}</p>
</div>`;
}

function sortHeader(view: IndexView, sort: RowSort, label: string, ariaSort: 'ascending' | 'other'): SafeHtml {
  const active = view.query.sort === sort;
  return html`<th scope="col"${active ? html` aria-sort="${ariaSort}"` : ''}><a href="${queryHref(view.query, { sort })}" data-sort="${sort}" title="Sort ${sortLabels[sort]}">${label}</a>${active ? html`<span class="visually-hidden"> (sorted ${sortLabels[sort]})</span>` : ''}</th>`;
}

function nodeCell(row: NodeRow): SafeHtml {
  const name = row.linkable
    ? html`<a href="nodes/${encodeURIComponent(row.name)}">${row.name}</a>`
    : html`<span>${row.name}</span><span class="tag">not a valid node name</span>`;
  return html`<th scope="row">${name}${row.self ? html`<span class="tag">this agent</span>` : ''}</th>`;
}

function modulesCell(row: NodeRow): SafeHtml {
  const notLoaded = row.notLoaded === undefined
    ? ''
    : html`<div><span class="muted">Not loaded:</span> ${valueList(row.notLoaded)}</div>`;
  return html`<td><div><span class="muted">Missing:</span> ${valueList(row.missing)}</div>${notLoaded}</td>`;
}

function initCell(row: NodeRow): SafeHtml {
  if (row.initFailures === undefined) return html`<td><span class="muted">not published</span></td>`;
  if (row.initFailures.count === 0) return html`<td><span class="muted">none</span></td>`;
  return html`<td>${row.initFailures.count} diagnosed: ${valueList(row.initFailures.categories)}</td>`;
}

function rowHtml(row: NodeRow, now: number): SafeHtml {
  const heartbeat = row.heartbeatAt !== undefined && row.checkedAt !== undefined && Date.parse(row.heartbeatAt) !== Date.parse(row.checkedAt)
    ? html`<div class="muted">heartbeat ${timeCell(row.heartbeatAt, now)}</div>`
    : '';
  return html`<tr data-node="${row.name}" data-status="${row.status}">
${nodeCell(row)}
<td>${statusBadge(row.status)}</td>
<td>${row.backend ?? html`<span class="muted">unknown</span>`}</td>
<td>${row.mesh ?? html`<span class="muted">unknown</span>`}</td>
<td>${valueList(row.failing)}</td>
${modulesCell(row)}
${initCell(row)}
<td>${timeCell(row.checkedAt ?? row.heartbeatAt, now)}${heartbeat}</td>
</tr>`;
}

/** The page of `rows` to show: the requested one, or the last when it asks beyond. */
export function pageOf<T>(rows: readonly T[], page: number): { items: T[]; page: number; pages: number; first: number } {
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  const current = Math.min(page, pages);
  const first = (current - 1) * PAGE_SIZE;
  return { items: rows.slice(first, first + PAGE_SIZE), page: current, pages, first };
}

function pager(view: IndexView, paged: { page: number; pages: number }): SafeHtml {
  if (paged.pages <= 1) return html``;
  const { query } = view;
  const link = (page: number, label: string, rel?: string) =>
    html`<a href="${queryHref({ ...query, page: paged.page }, { page })}"${rel ? html` rel="${rel}"` : ''}>${label}</a>`;
  const items = [
    paged.page > 1 ? html`<li>${link(1, 'First')}</li><li>${link(paged.page - 1, 'Previous', 'prev')}</li>` : '',
    html`<li aria-current="page">Page ${paged.page} of ${paged.pages}</li>`,
    paged.page < paged.pages ? html`<li>${link(paged.page + 1, 'Next', 'next')}</li><li>${link(paged.pages, 'Last')}</li>` : '',
  ];
  return html`<nav class="pager" aria-label="Pages"><ul>${items}</ul></nav>`;
}

function table(view: IndexView): SafeHtml {
  const matching = sortRows(filterRows(view.rows, view.query.filter, view.query.q), view.query.sort);
  const paged = pageOf(matching, view.query.page);
  const shown = paged.items;
  const filterText = view.query.filter === 'all' ? '' : `, readiness: ${filterLabels[view.query.filter].toLowerCase()}`;
  const nameText = view.query.q === '' ? '' : `, name contains “${view.query.q}”`;
  const pageText = paged.pages > 1 ? `; page ${paged.page} of ${paged.pages}, rows ${paged.first + 1}–${paged.first + shown.length}` : '';
  const body = shown.length > 0
    ? shown.map((r) => rowHtml(r, view.now))
    : html`<tr><td colspan="8">No nodes match this filter. <a href="${queryHref(view.query, { filter: 'all', q: '' })}">Show all nodes</a>.</td></tr>`;
  // A focusable scroll region, so a wide table can be scrolled sideways with the keyboard too.
  return html`<div class="table-wrap" role="region" aria-labelledby="nodes-caption" tabindex="0"><table id="nodes">
<caption id="nodes-caption">Mesh interception readiness: ${matching.length} of ${view.rows.length} nodes${filterText}${nameText}; sorted ${sortLabels[view.query.sort]}${pageText}.</caption>
<thead><tr>
${sortHeader(view, 'name', 'Node', 'ascending')}
${sortHeader(view, 'status', 'Readiness', 'other')}
<th scope="col">iptables backend</th>
<th scope="col">Mesh</th>
<th scope="col">Failing checks</th>
<th scope="col">Kernel modules</th>
<th scope="col">Init-container failures</th>
${sortHeader(view, 'checked', 'Last checked', 'ascending')}
</tr></thead>
<tbody>
${body}
</tbody>
</table></div>
${pager(view, paged)}`;
}

/** Renders the index page. */
export function renderIndex(view: IndexView): string {
  const notices = view.notices.map((n) => html`<p class="banner error" role="status">${n}</p>`);
  const scope = view.clusterView
    ? 'Every node of the cluster, as published by each node’s agent (labels, condition and report annotation).'
    : 'No Kubernetes access: showing only the node this agent runs on.';
  return page({
    title: 'Mesh interception readiness',
    base: '',
    refreshSeconds: view.query.refresh === 'on' ? view.refreshSeconds : undefined,
    subtitle: scope,
    body: html`${notices}
<h2 id="summary">Summary</h2>
${counts(view)}
${controls(view)}
${table(view)}`,
  });
}
