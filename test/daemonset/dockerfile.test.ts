/** The Dockerfile is well-formed and builds what package.json and the DaemonSet expect (no Docker engine here). */
import test from 'ava';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { copyArgs, execForm, isDockerIgnored, lintDockerfile, parseDockerfile, type BuildOutputs } from './dockerfile-lint.ts';
import { needs } from '../helpers/requirements.ts';
import { agentOf, render, REPO_ROOT } from './helpers.ts';

const dockerfile = readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');
const dockerignore = readFileSync(path.join(REPO_ROOT, '.dockerignore'), 'utf8');
const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  scripts: Record<string, string>;
  files: string[];
  engines: { node: string }; dependencies?: Record<string, string>;
};
const tsconfig = JSON.parse(readFileSync(path.join(REPO_ROOT, 'tsconfig.json'), 'utf8')) as { include: string[] };

const BUILD_OUTPUTS: BuildOutputs = {
  '/app/dist': /\bnpm run build\b/,
  '/app/node_modules': /\bnpm ci\b/,
};
const lint = (text: string) => lintDockerfile(text, { contextDir: REPO_ROOT, dockerignore, buildOutputs: BUILD_OUTPUTS });
const instructions = parseDockerfile(dockerfile);
const stageStarts = instructions.flatMap((ins, i) => (ins.keyword === 'FROM' ? [i] : []));
const runtime = instructions.slice(stageStarts.at(-1));
const build = instructions.slice(stageStarts[0], stageStarts[1]);

test('the Dockerfile passes the lint', (t) => {
  t.deepEqual(lint(dockerfile), []);
});

test('the lint can fail: each rule catches its mutation', (t) => {
  const mutate = (from: string | RegExp, to: string) => {
    const changed = dockerfile.replace(from, to);
    if (changed === dockerfile) throw new Error(`mutation ${String(from)} did not apply`);
    return lint(changed).join('\n');
  };
  t.regex(mutate(/FROM node:\S+ AS build/, 'FROM node:latest AS build'), /latest tag/);
  t.regex(mutate(/FROM node:\S+ AS build/, 'FROM node:20-bookworm-slim AS build'), /not pinned/);
  t.regex(mutate('WORKDIR /app\n', 'WORKDIR /app\nCOPPY x y\n'), /unknown instruction/);
  t.regex(mutate(/ENTRYPOINT .*/, 'ENTRYPOINT /app/dist/mesh-preflight.js'), /exec \(JSON array\) form/);
  t.regex(mutate('COPY src ./src', 'COPY srcs ./src'), /srcs does not exist/);
  t.regex(mutate('COPY checks ./checks', 'COPY test ./test'), /test is excluded by .dockerignore/);
  t.regex(mutate('/app/package.json ./package.json', '/app/README.md ./README.md'), /neither copied into nor built/);
  t.regex(mutate('RUN npm run build', 'RUN true'), /npm run build/);
  t.regex(mutate('--from=build /app/dist', '--from=builder /app/dist'), /no earlier stage named builder/);
  t.regex(mutate(' \\\n && rm -rf /var/lib/apt/lists/*', ''), /apt lists not removed/);
});

test('FROM: both stages use the same pinned node 20 bookworm-slim image', (t) => {
  const images = instructions.filter((i) => i.keyword === 'FROM').map((i) => i.args.split(/\s+/)[0]!);
  t.is(images.length, 2);
  t.is(images[0], images[1]);
  t.regex(images[0]!, /^node:20\.\d+\.\d+-bookworm-slim(@sha256:[0-9a-f]{64})?$/);
  t.regex(pkg.engines.node, /^>=20/);
});

test('build stage: npm ci, then build; sources the build reads are copied', (t) => {
  const runs = build.filter((i) => i.keyword === 'RUN').map((i) => i.args).join('\n');
  const order = ['npm ci', 'npm run build'].map((c) => runs.indexOf(c));
  t.true(order.every((i) => i >= 0), runs);
  t.deepEqual([...order].sort((a, b) => a - b), order);
  const copied = build.filter((i) => i.keyword === 'COPY').flatMap((i) => copyArgs(i.args).sources);
  // tsconfig "include" roots (src/**/*.ts → src) and the files the build script runs.
  for (const root of tsconfig.include.map((glob) => glob.split('/')[0]!)) t.true(copied.includes(root), `${root} (tsconfig include)`);
  for (const script of pkg.scripts['build']!.match(/scripts\/\S+/g) ?? []) {
    t.true(copied.some((c) => script === c || script.startsWith(`${c}/`)), `${script} (npm run build)`);
  }
  for (const file of ['package.json', 'package-lock.json', 'tsconfig.json']) t.true(copied.includes(file), file);
});

test('runtime stage: exactly the OS packages the checks run, from apt', (t) => {
  const install = runtime.find((i) => i.keyword === 'RUN' && /apt-get install/.test(i.args));
  t.truthy(install);
  const packages = install!.args.split(/\s+/).filter((w, i, all) => all.indexOf('install') < i && !w.startsWith('-') && !['&&', '\\'].includes(w));
  const installed = packages.slice(0, packages.indexOf('rm') === -1 ? undefined : packages.indexOf('rm'));
  t.deepEqual([...installed].sort(), ['iproute2', 'ipset', 'iptables', 'kmod', 'nftables']);
});

test('runtime stage: the bundle and the package\'s runtime dependencies only — no npm install', (t) => {
  const copied = runtime.filter((i) => i.keyword === 'COPY').flatMap((i) => copyArgs(i.args).sources);
  const modules = copied.filter((s) => /node_modules/.test(s)).sort();
  t.deepEqual(modules, Object.keys(pkg.dependencies ?? {}).sort().map((d) => `/app/node_modules/${d}`), copied.join(' '));
  t.false(runtime.some((i) => i.keyword === 'RUN' && /\bnpm\b/.test(i.args)));
  for (const file of pkg.files.filter((f) => !f.includes('*'))) t.true(copied.includes(`/app/${file.replace(/\/$/, '')}`), file);
  t.true(copied.includes('/app/package.json'), 'package.json ("type": "module")');
});

test('ENTRYPOINT runs the executable named in package.json bin (its launcher sets the agent\'s V8 flags); CMD defaults to the agent', (t) => {
  const entrypoint = execForm(runtime.find((i) => i.keyword === 'ENTRYPOINT')!.args);
  const workdir = runtime.filter((i) => i.keyword === 'WORKDIR').at(-1)!.args;
  t.deepEqual(entrypoint, [path.posix.join(workdir, pkg.bin['mesh-preflight']!)]);
  t.deepEqual(execForm(runtime.find((i) => i.keyword === 'CMD')!.args), ['agent']);
});

test('USER: numeric non-root in the image', (t) => {
  const user = runtime.filter((i) => i.keyword === 'USER').at(-1)?.args;
  t.regex(user ?? '', /^[1-9][0-9]*(:[0-9]+)?$/);
});

needs('kubectl')('the DaemonSet runs the image as root on purpose', (t) => {
  t.is(agentOf(render('base')).container.securityContext.runAsUser, 0);
});

test('.dockerignore keeps the context small but keeps what the build copies', (t) => {
  for (const p of ['node_modules', 'node_modules/yaml/package.json', 'dist', 'dist/mesh-preflight.js', 'test', 'test/daemonset/helpers.ts', '.git', 'x.log']) {
    t.true(isDockerIgnored(p, dockerignore), p);
  }
  for (const p of ['src', 'src/cli/main.ts', 'checks', 'package.json', 'package-lock.json', 'tsconfig.json', 'scripts/build.ts', 'scripts/bundle-shims/whatwg-url.cjs']) {
    t.false(isDockerIgnored(p, dockerignore), p);
  }
});

test('dockerignore matching: globs, ** and negation', (t) => {
  t.true(isDockerIgnored('a/b.log', '**/*.log'));
  t.false(isDockerIgnored('a/b.log', '*.log'));
  t.true(isDockerIgnored('b.log', '*.log'));
  t.false(isDockerIgnored('docs/keep.md', 'docs\n!docs/keep.md'));
  t.true(isDockerIgnored('docs/other.md', 'docs\n!docs/keep.md'));
});

test('parseDockerfile: continuations, comments inside them, case-insensitive keywords', (t) => {
  const parsed = parseDockerfile('# c\nfrom a:1.2.3\nRUN a \\\n# inner comment\n && b\n\nCMD ["x"]\n');
  t.deepEqual(
    parsed.map((i) => [i.keyword, i.args.replace(/\s+/g, ' ')]),
    [
      ['FROM', 'a:1.2.3'],
      ['RUN', 'a && b'],
      ['CMD', '["x"]'],
    ],
  );
});
