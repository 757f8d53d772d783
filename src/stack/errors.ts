/**
 * A stack service that failed to start: the message says which, and the error carries the end of
 * its log so the command can print it (the log file stays for a closer look).
 */
import * as fs from 'node:fs';
import { ServiceError } from '../errors';

export class StackStartError extends ServiceError {
  readonly service: string;
  readonly logFile: string;
  readonly logTail: string;
  constructor(service: string, message: string, logFile: string, logTail: string, cause?: unknown) {
    super(`${service}: ${message}`, { hint: `full log: ${logFile}`, cause });
    this.service = service;
    this.logFile = logFile;
    this.logTail = logTail;
  }
}

/** The last `lines` lines of a log file ('' when it does not exist). Reads at most 64 KB. */
export function tailFile(file: string, lines = 40): string {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8').split('\n').filter((line, i, all) => line !== '' || i < all.length - 1).slice(-lines).join('\n');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
