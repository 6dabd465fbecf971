/** Bounded reads of container log files below the host root: the tail of a plain file, or a capped gunzip. */
import type { FileHandle } from 'node:fs/promises';
import type { HostRoot } from '../host/root.ts';

export interface TailRead {
  text: string;
  /** Bytes of the file that were not read (the head). */
  skippedBytes: number;
  mtime: Date;
}

/** The last maxBytes of a regular file (resolved inside the host root), or undefined when unreadable. */
export async function readTail(host: HostRoot, hostPath: string, maxBytes: number): Promise<TailRead | undefined> {
  if (hostPath.endsWith('.gz')) return readGzipTail(host, hostPath, maxBytes);
  const opened = await host.withFile(hostPath, (handle, info) => readPlainTail(handle, info.size, info.mtime, maxBytes));
  return opened.ok ? opened.value : undefined;
}

async function readPlainTail(handle: FileHandle, size: number, mtime: Date, maxBytes: number): Promise<TailRead> {
  const length = Math.min(size, maxBytes);
  const start = size - length;
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, start);
  let text = buffer.subarray(0, bytesRead).toString('utf8');
  // A cut head starts mid-line: drop the partial first line.
  if (start > 0) text = text.slice(text.indexOf('\n') + 1);
  return { text, skippedBytes: start, mtime };
}

// Compressed logs are read whole (input and output capped by HostRoot, so a truncated file or a bomb is
// refused with its reason), then only the tail of the output is kept.
async function readGzipTail(host: HostRoot, hostPath: string, maxBytes: number): Promise<TailRead | undefined> {
  const read = await host.read(hostPath, { gzip: true, maxBytes: maxBytes * 16 });
  if (!read.ok) return undefined;
  const out = Buffer.from(read.text, 'utf8');
  const start = Math.max(0, out.length - maxBytes);
  let text = out.subarray(start).toString('utf8');
  if (start > 0) text = text.slice(text.indexOf('\n') + 1);
  return { text, skippedBytes: start, mtime: read.resolution.stats?.mtime ?? new Date(0) };
}
