/**
 * commands/ui/bulk-writer.ts: every byte arrives, in order, whether the descriptor takes the
 * writes (a file; a pipe made blocking) or a non-blocking pipe fills up and the stream takes over;
 * a reader that goes away is an EPIPE error, reported once, never a crash. With write-ahead, a
 * write resolves once queued within the bound, and flushed() once all are written.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Writable } from 'node:stream';
import { bulkWriter } from '../../commands/ui/bulk-writer';
import type { Output } from '../../src/watch/consume';

/** 40 writes of every Output shape, about 8 MB in all, the parts of varied sizes. */
function outputs(): Output[] {
  const list: Output[] = [];
  let seed = 11;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  for (let i = 0; i < 40; i++) {
    const parts: Buffer[] = [];
    for (let j = 0; j < 100; j++) parts.push(Buffer.alloc(next() % 4000, 97 + ((i + j) % 26)), Buffer.from('\n'));
    list.push(i % 10 === 3 ? `line ${i}\n` : i % 10 === 7 ? Buffer.concat(parts) : parts);
  }
  return list;
}

function bytesOf(list: Output[]): Buffer {
  return Buffer.concat(list.map((o) => (typeof o === 'string' ? Buffer.from(o) : Array.isArray(o) ? Buffer.concat(o) : o)));
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

/** A child that waits `delayMs`, then reads its stdin to the end and prints the bytes' md5. */
function slowReader(delayMs: number): ChildProcessWithoutNullStreams {
  const script = `setTimeout(() => { const h = require('crypto').createHash('md5'); process.stdin.on('data', (c) => h.update(c)); process.stdin.on('end', () => process.stdout.write(h.digest('hex'))); }, ${delayMs});`;
  return spawn(process.execPath, ['-e', script]);
}

function fdOf(stream: Writable): number {
  return (stream as Writable & { _handle: { fd: number } })._handle.fd;
}

async function through(child: ChildProcessWithoutNullStreams, write: (data: Output) => Promise<void>, list: Output[]): Promise<string> {
  let digest = '';
  child.stdout.on('data', (c: Buffer) => (digest += c.toString()));
  const exited = new Promise((resolve) => child.on('close', resolve));
  for (const data of list) await write(data);
  child.stdin.end();
  await exited;
  return digest;
}

describe('bulk writer', () => {
  it('writes a file by descriptor: every byte, in order, nothing through the stream', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-bulk-'));
    const file = path.join(dir, 'out');
    const fd = fs.openSync(file, 'w');
    const stream = { write: jest.fn(), cork: jest.fn(), uncork: jest.fn() } as unknown as Writable;
    const errors: Error[] = [];
    const { write } = bulkWriter({ stream, fd, makeBlocking: true }, (err) => errors.push(err));
    const list = outputs();
    for (const data of list) await write(data);
    await write([]);
    await write('');
    fs.closeSync(fd);
    expect(md5(fs.readFileSync(file))).toBe(md5(bytesOf(list)));
    expect(stream.write).not.toHaveBeenCalled();
    expect(errors).toEqual([]);
    fs.rmSync(dir, { recursive: true });
  });

  it('a pipe made blocking: the descriptor takes every write while the reader is slow', async () => {
    const child = slowReader(300);
    const writeSpy = jest.spyOn(child.stdin, 'write');
    const errors: Error[] = [];
    const { write } = bulkWriter({ stream: child.stdin, fd: fdOf(child.stdin), makeBlocking: true }, (err) => errors.push(err));
    const list = outputs();
    expect(await through(child, write, list)).toBe(md5(bytesOf(list)));
    expect(writeSpy).not.toHaveBeenCalled();
    expect(errors).toEqual([]);
  });

  it('a non-blocking pipe that fills up: the rest of that write and every later one go through the stream, in order', async () => {
    const child = slowReader(300);
    const writeSpy = jest.spyOn(child.stdin, 'write');
    const errors: Error[] = [];
    const { write } = bulkWriter({ stream: child.stdin, fd: fdOf(child.stdin), makeBlocking: false }, (err) => errors.push(err));
    const list = outputs();
    expect(await through(child, write, list)).toBe(md5(bytesOf(list)));
    expect(writeSpy).toHaveBeenCalled();
    expect(errors).toEqual([]);
  });

  it('a reader that went away: EPIPE, reported to onError, and the write resolves', async () => {
    // The child closes its end of the pipe, says so, and stays until its stdin is ended.
    const child = spawn(process.execPath, ['-e', "require('fs').closeSync(0); process.stdout.write('closed'); setTimeout(() => {}, 5000);"]);
    child.stdin.on('error', () => undefined);
    await new Promise((resolve) => child.stdout.once('data', resolve));
    const errors: NodeJS.ErrnoException[] = [];
    const { write } = bulkWriter({ stream: child.stdin, fd: fdOf(child.stdin), makeBlocking: true }, (err) => errors.push(err));
    await write([Buffer.from('a'), Buffer.from('\n')]);
    await write('more');
    expect(errors.map((e) => e.code)).toEqual(['EPIPE']); // once; later writes are dropped
    child.kill();
  });

  it('write-ahead: a write resolves once queued within the bound; flushed() once all are written, in order', async () => {
    // A stream whose writes complete only when the test says so.
    const pending: Array<() => void> = [];
    const chunks: Buffer[] = [];
    const stream = {
      cork: () => undefined,
      uncork: () => undefined,
      write: (chunk: Buffer, done?: () => void) => {
        chunks.push(chunk);
        if (done) pending.push(done);
        return true;
      },
    } as unknown as Writable;
    const writer = bulkWriter({ stream }, () => undefined, 100);
    const state = (p: Promise<void>) => Promise.race([p.then(() => 'resolved'), new Promise((r) => setImmediate(() => r('pending')))]);
    const first = writer.write(Buffer.alloc(60, 1));
    expect(await state(first)).toBe('resolved'); // 60 of 100 queued
    const second = writer.write([Buffer.alloc(30, 2), Buffer.alloc(30, 3)]);
    expect(await state(second)).toBe('pending'); // 120 > 100: waits for the first
    const flushed = writer.flushed();
    pending.shift()!();
    expect(await state(second)).toBe('resolved');
    expect(await state(flushed)).toBe('pending');
    pending.shift()!();
    expect(await state(flushed)).toBe('resolved');
    expect(Buffer.concat(chunks).equals(Buffer.concat([Buffer.alloc(60, 1), Buffer.alloc(30, 2), Buffer.alloc(30, 3)]))).toBe(true);
  });

  it('write-ahead into a slow pipe: every byte, in order, once flushed', async () => {
    const child = slowReader(300);
    const errors: Error[] = [];
    const writer = bulkWriter({ stream: child.stdin, fd: fdOf(child.stdin), makeBlocking: true }, (err) => errors.push(err), 1 << 20);
    const list = outputs();
    let digest = '';
    child.stdout.on('data', (c: Buffer) => (digest += c.toString()));
    const exited = new Promise((resolve) => child.on('close', resolve));
    for (const data of list) await writer.write(data);
    await writer.flushed();
    child.stdin.end();
    await exited;
    expect(digest).toBe(md5(bytesOf(list)));
    expect(errors).toEqual([]);
  });
});
