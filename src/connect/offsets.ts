/**
 * Stored source offsets (Kafka ≥ 3.5) and their reset (≥ 3.6): stop the connector, wait until it
 * is STOPPED, delete the offsets. Offsets hold 64-bit LSNs and transaction ids, so they are parsed
 * with lossless-json and numbers are kept as their exact text.
 */
import { isSafeNumber, parse } from 'lossless-json';
import { CdcError, ExitCode } from '../errors';
import type { ConnectClient } from './client';
import { ConnectBadRequestError } from './errors';
import { requireFeature } from './version';

export type OffsetValue = string | number | boolean | null | OffsetValue[] | { [key: string]: OffsetValue };

export interface StoredOffset {
  partition: Record<string, OffsetValue>;
  offset: Record<string, OffsetValue> | null;
}

/** Numbers that fit a double exactly stay numbers; bigger ones become their exact decimal text. */
function exactNumber(text: string): number | string {
  return isSafeNumber(text) ? Number(text) : text;
}

export function parseOffsets(text: string): StoredOffset[] {
  const doc = parse(text, null, exactNumber) as { offsets?: StoredOffset[] };
  return doc?.offsets ?? [];
}

export async function readOffsets(client: ConnectClient, name: string): Promise<StoredOffset[]> {
  requireFeature((await client.server()).version, 'readOffsets', 'reading offsets');
  return parseOffsets(await client.offsetsText(name));
}

export interface ResetResult {
  stopped: boolean;
  message: string;
}

/** Stop → wait for STOPPED → DELETE offsets. The connector stays STOPPED afterwards. */
export async function resetOffsets(
  client: ConnectClient,
  name: string,
  options: { timeoutMs?: number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<ResetResult> {
  requireFeature((await client.server()).version, 'resetOffsets', 'resetting offsets');
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  // No request of the reset outlives its time limit, even when the worker stops answering.
  client = client.within({
    at: deadline,
    what: `the ${Math.round((options.timeoutMs ?? 30_000) / 1000)} s allowed to stop the connector and reset its offsets`,
  });
  let stopped = false;
  if ((await client.status(name)).connector.state !== 'STOPPED') {
    await client.stop(name);
    stopped = true;
  }
  for (;;) {
    const status = await client.status(name);
    if (status.connector.state === 'STOPPED' && status.tasks.length === 0) {
      try {
        return { stopped, message: await client.deleteOffsets(name) };
      } catch (err) {
        // The worker may still be finishing the stop; 400 "must be in the STOPPED state" is worth a retry.
        if (!(err instanceof ConnectBadRequestError) || Date.now() > deadline) throw err;
      }
    }
    if (Date.now() > deadline) {
      throw new CdcError(`connector '${name}' did not reach STOPPED (state ${status.connector.state}); offsets not reset`, {
        exitCode: ExitCode.RUNTIME,
        hint: `check with: cdc connector status ${name}`,
      });
    }
    await sleep(300);
  }
}
