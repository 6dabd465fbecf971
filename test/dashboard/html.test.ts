import test from 'ava';
import { escapeHtml, html, joinHtml } from '../../src/dashboard/html.ts';

test('escapeHtml escapes the five characters that matter in content and quoted attributes', (t) => {
  t.is(escapeHtml(`<a href="x" title='y'>&amp;</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
  t.is(escapeHtml('plain text'), 'plain text');
});

test('html escapes every interpolated value but keeps the literal markup', (t) => {
  const name = '<img src=x onerror=alert(1)>';
  t.is(String(html`<p title="${name}">${name}</p>`), '<p title="&lt;img src=x onerror=alert(1)&gt;">&lt;img src=x onerror=alert(1)&gt;</p>');
});

test('html nests without escaping twice, joins arrays, drops nullish and false', (t) => {
  const inner = html`<b>${'a&b'}</b>`;
  const out = html`<div>${inner}${['<x>', html`<i>y</i>`]}${undefined}${null}${false}${0}</div>`;
  t.is(String(out), '<div><b>a&amp;b</b>&lt;x&gt;<i>y</i>0</div>');
});

test('a plain object that looks like SafeHtml is still escaped', (t) => {
  const fake = { toString: () => '<script>alert(1)</script>' };
  // @ts-expect-error: only html() makes SafeHtml; anything else must not pass as markup
  t.is(String(html`${fake}`), '&lt;script&gt;alert(1)&lt;/script&gt;');
});

test('joinHtml escapes parts and separator', (t) => {
  t.is(String(joinHtml(['<a>', html`<b>x</b>`], ' & ')), '&lt;a&gt; &amp; <b>x</b>');
});
