/**
 * `--wait`: poll the status until the connector and all its tasks are RUNNING, one of them FAILED,
 * or the time is up. The status can be 404 for a moment right after creation.
 */
import { CdcError, ExitCode } from '../errors';
import type { ConnectClient } from './client';
import { RequestDeadlineError } from './errors';
import { RestartTracker, type RestartPlan } from './restart-watch';
import { summarizeStatus, type StatusSummary } from './status';

export class ConnectorFailedError extends CdcError {
  constructor(
    readonly summary: StatusSummary,
    message: string,
  ) {
    super(message, { exitCode: ExitCode.FAILED, hint: `after fixing the cause: cdc connector restart ${summary.name} --include-tasks --failed-only` });
  }
}

export class WaitTimeoutError extends CdcError {
  constructor(
    readonly summary: StatusSummary | undefined,
    message: string,
    hint?: string,
  ) {
    super(message, { exitCode: ExitCode.DEGRADED, hint: hint ?? (summary ? `check again with: cdc connector status ${summary.name}` : undefined) });
  }
}

export interface WaitOptions {
  timeoutMs: number;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  onPoll?: (summary: StatusSummary) => void;
  /** Wait this long before the first look (after an update the old RUNNING state lingers briefly). */
  initialDelayMs?: number;
  /** After a restart: states are only believed once the restart has been seen (restart-watch.ts). */
  restart?: RestartPlan;
  /** How long an instance may stay FAILED as before the restart before that counts as its outcome. */
  restartGraceMs?: number;
}

/** A status request unanswered for this long means the worker has stopped answering. */
const STALLED_AFTER_MS = 1000;

/** Polls quickly while a restart is still to be seen: a task is RESTARTING for about 100 ms. */
const RESTART_POLL_MS = 50;

export async function waitUntilRunning(connect: ConnectClient, name: string, options: WaitOptions): Promise<StatusSummary> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const deadline = now() + options.timeoutMs;
  const seconds = Number((options.timeoutMs / 1000).toFixed(1));
  // Every status request fits in what is left of the wait, however long --timeout is.
  const client = connect.within({ at: Date.now() + options.timeoutMs, what: `the ${seconds} s of --wait-timeout` });
  let last: StatusSummary | undefined;
  const tracker = options.restart ? new RestartTracker(options.restart) : undefined;
  const graceEnds = now() + (options.restartGraceMs ?? 15_000);
  if (options.initialDelayMs) await sleep(options.initialDelayMs);
  for (;;) {
    try {
      const status = await client.status(name);
      tracker?.observe(status);
      last = summarizeStatus(status, (t) => client.redactor.redact(t));
      options.onPoll?.(last);
      const pending = tracker?.pending() ?? [];
      if (last.health === 'RUNNING' && pending.length === 0) return last;
      if (last.health === 'FAILED') {
        // An instance FAILED as it was before the restart has not been restarted yet: give the
        // worker the grace period to get to it, then report it as it stands.
        const failed = last.tasks.filter((t) => t.state === 'FAILED' && !(tracker?.isPending(t.id) && now() < graceEnds));
        const connectorFailed = last.connector.state === 'FAILED' && !(tracker?.isPending('connector') && now() < graceEnds);
        if (failed.length || connectorFailed) {
          const cause = failed[0]?.rootCause ?? last.connector.rootCause ?? 'no trace given';
          const where = failed.length ? `task ${failed[0].id}` : 'the connector';
          throw new ConnectorFailedError(last, client.redactor.redact(`connector '${name}' FAILED (${where}): ${cause}`));
        }
      }
    } catch (err) {
      // A poll sent with a second or more to go and no answer: the worker stopped answering.
      // One sent in the last moments simply ran out with the wait: the usual timeout below.
      if (err instanceof RequestDeadlineError && err.allowedMs >= STALLED_AFTER_MS) {
        const states = last
          ? `; last seen: connector ${last.connector.state}, tasks ${last.tasks.map((t) => `${t.id}:${t.state}`).join(' ') || 'none yet'}`
          : '';
        throw new WaitTimeoutError(
          last,
          `connector '${name}' not RUNNING after ${seconds} s: Kafka Connect at ${client.url} stopped answering (${err.request} had no answer)${states}`,
          err.hint,
        );
      }
      if (!(err instanceof RequestDeadlineError) && (err as { exitCode?: number }).exitCode !== ExitCode.NOT_FOUND) throw err;
    }
    if (now() >= deadline) {
      const states = last ? `connector ${last.connector.state}, tasks ${last.tasks.map((t) => `${t.id}:${t.state}`).join(' ') || 'none yet'}` : 'no status yet';
      const pending = tracker?.pending() ?? [];
      const unseen = pending.length ? `; the restart of ${pending.join(', ')} was not seen` : '';
      throw new WaitTimeoutError(last, `connector '${name}' not RUNNING after ${seconds} s (${states}${unseen})`);
    }
    // Quick polls only while the short restart states are to be expected, not for a whole timeout.
    const pollMs = tracker?.pending().length && now() < graceEnds ? RESTART_POLL_MS : (options.pollMs ?? 500);
    await sleep(Math.min(pollMs, Math.max(0, deadline - now())));
  }
}
