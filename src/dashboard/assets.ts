/**
 * The dashboard's static assets, kept as string constants so they ship inside the compiled module
 * (dist/ needs no copy step) and are served by the route at `/assets/…`. No inline styles anywhere:
 * the Content-Security-Policy allows styles from 'self' only.
 */

/** `GET /assets/dashboard.css`. Status colours always come with a text label and a symbol. */
export const DASHBOARD_CSS = `
:root {
  color-scheme: light dark;
  --fg: #1b1f24; --bg: #ffffff; --muted: #57606a; --line: #d0d7de; --panel: #f6f8fa; --link: #0550ae;
  --focus: #bf3989;
  --ready-fg: #0f5323; --ready-bg: #dafbe1;
  --degraded-fg: #6c3b00; --degraded-bg: #fff1c2;
  --not-ready-fg: #82071e; --not-ready-bg: #ffe3e6;
  --unchecked-fg: #3d444d; --unchecked-bg: #eaeef2;
}
@media (prefers-color-scheme: dark) {
  :root {
    --fg: #e6edf3; --bg: #0d1117; --muted: #9da7b3; --line: #3d444d; --panel: #161b22; --link: #79c0ff;
    --focus: #ff9bce;
    --ready-fg: #aff5b4; --ready-bg: #033a16;
    --degraded-fg: #f8e3a1; --degraded-bg: #4b2900;
    --not-ready-fg: #ffdcd7; --not-ready-bg: #67060c;
    --unchecked-fg: #d1d7e0; --unchecked-bg: #2f3742;
  }
}
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header, main, footer { max-width: 80rem; margin: 0 auto; padding: 0.75rem 1.25rem; }
header { border-bottom: 1px solid var(--line); }
h1 { font-size: 1.4rem; margin: 0.25rem 0; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 0.5rem; }
h3 { font-size: 1rem; margin: 0 0 0.35rem; }
a { color: var(--link); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, summary:focus-visible {
  outline: 3px solid var(--focus); outline-offset: 2px; border-radius: 2px;
}
.skip { position: absolute; left: -999px; top: 0.5rem; background: var(--bg); padding: 0.4rem 0.6rem; }
.skip:focus { left: 0.5rem; z-index: 1; }
.muted, .meta { color: var(--muted); }
.meta { margin: 0; font-size: 0.9rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.banner { border: 1px solid var(--line); border-left-width: 6px; padding: 0.5rem 0.75rem; margin: 0.75rem 0; background: var(--panel); }
.banner.error { border-left-color: var(--not-ready-fg); }
.counts { list-style: none; display: flex; flex-wrap: wrap; gap: 0.5rem; padding: 0; margin: 0.5rem 0; }
.counts a { display: inline-flex; gap: 0.4rem; align-items: baseline; padding: 0.35rem 0.7rem; border: 1px solid var(--line); border-radius: 6px; text-decoration: none; color: var(--fg); }
.counts a[aria-current="true"] { border-width: 2px; border-color: var(--fg); font-weight: 600; }
.counts .n { font-size: 1.3rem; font-weight: 700; }
.pager ul { list-style: none; display: flex; flex-wrap: wrap; gap: 0.75rem; padding: 0; margin: 0.75rem 0; align-items: baseline; }
.pager li[aria-current="page"] { font-weight: 600; }
.controls { display: flex; flex-wrap: wrap; gap: 1rem 2rem; align-items: center; margin: 0.5rem 0 1rem; }
.controls ul { list-style: none; display: inline-flex; gap: 0.75rem; padding: 0; margin: 0; }
.controls a[aria-current="true"] { font-weight: 700; text-decoration-thickness: 3px; }
form.search { display: inline-flex; gap: 0.4rem; align-items: center; }
input, button { font: inherit; padding: 0.25rem 0.5rem; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; padding: 0.25rem 0; color: var(--muted); }
th, td { text-align: left; vertical-align: top; padding: 0.45rem 0.6rem; border-bottom: 1px solid var(--line); }
thead th { background: var(--panel); }
td code { overflow-wrap: anywhere; }
.table-wrap { overflow-x: auto; }
.table-wrap:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
tbody th { font-weight: 600; min-width: 8rem; overflow-wrap: anywhere; }
.status { display: inline-block; white-space: nowrap; padding: 0.05rem 0.5rem; border-radius: 999px; font-weight: 600; }
.status-ready { color: var(--ready-fg); background: var(--ready-bg); }
.status-degraded { color: var(--degraded-fg); background: var(--degraded-bg); }
.status-not-ready { color: var(--not-ready-fg); background: var(--not-ready-bg); }
.status-unchecked { color: var(--unchecked-fg); background: var(--unchecked-bg); }
.status-pass { color: var(--ready-fg); background: var(--ready-bg); }
.status-warn { color: var(--degraded-fg); background: var(--degraded-bg); }
.status-fail { color: var(--not-ready-fg); background: var(--not-ready-bg); }
.status-skip { color: var(--unchecked-fg); background: var(--unchecked-bg); }
.tag { display: inline-block; white-space: nowrap; font-size: 0.8rem; border: 1px solid var(--line); border-radius: 4px; padding: 0 0.3rem; margin-left: 0.3rem; color: var(--muted); }
ul.plain { margin: 0; padding-left: 1.1rem; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.88rem; }
pre { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 0.5rem 0.75rem; overflow-x: auto; margin: 0.35rem 0; white-space: pre-wrap; word-break: break-all; }
pre.command { user-select: all; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0.5rem 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
article.check, article.finding { border: 1px solid var(--line); border-radius: 8px; padding: 0.75rem 1rem; margin: 0.75rem 0; }
article.check-fail { border-left: 6px solid var(--not-ready-fg); }
article.check-warn { border-left: 6px solid var(--degraded-fg); }
footer { color: var(--muted); font-size: 0.85rem; border-top: 1px solid var(--line); margin-top: 2rem; }
`;

/** `GET /assets/favicon.svg`: served so browsers do not log a 404 for a missing icon. */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#0550ae"/>' +
  '<path d="M4 8.5l2.5 2.5L12 5" stroke="#fff" stroke-width="2" fill="none"/></svg>';
