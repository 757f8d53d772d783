/**
 * One `stack up` at a time per stack folder (two test runs starting at once would race for the
 * ports). The lock file holds the owner's pid; a lock whose owner died is taken over.
 */
import * as fs from 'node:fs';
import { CdcError } from '../errors';
import { isAlive, readPid, sleep } from './processes';

export async function acquireLock(file: string, waitMs: number): Promise<() => void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = readPid(file);
    // An empty file may be one being written this instant: only an old one counts as stale.
    if (owner === undefined ? ageMs(file) > 2_000 : !isAlive(owner)) {
      fs.rmSync(file, { force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      throw new CdcError(`another 'cdc stack up' (pid ${owner}) is still starting the stack in this folder`, { hint: `wait for it, or remove ${file} if that process is not cdc` });
    }
    await sleep(500);
  }
}

function ageMs(file: string): number {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return Infinity;
  }
}
