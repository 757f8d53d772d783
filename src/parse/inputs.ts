/** Where `cdc parse` reads from: the files named (`-` is stdin), else stdin. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { CdcError, NotFoundError, UsageError } from '../errors';
import type { ParseInput } from './run';

const READ_CHUNK = 1024 * 1024;

/** `stdin` is asked for only when an input is stdin (making process.stdin costs start-up). */
export function openInputs(files: string[], stdin: () => Readable, cwd: string): ParseInput[] {
  if (files.length === 0) return [{ name: 'stdin', chunks: stdin() }];
  if (files.filter((f) => f === '-').length > 1) throw new UsageError('stdin (-) can be named only once');
  const sizes = new Map<string, number>();
  for (const file of files) {
    if (file === '-') continue;
    const full = path.resolve(cwd, file);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(full);
    } catch {
      throw new NotFoundError(`no such file: ${file}`, 'name files of change events, or pipe them into stdin');
    }
    if (stat.isDirectory()) throw new UsageError(`${file} is a directory, not a file of change events`);
    // Only regular files can be cut into chunks for worker threads (not a FIFO or /dev/stdin).
    if (stat.isFile()) sizes.set(file, stat.size);
  }
  // Files open lazily, one at a time, so many arguments do not hold many descriptors.
  return files.map((file) =>
    file === '-'
      ? { name: 'stdin', chunks: stdin() }
      : {
          name: file,
          chunks: lazyFile(path.resolve(cwd, file), file),
          file: sizes.has(file) ? { path: path.resolve(cwd, file), size: sizes.get(file)! } : undefined,
        },
  );
}

/**
 * A file's bytes in chunks, read into two buffers in turn: the parse uses a chunk up before it asks
 * for the next (it copies only an unfinished line), so new memory — page faults, GC pressure — is
 * not paid per chunk. The next read runs while the chunk before it is parsed. Works on FIFOs too (a
 * read returns what has arrived). fs's callbacks, not fs.promises, which would load its module and
 * readline's (~1 ms of a small parse) for the same three calls.
 */
async function* lazyFile(full: string, name: string): AsyncGenerator<Buffer> {
  let fd: number;
  try {
    fd = await new Promise<number>((resolve, reject) => fs.open(full, 'r', (err, opened) => (err ? reject(err) : resolve(opened))));
  } catch (err) {
    throw unreadable(name, err);
  }
  const buffers = [Buffer.allocUnsafeSlow(READ_CHUNK), Buffer.allocUnsafeSlow(READ_CHUNK)];
  const read = (k: number) =>
    new Promise<number>((resolve, reject) => fs.read(fd, buffers[k], 0, READ_CHUNK, null, (err, bytesRead) => (err ? reject(err) : resolve(bytesRead))));
  let next: Promise<number> | undefined = read(0);
  try {
    for (let k = 0; ; k ^= 1) {
      let bytesRead: number;
      try {
        bytesRead = await next;
      } catch (err) {
        throw unreadable(name, err);
      }
      next = undefined;
      if (bytesRead === 0) return;
      // Reads (from the current file position) stay in order: the next starts once this one is in.
      next = read(k ^ 1);
      yield buffers[k].subarray(0, bytesRead);
    }
  } finally {
    // A read still running must end before the file is closed.
    await next?.catch(() => 0);
    await new Promise<void>((resolve, reject) => fs.close(fd, (err) => (err ? reject(err) : resolve())));
  }
}

/** An unreadable file (EACCES, EIO, removed meanwhile) is the user's situation, not a bug in cdc. */
function unreadable(name: string, err: unknown): CdcError {
  return new CdcError(`cannot read ${name}: ${(err as Error).message}`, { hint: 'rows of the records read before it were written' });
}
