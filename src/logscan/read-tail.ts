/** Bounded reads of container log files below the host root: the tail of a plain file, or a capped gunzip. */
import { lstat, open } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import type { HostRoot } from '../host/root.ts';

export interface TailRead {
  text: string;
  /** Bytes of the file that were not read (the head). */
  skippedBytes: number;
  mtime: Date;
}

/** The last maxBytes of a regular file (symlinks are not followed), or undefined when unreadable. */
export async function readTail(host: HostRoot, hostPath: string, maxBytes: number): Promise<TailRead | undefined> {
  const file = host.path(hostPath);
  try {
    const info = await lstat(file);
    if (!info.isFile()) return undefined;
    if (hostPath.endsWith('.gz')) return await readGzipTail(file, info.size, info.mtime, maxBytes);
    const length = Math.min(info.size, maxBytes);
    const start = info.size - length;
    const handle = await open(file, 'r');
    try {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, start);
      let text = buffer.subarray(0, bytesRead).toString('utf8');
      // A cut head starts mid-line: drop the partial first line.
      if (start > 0) text = text.slice(text.indexOf('\n') + 1);
      return { text, skippedBytes: start, mtime: info.mtime };
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
}

async function readGzipTail(file: string, size: number, mtime: Date, maxBytes: number): Promise<TailRead | undefined> {
  // Compressed logs are read whole but capped, then only the tail of the output is kept.
  if (size > maxBytes * 4) return undefined;
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(size);
    await handle.read(buffer, 0, size, 0);
    const out = gunzipSync(buffer, { maxOutputLength: maxBytes * 16 });
    const start = Math.max(0, out.length - maxBytes);
    let text = out.subarray(start).toString('utf8');
    if (start > 0) text = text.slice(text.indexOf('\n') + 1);
    return { text, skippedBytes: start, mtime };
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}
