/**
 * What every `cdc sink <target>` does once its target is open: claim Ctrl-C, show the live line,
 * run src/sink's consumer loop, print the summary (lines on stderr or --json on stdout), exit 130
 * when interrupted and always close the target. The target commands only say what differs.
 */
import type { Context } from '../../src/context';
import { ExitCode, ExitStatus } from '../../src/errors';
import type { SinkRunOptions, SinkRunSummary, SinkTarget } from '../../src/sink';
import { interruptible } from '../ui/interrupt';
import { note, verbose, warn, writeJson } from '../ui/output';
import { startSpinner } from '../ui/spinner';
import { sanitizeForTerminal, stderrStyle } from '../ui/style';
import { liveLine } from './render';

export interface SinkCommandRun {
  target: SinkTarget;
  run: SinkRunOptions;
  json: boolean;
  /** The spinner's first text, shown while connecting (or checking the target). */
  startText: string;
  /** Work to do with the spinner up and the target closed on failure (e.g. checking the bucket). */
  prepare?(): Promise<void>;
  /** Appended to the live line (e.g. the objects uploaded so far). */
  liveSuffix?(): string;
  /** The --json document. */
  document(summary: SinkRunSummary): unknown;
  /** The summary on stderr. */
  lines(summary: SinkRunSummary): string[];
}

export async function runSinkCommand(ctx: Context, job: SinkCommandRun): Promise<void> {
  const { runSink } = await import('../../src/sink/run');
  // Ctrl-C (claimed here) aborts the run; the summary is still printed, then exit 130.
  const signal = interruptible(ctx);
  const spinner = startSpinner(ctx, job.startText, { json: job.json });
  const startedAt = Date.now();
  try {
    await job.prepare?.();
    const summary = await runSink(
      ctx.settings.kafka,
      job.target,
      job.run,
      {
        onProgress: (counts, partitions) => {
          const line = liveLine(counts, partitions, Date.now() - startedAt);
          spinner.update(job.liveSuffix ? `${line}${job.liveSuffix()}` : line);
        },
        onAssigned: (assigned) =>
          verbose(ctx, `group ${job.run.group} holds ${assigned.map((p) => `${p.topic}[${p.partition}]@${p.position}`).join(', ') || 'nothing'}`),
        onSkipped: (bad) => warn(ctx, sanitizeForTerminal(`skipped the record at ${bad.topic}/${bad.partition}@${bad.offset}: ${bad.reason}`)),
        onReconnecting: (message) => warn(ctx, message),
        log: ctx.verbose ? (level, message) => verbose(ctx, `[${level}] ${message}`) : undefined,
      },
      signal,
    );
    spinner.stop();
    if (job.json) writeJson(ctx, job.document(summary));
    else for (const line of job.lines(summary)) note(ctx, stderrStyle(ctx).dim(line));
    if (signal.aborted) throw new ExitStatus(ExitCode.INTERRUPTED);
  } catch (err) {
    spinner.stop();
    throw err;
  } finally {
    await job.target.close();
  }
}
