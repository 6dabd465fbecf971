/** kubectl-style plain tables and ages, for the plugin's output. */

/** Columns padded to their widest cell, three spaces apart (as `kubectl get`). */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], widths?: number[]): string[] {
  const w = widths ?? columnWidths(header, rows);
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(w[i] ?? 0))).join('   ').trimEnd();
  return [line(header), ...rows.map(line)];
}

export function columnWidths(header: readonly string[], rows: readonly (readonly string[])[]): number[] {
  return header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
}

/** `kubectl get`'s AGE: 45s, 12m, 5h, 3d (2d4h under three days), or <unknown>. */
export function age(iso: string | undefined, now: number): string {
  if (iso === undefined) return '<none>';
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return '<unknown>';
  const s = Math.max(0, Math.floor((now - ms) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 && h < 8 ? `${h}h${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return d < 8 && h % 24 ? `${d}d${h % 24}h` : `${d}d`;
}
