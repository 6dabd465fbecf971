/**
 * A Dockerfile parser and linter for the rules this project holds its Dockerfile to (no Docker
 * engine here). Syntax per the Dockerfile reference (https://docs.docker.com/reference/dockerfile/):
 * instructions are case-insensitive keywords; `\` at line end continues a line; `#` lines are
 * comments (also inside a continuation); exec form is a JSON array. .dockerignore patterns follow
 * Go filepath.Match plus `**`, matched against paths relative to the context, where a pattern that
 * matches a directory excludes everything below it, and `!` re-includes
 * (https://docs.docker.com/build/concepts/context/#dockerignore-files).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

/** Every instruction keyword the Dockerfile reference defines (MAINTAINER is deprecated). */
export const KNOWN_INSTRUCTIONS = new Set([
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL', 'ONBUILD', 'RUN', 'SHELL',
  'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
]);

/** One instruction with its (continuation-joined) argument text and first line number. */
export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

/** Splits a Dockerfile into instructions. */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let buffer = '';
  let start = 0;
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    const trimmed = line.trim();
    if (trimmed.startsWith('#') || (trimmed === '' && buffer === '')) return;
    if (buffer === '') start = index + 1;
    if (line.endsWith('\\')) {
      buffer += `${line.slice(0, -1)} `;
      return;
    }
    buffer += line;
    const match = /^\s*(\S+)\s*(.*)$/s.exec(buffer);
    if (match) out.push({ keyword: match[1]!.toUpperCase(), args: match[2]!.trim(), line: start });
    buffer = '';
  });
  if (buffer.trim() !== '') out.push({ keyword: '<EOF>', args: buffer, line: start });
  return out;
}

/** The JSON exec form of an instruction's arguments, or undefined when it is the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.every((x) => typeof x === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** COPY/ADD arguments: --flags, sources and destination. */
export function copyArgs(args: string): { flags: Record<string, string>; sources: string[]; dest: string } {
  const words = execForm(args) ?? args.split(/\s+/).filter(Boolean);
  const flags: Record<string, string> = {};
  while (words[0]?.startsWith('--')) {
    const [key, value = 'true'] = words.shift()!.slice(2).split(/=(.*)/s);
    flags[key!] = value;
  }
  const dest = words.pop() ?? '';
  return { flags, sources: words, dest };
}

function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i += 1;
      if (pattern[i + 1] === '/') i += 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Whether a context-relative path is excluded by .dockerignore content. */
export function isDockerIgnored(relPath: string, dockerignore: string): boolean {
  const target = path.posix.normalize(relPath.replace(/^\.?\/+/, '')).replace(/\/$/, '');
  const prefixes = target.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const raw of dockerignore.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    const pattern = path.posix.normalize((negate ? line.slice(1) : line).replace(/^\/+/, '')).replace(/\/$/, '');
    const re = globToRegExp(pattern);
    if (prefixes.some((p) => re.test(p))) ignored = !negate;
  }
  return ignored;
}

/** Files a stage produces by running a command, with the command that must appear in its RUNs. */
export type BuildOutputs = Record<string, RegExp>;

/** Everything wrong with a Dockerfile by the project's rules (empty when it passes). */
export function lintDockerfile(text: string, options: { contextDir: string; dockerignore: string; buildOutputs: BuildOutputs }): string[] {
  const problems: string[] = [];
  const instructions = parseDockerfile(text);
  const stages: Array<{ name?: string; image: string; workdir: string; copiedTo: string[]; runs: string[]; user?: string }> = [];

  for (const ins of instructions) {
    const at = `line ${ins.line} ${ins.keyword}`;
    if (!KNOWN_INSTRUCTIONS.has(ins.keyword)) {
      problems.push(`${at}: unknown instruction`);
      continue;
    }
    if (ins.keyword !== 'FROM' && ins.keyword !== 'ARG' && stages.length === 0) problems.push(`${at}: before the first FROM`);
    const stage = stages.at(-1);
    switch (ins.keyword) {
      case 'FROM': {
        const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
        if (!m) {
          problems.push(`${at}: cannot parse "${ins.args}"`);
          break;
        }
        const image = m[1]!;
        if (image.includes('$')) problems.push(`${at}: ${image} uses a build argument; pin it literally`);
        const digest = /@sha256:[0-9a-f]{64}$/.test(image);
        const tag = /:([^/@]+)(?:@|$)/.exec(image)?.[1];
        if (tag === 'latest') problems.push(`${at}: ${image} uses the latest tag`);
        if (!digest && !(tag && /\d+\.\d+\.\d+/.test(tag))) problems.push(`${at}: ${image} is not pinned to a full version tag or a digest`);
        stages.push({ ...(m[2] ? { name: m[2] } : {}), image, workdir: '/', copiedTo: [], runs: [] });
        break;
      }
      case 'WORKDIR':
        if (!ins.args.startsWith('/')) problems.push(`${at}: use an absolute path`);
        if (stage) stage.workdir = path.posix.resolve(stage.workdir, ins.args);
        break;
      case 'RUN':
        stage?.runs.push(ins.args);
        if (/\bapt-get\s+install\b/.test(ins.args)) {
          if (!/--no-install-recommends/.test(ins.args)) problems.push(`${at}: apt-get install without --no-install-recommends`);
          if (!/rm -rf \/var\/lib\/apt\/lists/.test(ins.args)) problems.push(`${at}: apt lists not removed in the same layer`);
        }
        if (/\blatest\b/.test(ins.args)) problems.push(`${at}: installs "latest"`);
        break;
      case 'USER':
        if (stage) stage.user = ins.args;
        break;
      case 'ENTRYPOINT':
      case 'CMD':
        if (!execForm(ins.args)) problems.push(`${at}: use the exec (JSON array) form`);
        break;
      case 'ADD':
        problems.push(`${at}: use COPY (ADD fetches URLs and unpacks archives implicitly)`);
        break;
      case 'COPY': {
        if (!stage) break;
        const { flags, sources, dest } = copyArgs(ins.args);
        if (sources.length === 0 || dest === '') problems.push(`${at}: needs a source and a destination`);
        const from = flags['from'];
        if (from === undefined) {
          for (const source of sources) {
            if (!existsSync(path.join(options.contextDir, source))) problems.push(`${at}: ${source} does not exist in the build context`);
            else if (isDockerIgnored(source, options.dockerignore)) problems.push(`${at}: ${source} is excluded by .dockerignore`);
          }
        } else {
          const producer = stages.find((s) => s.name === from);
          if (!producer) {
            problems.push(`${at}: no earlier stage named ${from}`);
            break;
          }
          for (const source of sources) {
            const abs = path.posix.resolve(producer.workdir, source);
            const copied = producer.copiedTo.some((d) => abs === d || abs.startsWith(`${d}/`));
            const built = Object.entries(options.buildOutputs).find(([out]) => abs === out || abs.startsWith(`${out}/`));
            if (copied) continue;
            if (!built) problems.push(`${at}: ${abs} is neither copied into nor built in stage ${from}`);
            else if (!producer.runs.some((r) => built[1].test(r))) problems.push(`${at}: ${abs} needs ${String(built[1])} in a RUN of stage ${from}`);
          }
        }
        const destAbs = path.posix.resolve(stage.workdir, dest);
        if (sources.length === 1 && !dest.endsWith('/')) stage.copiedTo.push(destAbs);
        else for (const source of sources) stage.copiedTo.push(path.posix.join(destAbs, path.posix.basename(source)));
        break;
      }
      default:
        break;
    }
  }
  if (stages.length === 0) problems.push('no FROM instruction');
  if (instructions.at(-1)?.keyword === '<EOF>') problems.push('file ends inside a line continuation');
  return problems;
}
