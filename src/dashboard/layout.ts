/**
 * The page shell and the small pieces every page shares (status badges, times, lists). Links are
 * relative (`base` is '' on `/` and '../' on `/nodes/:name`) so the dashboard also works behind a
 * path prefix such as `kubectl proxy`'s `/api/v1/namespaces/…/pods/…:9808/proxy/`.
 */
import { html, type HtmlValue, type SafeHtml } from './html.ts';
import type { RowStatus } from './rows.ts';
import type { CheckStatus } from '../core/report.ts';

/** Text and symbol for each row status; the colour class is only a second signal. */
export const statusText: Record<RowStatus, { label: string; symbol: string }> = {
  ready: { label: 'Ready', symbol: '✓' },
  degraded: { label: 'Degraded', symbol: '!' },
  'not-ready': { label: 'Not ready', symbol: '✗' },
  unchecked: { label: 'Never checked', symbol: '?' },
};

const checkText: Record<CheckStatus, { label: string; symbol: string }> = {
  pass: { label: 'Pass', symbol: '✓' },
  warn: { label: 'Warning', symbol: '!' },
  fail: { label: 'Fail', symbol: '✗' },
  skip: { label: 'Skipped', symbol: '–' },
};

/** A status badge: symbol (hidden from screen readers) plus the status in words. */
export function statusBadge(status: RowStatus): SafeHtml {
  const t = statusText[status];
  return html`<span class="status status-${status}"><span aria-hidden="true">${t.symbol} </span>${t.label}</span>`;
}

/** A check status badge. */
export function checkBadge(status: CheckStatus): SafeHtml {
  const t = checkText[status];
  return html`<span class="status status-${status}"><span aria-hidden="true">${t.symbol} </span>${t.label}</span>`;
}

function relative(ms: number, now: number): string {
  const s = Math.round((now - ms) / 1000);
  if (s < 0) return 'in the future';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** A `<time>` with the UTC time and how long ago it was; unparsable text is shown as is. */
export function timeCell(iso: string | undefined, now: number): SafeHtml {
  if (iso === undefined) return html`<span class="muted">never</span>`;
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return html`${iso}`;
  const utc = new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
  return html`<time datetime="${new Date(ms).toISOString()}">${utc}</time> <span class="muted">(${relative(ms, now)})</span>`;
}

/** A list of short values (module names, check ids), or a dash for none. */
export function valueList(values: readonly string[] | undefined, none = 'none'): SafeHtml {
  if (values === undefined) return html`<span class="muted">unknown</span>`;
  if (values.length === 0) return html`<span class="muted">${none}</span>`;
  return html`<ul class="plain">${values.map((v) => html`<li><code>${v}</code></li>`)}</ul>`;
}

/** Options of page(). */
export interface PageOptions {
  title: string;
  /** Prefix that leads from this page back to the dashboard root: '' or '../'. */
  base: string;
  /** `<meta http-equiv="refresh">` interval; omitted when undefined (works without JavaScript). */
  refreshSeconds?: number;
  /** Shown under the title. */
  subtitle?: HtmlValue;
  body: SafeHtml;
}

/** A whole HTML document. */
export function page(opts: PageOptions): string {
  const refresh = opts.refreshSeconds === undefined ? '' : html`<meta http-equiv="refresh" content="${opts.refreshSeconds}">`;
  return String(html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${refresh}
<title>${opts.title} · mesh-preflight</title>
<link rel="stylesheet" href="${opts.base}assets/dashboard.css">
<link rel="icon" href="${opts.base}assets/favicon.svg" type="image/svg+xml">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
<p class="meta"><a href="${opts.base === '' ? './' : opts.base}">mesh-preflight</a></p>
<h1>${opts.title}</h1>
${opts.subtitle === undefined ? '' : html`<p class="meta">${opts.subtitle}</p>`}
</header>
<main id="main" tabindex="-1">
${opts.body}
</main>
<footer>
<p>Served by the mesh-preflight agent. Machine-readable: <code>/v1/report</code> (this node), <code>/v1/nodes</code> (cluster view).</p>
</footer>
</body>
</html>
`);
}
