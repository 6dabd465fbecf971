/**
 * HostRoot: every host file is read below one root (`--host-root`, default `/`), so the tool works from a
 * container with the host mounted and tests can point it at fixture trees. Paths never escape the root.
 */
import { constants, createReadStream } from 'node:fs';
import { access, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

/** Default cap for one host file read: enough for modules.dep of a distro kernel (~1 MiB), bounded. */
export const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;

export class HostRoot {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /** Absolute path of a host path below the root; `..` cannot climb above it. */
  path(hostPath: string): string {
    const normalized = path.posix.normalize('/' + hostPath.replace(/\\/g, '/'));
    return path.join(this.root, normalized);
  }

  /** The host path as shown in evidence (`/proc/modules`), independent of where the root is. */
  display(hostPath: string): string {
    return path.posix.normalize('/' + hostPath);
  }

  async exists(hostPath: string): Promise<boolean> {
    try {
      await access(this.path(hostPath), constants.F_OK);
      return true;
    } catch {
      return false;
    }
  }

  async isDirectory(hostPath: string): Promise<boolean> {
    try {
      return (await stat(this.path(hostPath))).isDirectory();
    } catch {
      return false;
    }
  }

  /** File text, or undefined when absent or unreadable. Reads at most maxBytes. */
  async readText(hostPath: string, maxBytes = DEFAULT_MAX_BYTES): Promise<string | undefined> {
    const buffer = await this.readBytes(hostPath, maxBytes);
    return buffer?.toString('utf8');
  }

  /** Text of a gzip file such as /proc/config.gz, or undefined when absent or corrupt. */
  async readGzipText(hostPath: string, maxBytes = DEFAULT_MAX_BYTES): Promise<string | undefined> {
    const buffer = await this.readBytes(hostPath, maxBytes);
    if (!buffer) return undefined;
    try {
      return gunzipSync(buffer, { maxOutputLength: maxBytes * 8 }).toString('utf8');
    } catch {
      return undefined;
    }
  }

  /** Entry names of a directory, or undefined when it is absent. */
  async list(hostPath: string): Promise<string[] | undefined> {
    try {
      return (await readdir(this.path(hostPath))).sort();
    } catch {
      return undefined;
    }
  }

  private async readBytes(hostPath: string, maxBytes: number): Promise<Buffer | undefined> {
    const file = this.path(hostPath);
    try {
      const info = await stat(file);
      if (!info.isFile()) return undefined;
      // procfs files report size 0; stream them with a cap instead of trusting stat.
      if (info.size > 0 && info.size <= maxBytes) return await readFile(file);
      return await readCapped(file, maxBytes);
    } catch {
      return undefined;
    }
  }
}

function readCapped(file: string, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const stream = createReadStream(file, { end: maxBytes - 1 });
    stream.on('data', (chunk) => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      chunks.push(buffer);
      total += buffer.length;
    });
    stream.on('error', reject);
    stream.on('end', () => resolve(Buffer.concat(chunks, total)));
  });
}
