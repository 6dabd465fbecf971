/** Bounded reads of container log files below the host root: the tail of a plain file, or a capped gunzip. */
import type { FileHandle } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import type { HostRoot } from '../host/root.ts';

export interface TailRead {
  text: string;
  /** Bytes of the file that were not read (the head). */
  skippedBytes: number;
  mtime: Date;
}

/** The last maxBytes of a regular file (resolved inside the host root), or undefined when unreadable. */
export async function readTail(host: HostRoot, hostPath: string, maxBytes: number): Promise<TailRead | undefined> {
  const gzip = hostPath.endsWith('.gz');
  const opened = await host.withFile(hostPath, async (handle, info) =>
    gzip ? readGzipTail(handle, info.size, info.mtime, maxBytes) : readPlainTail(handle, info.size, info.mtime, maxBytes),
  );
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

async function readGzipTail(handle: FileHandle, size: number, mtime: Date, maxBytes: number): Promise<TailRead | undefined> {
  // Compressed logs are read whole but capped, then only the tail of the output is kept.
  if (size > maxBytes * 4) return undefined;
  const buffer = Buffer.alloc(size);
  const { bytesRead } = await handle.read(buffer, 0, size, 0);
  try {
    const out = gunzipSync(buffer.subarray(0, bytesRead), { maxOutputLength: maxBytes * 16 });
    const start = Math.max(0, out.length - maxBytes);
    let text = out.subarray(start).toString('utf8');
    if (start > 0) text = text.slice(text.indexOf('\n') + 1);
    return { text, skippedBytes: start, mtime };
  } catch {
    return undefined;
  }
}
