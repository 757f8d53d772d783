/**
 * `--wait`: poll the status until the connector and all its tasks are RUNNING, one of them FAILED,
 * or the time is up. The status can be 404 for a moment right after creation.
 */
import { CdcError, ExitCode } from '../errors';
import type { ConnectClient } from './client';
import { summarizeStatus, type StatusSummary } from './status';

export class ConnectorFailedError extends CdcError {
  constructor(readonly summary: StatusSummary, message: string) {
    super(message, { exitCode: ExitCode.FAILED, hint: `after fixing the cause: cdc connector restart ${summary.name} --include-tasks --failed-only` });
  }
}

export class WaitTimeoutError extends CdcError {
  constructor(readonly summary: StatusSummary | undefined, message: string) {
    super(message, { exitCode: ExitCode.DEGRADED, hint: summary ? `check again with: cdc connector status ${summary.name}` : undefined });
  }
}

export interface WaitOptions {
  timeoutMs: number;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  onPoll?: (summary: StatusSummary) => void;
  /** Wait this long before the first look (after a restart the old RUNNING state lingers briefly). */
  initialDelayMs?: number;
}

export async function waitUntilRunning(client: ConnectClient, name: string, options: WaitOptions): Promise<StatusSummary> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const deadline = now() + options.timeoutMs;
  let last: StatusSummary | undefined;
  if (options.initialDelayMs) await sleep(options.initialDelayMs);
  for (;;) {
    try {
      last = summarizeStatus(await client.status(name), (t) => client.redactor.redact(t));
      options.onPoll?.(last);
      if (last.health === 'RUNNING') return last;
      if (last.health === 'FAILED') {
        const failed = last.tasks.find((t) => t.state === 'FAILED');
        const cause = failed?.rootCause ?? last.connector.rootCause ?? 'no trace given';
        const where = failed ? `task ${failed.id}` : 'the connector';
        throw new ConnectorFailedError(last, client.redactor.redact(`connector '${name}' FAILED (${where}): ${cause}`));
      }
    } catch (err) {
      if ((err as { exitCode?: number }).exitCode !== ExitCode.NOT_FOUND) throw err;
    }
    if (now() >= deadline) {
      const states = last ? `connector ${last.connector.state}, tasks ${last.tasks.map((t) => `${t.id}:${t.state}`).join(' ') || 'none yet'}` : 'no status yet';
      throw new WaitTimeoutError(last, `connector '${name}' not RUNNING after ${Math.round(options.timeoutMs / 1000)} s (${states})`);
    }
    await sleep(Math.min(options.pollMs ?? 500, Math.max(0, deadline - now())));
  }
}
