/**
 * How `cdc watch` writes: the writer for each output format, and the one-line summary on stderr.
 */
import type { Context } from '../../src/context';
import type { Output, StopReason, WatchSummary } from '../../src/watch/consume';
import type { WatchRecord } from '../../src/watch/record';
import type { DisplayMode } from '../../src/watch/view';
import { sanitizeForTerminal, stdoutStyle } from '../ui/style';

export type Format = 'pretty' | 'jsonl' | 'records';

export async function writerFor(ctx: Context, format: Format, mode: DisplayMode): Promise<(records: WatchRecord[]) => Output> {
  if (format === 'pretty') {
    const { viewOf } = await import('../../src/watch/view');
    const { renderEvent } = await import('./event');
    const style = stdoutStyle(ctx);
    return (records) => records.map((r) => renderEvent(viewOf(r, mode), style) + '\n').join('');
  }
  const { valueLines, valueParts, recordLines } = await import('../../src/watch/lines');
  const lines = format === 'jsonl' ? valueLines : recordLines;
  // A terminal gets no raw control characters, even from values that are not JSON.
  if (ctx.stdoutIsTTY) return (records) => sanitizeForTerminal(lines(records).toString('utf8'));
  return format === 'jsonl' ? valueParts : recordLines;
}

export function summaryLine(s: WatchSummary, reason: StopReason): string {
  const why = { end: 'reached the end', 'max-messages': 'reached --max-messages', interrupted: 'interrupted' }[reason];
  const extras = [
    s.filtered > 0 ? `${s.filtered} filtered out` : '',
    s.tombstones > 0 ? `${s.tombstones} tombstone${s.tombstones === 1 ? '' : 's'}` : '',
    s.skipped > 0 ? `${s.skipped} skipped` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const rate = s.elapsedMs > 0 ? Math.round((s.received * 1000) / s.elapsedMs) : 0;
  return `cdc watch: ${why} — ${s.written} event${s.written === 1 ? '' : 's'} written${extras ? ` (${extras})` : ''}, ${s.received} read from ${s.partitions} partition${s.partitions === 1 ? '' : 's'} in ${(s.elapsedMs / 1000).toFixed(1)} s (${rate}/s)`;
}
