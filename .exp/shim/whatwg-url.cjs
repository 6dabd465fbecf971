module.exports = { URL: globalThis.URL, URLSearchParams: globalThis.URLSearchParams };
