/**
 * Property (fast-check, fixed seed): whatever tree of directories, files and links a host holds (links
 * absolute, relative, climbing, looping, dangling, and pointing at a marker beside the root by its real
 * path), every host path resolves inside the root or fails with a HostPathError, and no read ever returns
 * the marker's text. The tree is built on disk for each run.
 */
import test from 'ava';
import fc from 'fast-check';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HostPathError, HostRoot } from '../../src/host/root.ts';
import { removeSandboxes, sandbox } from '../helpers/host-trees.ts';

test.after.always(removeSandboxes);

const MARKER = 'MARKER-OUTSIDE-THE-ROOT';
const names = ['a', 'b', 'etc', 'lib'];
const component = fc.constantFrom(...names, '..', '.');
const relPath = fc.array(component, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/'));

type Entry = { path: string[]; kind: 'dir' | 'file' | 'link'; target: string };

test('any tree of links: resolution stays inside the root, reads never see the marker beside it', async (t) => {
  const { root, outside } = await sandbox('mp-resolve-prop-');
  await writeFile(path.join(outside, 'marker'), MARKER);
  const target = fc.oneof(
    relPath,
    relPath.map((p) => `/${p}`),
    fc.constant(path.join(outside, 'marker')),
    fc.constant(outside),
    fc.integer({ min: 1, max: 12 }).map((n) => `${'../'.repeat(n)}outside/marker`),
  );
  const entry = fc.record({
    path: fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 3 }),
    kind: fc.constantFrom<'dir' | 'file' | 'link'>('dir', 'file', 'link', 'link'),
    target,
  });
  // How often the OS itself, following links from this machine's /, would have read the marker: the
  // property is only meaningful if the generated trees do lead out.
  let escapesByOs = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(entry, { maxLength: 12 }), fc.array(relPath.map((p) => `/${p}`), { minLength: 1, maxLength: 6 }), async (entries: Entry[], queries) => {
      await rm(root, { recursive: true, force: true });
      await mkdir(root);
      for (const e of entries) {
        const at = path.join(root, ...e.path);
        try {
          await mkdir(path.dirname(at), { recursive: true });
          if (e.kind === 'dir') await mkdir(at, { recursive: true });
          else if (e.kind === 'file') await writeFile(at, `inside ${e.path.join('/')}`, { flag: 'wx' });
          else await symlink(e.target, at);
        } catch {
          // an earlier entry took the name, or a parent is a file or link: that entry is just not made
        }
      }
      const host = new HostRoot(root);
      // A check's snapshot root walks with a memo of the directories above each file: same answers, always.
      const snapshot = new HostRoot(root, { snapshot: true });
      // Every entry made is queried too (directly, and as a directory to climb out of), besides the random paths.
      const made = entries.flatMap((e) => [`/${e.path.join('/')}`, `/${e.path.join('/')}/marker`, `/${e.path.join('/')}/../outside/marker`]);
      for (const query of [...queries, ...made]) {
        try {
          const resolution = await host.resolve(query);
          if (resolution.realPath !== host.realRoot && !resolution.realPath.startsWith(`${host.realRoot}/`)) {
            throw new Error(`${query} resolved outside the root: ${resolution.realPath}`);
          }
        } catch (error) {
          if (!(error instanceof HostPathError)) throw error;
          if (error.message.includes('\n')) throw new Error(`not one line: ${error.message}`);
        }
        const [plainWalk, memoWalk] = await Promise.all([host.resolve(query).catch(String), snapshot.resolve(query).catch(String)]);
        const strip = (r: unknown) => (typeof r === 'string' ? r : { ...(r as object), stats: undefined });
        if (JSON.stringify(strip(plainWalk)) !== JSON.stringify(strip(memoWalk))) throw new Error(`${query}: snapshot walk differs: ${JSON.stringify(strip(memoWalk))}`);
        if ((await readFile(path.join(root, query), 'utf8').catch(() => '')) === MARKER) escapesByOs += 1;
        const read = await host.read(query);
        if (read.ok && read.text.includes(MARKER)) throw new Error(`${query} read the marker outside the root`);
        for (const name of (await host.list(query)) ?? []) if (name === 'marker') throw new Error(`${query} listed the directory outside the root`);
      }
    }),
    { seed: 20261207, numRuns: 80 },
  );
  t.true(escapesByOs > 0, 'some generated trees lead out of the root when the OS follows their links');
  t.log(`${escapesByOs} queries would have read the marker through the OS`);
});
