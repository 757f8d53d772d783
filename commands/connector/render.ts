/**
 * Rendering shared by the connector subcommands: lint findings, field errors, diffs and states.
 */
import type { Context } from '../../src/context';
import type { ConfigChange } from '../../src/connect/diff';
import type { FieldError } from '../../src/connect/errors';
import type { LintFinding } from '../../src/connect/lint';
import type { StatusSummary } from '../../src/connect/status';
import { sanitizeForTerminal, stderrStyle, stdoutStyle, type Style } from '../ui/style';

/** States come from the worker: escaped first, coloured after, like every untrusted text. */
export function colorState(style: Style, raw: string): string {
  const state = sanitizeForTerminal(raw);
  if (state === 'RUNNING') return style.green(state);
  if (state === 'FAILED') return style.red(state);
  if (state === 'PAUSED' || state === 'STOPPED' || state === 'DEGRADED') return style.yellow(state);
  return style.dim(state);
}

export function writeFindings(ctx: Context, findings: LintFinding[]): void {
  const style = stderrStyle(ctx);
  for (const f of findings) {
    const label = f.severity === 'error' ? style.red('lint error:') : style.yellow('lint warning:');
    ctx.stderr.write(`${label} ${sanitizeForTerminal(f.connector)}: ${sanitizeForTerminal(f.message)} [${f.rule}]\n`);
    if (f.fix) ctx.stderr.write(`  ${style.dim('use:')} ${sanitizeForTerminal(f.fix)}\n`);
  }
}

/** What `--fix` changed, one line per replacement, on stderr. */
export function writeFixes(ctx: Context, applied: LintFinding[]): void {
  const style = stderrStyle(ctx);
  for (const f of applied) {
    const renamed = f.key && f.edit?.set && f.edit.remove?.includes(f.key) ? `${f.key} → ` : '';
    ctx.stderr.write(`${style.green('fixed:')} ${sanitizeForTerminal(`${f.connector}: ${renamed}${f.fix ?? ''}`)} [${f.rule}]\n`);
  }
}

/** Per-field validation errors, one line each. */
export function formatFieldErrors(errors: FieldError[]): string[] {
  return errors.flatMap((e) => e.errors.map((message) => `  ${e.field}: ${sanitizeForTerminal(message)}`));
}

/** A key-level diff on stdout: `+` added, `-` removed, `~` changed. Escaped first, coloured after. */
export function writeDiff(ctx: Context, rawName: string, isNew: boolean, changes: ConfigChange[]): void {
  const style = stdoutStyle(ctx);
  const name = sanitizeForTerminal(rawName);
  const header = isNew
    ? style.green(`+ ${name} (new connector)`)
    : changes.length
      ? style.yellow(`~ ${name} (${changes.length} key${changes.length === 1 ? '' : 's'} change)`)
      : `= ${name} (no change)`;
  ctx.stdout.write(header + '\n');
  for (const c of changes) {
    const [key, before, after] = [c.key, c.before ?? '', c.after ?? ''].map(sanitizeForTerminal);
    const line =
      c.kind === 'added'
        ? style.green(`  + ${key}: ${after}`)
        : c.kind === 'removed'
          ? style.red(`  - ${key}: ${before}`)
          : style.yellow(`  ~ ${key}: ${before} → ${after}`);
    ctx.stdout.write(line + '\n');
  }
}

/** Connector and task states with root causes, for `status` and `describe`. */
export function statusLines(style: Style, summary: StatusSummary): string[] {
  const on = (worker?: string) => (worker ? ` on ${sanitizeForTerminal(worker)}` : '');
  const lines = [`connector ${colorState(style, summary.connector.state)}${on(summary.connector.workerId)}`];
  if (summary.connector.rootCause) lines.push(`  cause: ${sanitizeForTerminal(summary.connector.rootCause)}`);
  if (summary.tasks.length === 0) lines.push('no tasks');
  for (const t of summary.tasks) {
    lines.push(`task ${t.id} ${colorState(style, t.state)}${on(t.workerId)}`);
    if (t.rootCause) lines.push(`  cause: ${sanitizeForTerminal(t.rootCause)}`);
  }
  return lines;
}

/** The `--json` shape of a status summary. */
export function statusJson(summary: StatusSummary): object {
  return {
    name: summary.name,
    type: summary.type ?? null,
    health: summary.health,
    state: summary.connector.state,
    workerId: summary.connector.workerId ?? null,
    rootCause: summary.connector.rootCause ?? null,
    tasks: summary.tasks.map((t) => ({ id: t.id, state: t.state, workerId: t.workerId ?? null, rootCause: t.rootCause ?? null })),
  };
}
