/**
 * The dashboard's one escaping function and the `html` tagged template built on it. Every value
 * interpolated into a page goes through `html`, which escapes it unless it is already a SafeHtml
 * produced by `html` itself; there is no other way to mark text as safe, so untrusted input (node
 * names, labels, annotation text, evidence, log lines) cannot reach a page unescaped.
 */

// Not exported: only `html` and `joinHtml` can make one, so nothing else can mark text as safe.
class SafeHtmlImpl {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  toString(): string {
    return this.#value;
  }
}

/** HTML built by `html` (literal template parts plus escaped values): inserted as is. */
export type SafeHtml = SafeHtmlImpl;

/** A value `html` accepts: text is escaped, SafeHtml is kept, arrays are concatenated, nullish is dropped. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for HTML element content and for double- or single-quoted attribute values
 * (OWASP XSS Prevention Cheat Sheet, rules 1 and 2: `& < > " '`).
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtmlImpl) return value.toString();
  if (Array.isArray(value)) return value.map((v: HtmlValue) => render(v)).join('');
  return escapeHtml(String(value));
}

/** Tagged template: the literal parts are trusted markup, every interpolated value is escaped. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtmlImpl(out);
}

/** Concatenates fragments with a separator (the separator is escaped like any value). */
export function joinHtml(parts: readonly HtmlValue[], separator: string): SafeHtml {
  return new SafeHtmlImpl(parts.map(render).join(escapeHtml(separator)));
}
