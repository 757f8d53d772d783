/**
 * How `cdc seed` reports: the summary lines, the progress bar, and Ctrl-C handling.
 */
import type { Context } from '../../src/context';
import type { SeedCustomersResult, SeedProgress } from '../../src/seed/customers';
import type { SeedHoldingsResult } from '../../src/seed/holdings';
import { interruptible } from '../ui/interrupt';
import { note } from '../ui/output';
import { startSpinner } from '../ui/spinner';
import { stderrStyle } from '../ui/style';

/** `where`: the database written into (host:port/db), said once, on the summary line. */
export function renderCustomers(ctx: Context, result: SeedCustomersResult, where: string): void {
  const style = stderrStyle(ctx);
  const created = result.created ? ` (created, REPLICA IDENTITY ${result.replicaIdentity.toUpperCase()})` : '';
  note(
    ctx,
    `${result.interrupted ? style.yellow('interrupted:') : style.green('✔')} ${result.table} at ${where}${created}: ${n(result.rows)} rows from ${result.source} — ` +
      `${n(result.inserted)} inserted, ${n(result.updated)} updated, ${n(result.unchanged)} unchanged` +
      ` in ${result.seconds.toFixed(2)} s (${n(result.rowsPerSecond)} rows/s, ${result.mode}${result.truncated ? ', truncated first' : ''})`,
  );
}

export function renderHoldings(ctx: Context, r: SeedHoldingsResult, where: string): void {
  const style = stderrStyle(ctx);
  const created = r.created ? ' (created, REPLICA IDENTITY FULL)' : '';
  if (r.workload === 'none') {
    note(ctx, `${style.green('✔')} ${r.table} at ${where}${created}: ${n(r.rowsAtEnd)} rows. Run a workload with --script tutorial or --ops N.`);
    return;
  }
  for (const entry of r.log ?? []) note(ctx, `  ${entry.statement};  -- ${entry.rows} row(s)`);
  const seed = r.seed !== undefined ? ` (seed ${r.seed}, ${r.users} users)` : '';
  note(
    ctx,
    `${r.interrupted ? style.yellow('interrupted:') : style.green('✔')} ${r.table} at ${where}${created}: ${n(r.statements)} ${r.workload} statements${seed} in ${r.seconds.toFixed(2)} s — ` +
      `${n(r.events.c)} inserted, ${n(r.events.u)} updated (holding_stock ${n(r.fieldsChanged.holding_stock)}, holding_quantity ${n(r.fieldsChanged.holding_quantity)}), ` +
      `${n(r.events.d)} deleted; ${n(r.rowsAtEnd)} rows now; expect ${n(r.pivot.rows)} holding_pivot rows (${n(r.pivot.changedOnlyRows)} with --changed-only)`,
  );
}

/**
 * Ctrl-C (or SIGTERM) stops a load cleanly instead of killing it: what was committed is reported,
 * then the command exits 130. A second Ctrl-C is Node's default again: immediate exit.
 */
export function onInterrupt(ctx: Context): { signal: AbortSignal; dispose: () => void } {
  return { signal: interruptible(ctx), dispose: () => {} };
}

/** A progress bar drawn on the spinner line: bytes when the size is known, rows otherwise. */
export function progressBar(ctx: Context, label: string, json?: boolean): { update: (p: SeedProgress) => void; stop: () => void } {
  const spinner = startSpinner(ctx, label, { json });
  let last = 0;
  return {
    update(p) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const fraction = p.limit ? p.rows / p.limit : p.totalBytes ? p.bytes / p.totalBytes : undefined;
      if (fraction === undefined) return spinner.update(`${label}: ${n(p.rows)} rows`);
      const width = 24;
      const filled = Math.min(width, Math.round(fraction * width));
      spinner.update(`${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.min(100, Math.round(fraction * 100))}% ${n(p.rows)} rows`);
    },
    stop: () => spinner.stop(),
  };
}

/** 12,435: thousands separated. Not toLocaleString, whose first call costs ~15 ms of Intl start-up. */
export function n(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
