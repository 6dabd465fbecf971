// Bundle-time stand-in for `whatwg-url` (scripts/bundle-plugins.ts). Its only importer, node-fetch 2
// (through @kubernetes/client-node), uses `require('url').URL || whatwgUrl.URL`: Node's own URL always
// wins, so whatwg-url and its 260 KB Unicode table (tr46) would be loaded and never used.
module.exports = { URL: globalThis.URL, URLSearchParams: globalThis.URLSearchParams };
