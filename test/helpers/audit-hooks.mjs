// Module loader hooks for test/helpers/audit-preload.mjs: record every module URL that is loaded.
import { appendFileSync } from 'node:fs';

let out;
export function initialize(data) {
  out = data.out;
}

export async function load(url, context, nextLoad) {
  appendFileSync(out, `${JSON.stringify({ load: url })}\n`);
  return nextLoad(url, context);
}
