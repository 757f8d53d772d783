/**
 * `cdc connector lint FILE…`: the lint rules alone, offline (no worker needed). With --fix, the
 * upgraded config on stdout (Debezium 1.x keys renamed, plugin.name, slot and topic names, …),
 * or written back with --write; what was replaced is said on stderr.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import type { Context } from '../../src/context';
import { ExitCode, ExitStatus, InputError, UsageError } from '../../src/errors';
import type { LintFinding } from '../../src/connect/lint';
import { isPlaceholder, isSecretKey, MASK } from '../../src/secrets';
import { note, writeJson, writeLine } from '../ui/output';
import { redactorFor, revealSecretsOnStdout } from '../ui/redact';
import { sanitizeForTerminal, stderrStyle, stdoutStyle } from '../ui/style';
import { collect, readAll } from './common';
import { writeFindings, writeFixes } from './render';

interface Options {
  fix?: boolean;
  showSecrets?: boolean;
  write?: boolean;
  ignoreLint?: string[];
  json?: boolean;
}

const EXAMPLES = `
Examples:
  cdc connector lint fixtures/connectors/legacy-holding.json            # every problem and its replacement; exit 3
  cdc connector lint fixtures/connectors/legacy-holding.json --fix      # the upgraded config on stdout
  cdc connector lint fixtures/connectors/legacy-holding.json --fix --show-secrets > upgraded.json
  cdc connector lint connectors/ --fix --write                          # upgrade the files in place
  cdc connector register fixtures/connectors/legacy-holding.json --fix --dry-run

--fix applies what is mechanical (legacy-key, plugin-name, topic-prefix, slot-name, duplicate-slot,
include-exclude, regex-dot, publication-mode, publication-name, snapshot-mode); a clear-text password or a missing
connector.class stay findings. Exit codes: 0 no lint error (left), 3 lint errors.`;

export function registerLintCommand(parent: Command, ctx: Context): void {
  parent
    .command('lint')
    .description('check connector files with the lint rules, offline; --fix upgrades them (Debezium 1.x keys and more)')
    .argument('<inputs...>', 'connector JSON files or directories, - for stdin')
    .option('--fix', 'apply the replacements: print the upgraded config on stdout (or write it with --write)')
    .option('--write', 'with --fix: rewrite the files in place instead of printing them')
    .option('--show-secrets', 'with --fix: print passwords and other secrets in clear (masked by default)')
    .option('--ignore-lint <rule>', 'skip a lint rule (repeatable)', collect)
    .option('--json', 'print the findings (and with --fix the applied replacements) as JSON on stdout')
    .addHelpText('after', EXAMPLES)
    .action(async (inputs: string[], options: Options) => runLint(ctx, inputs, options));
}

async function runLint(ctx: Context, inputs: string[], options: Options): Promise<void> {
  if (options.write && !options.fix) throw new UsageError('--write rewrites the files with the fixes: use it with --fix');
  if (options.write && inputs.includes('-')) throw new UsageError('--write cannot rewrite stdin (-): drop --write to print the result');
  if (options.fix && options.json && !options.write)
    throw new UsageError('--fix prints the upgraded config on stdout: add --write to get --json findings instead');
  const ignore = new Set(options.ignoreLint ?? []);
  const files = await expand(inputs);
  if (options.fix && !options.write && files.length > 1) {
    throw new UsageError(
      `--fix prints one upgraded file on stdout, and ${files.length} were given`,
      'lint one file at a time, or rewrite them all with --fix --write',
    );
  }
  const [{ parseSpecs }, { lintBatch }, { fixDocument }] = await Promise.all([
    import('../../src/connect/spec'),
    import('../../src/connect/lint'),
    import('../../src/connect/upgrade'),
  ]);
  const texts = await Promise.all(
    files.map(async (f) => ({ source: f === '-' ? 'stdin' : f, file: f, text: f === '-' ? await readAll(ctx.stdin) : await fs.readFile(f, 'utf8') })),
  );
  const style = stderrStyle(ctx);
  // The files' secrets are masked wherever they would be printed (the output guard of the group).
  const redactor = redactorFor(ctx);
  for (const t of texts) {
    try {
      for (const spec of parseSpecs(t.text, t.source)) redactor.addConfig(spec.config);
    } catch {
      // Reported below, where the file is read for real.
    }
  }
  if (options.showSecrets) revealSecretsOnStdout(ctx);
  let masked = false;
  const remaining: LintFinding[] = [];
  const applied: LintFinding[] = [];
  if (!options.fix) {
    const specs = texts.flatMap((t) => parseSpecs(t.text, t.source));
    remaining.push(
      ...lintBatch(
        specs.map((s) => ({ name: s.name, config: s.config })),
        [],
        ignore,
      ),
    );
    if (!options.json) writeFindings(ctx, remaining);
    if (options.json)
      writeJson(
        ctx,
        specs.map((s) => ({ name: s.name, source: s.source, findings: remaining.filter((f) => f.connector === s.name) })),
      );
    else
      for (const s of specs)
        writeLine(
          ctx,
          summaryLine(
            stdoutStyle(ctx),
            `${s.name} (${s.source})`,
            remaining.filter((f) => f.connector === s.name),
          ),
        );
  } else {
    for (const t of texts) {
      const result = fixDocument(t.text, t.source, ignore);
      const fixes = result.connectors.flatMap((c) => c.applied);
      applied.push(...fixes);
      remaining.push(...result.connectors.flatMap((c) => c.remaining));
      if (!options.json) writeFixes(ctx, fixes);
      if (!options.write) {
        const shown = options.showSecrets ? result.text : maskDocument(result.text);
        masked ||= shown !== result.text;
        ctx.stdout.write(shown);
      } else if (fixes.length) {
        await fs.writeFile(t.file, result.text);
        note(ctx, `${style.green('✓')} wrote ${sanitizeForTerminal(t.file)} (${fixes.length} fix${fixes.length === 1 ? '' : 'es'})`);
      } else {
        note(ctx, `${sanitizeForTerminal(t.file)}: nothing to fix`);
      }
    }
    if (options.json) writeJson(ctx, { applied, remaining });
    else writeFindings(ctx, remaining);
    if (masked) note(ctx, `${style.yellow('note:')} secrets are masked in the printed config: --write upgrades the file in place, --show-secrets prints them`);
  }
  if (remaining.some((f) => f.severity === 'error')) throw new ExitStatus(ExitCode.INVALID_INPUT);
}

/** The printed file with the values of secret keys masked (placeholders stay: they reveal nothing). */
function maskDocument(text: string): string {
  const doc = JSON.parse(text) as unknown;
  const mask = (item: Record<string, unknown>): Record<string, unknown> => {
    const nested = item.config !== undefined && typeof item.config === 'object';
    const config = (nested ? item.config : item) as Record<string, unknown>;
    const out = Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === 'string' && isSecretKey(k) && v && !isPlaceholder(v) ? MASK : v]));
    return nested ? { ...item, config: out } : out;
  };
  const shown = Array.isArray(doc) ? doc.map((d) => mask(d as Record<string, unknown>)) : mask(doc as Record<string, unknown>);
  return `${JSON.stringify(shown, null, 2)}\n`;
}

function summaryLine(style: ReturnType<typeof stdoutStyle>, label: string, findings: LintFinding[]): string {
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  const verdict = errors ? style.red(`${errors} error${errors === 1 ? '' : 's'}`) : style.green('ok');
  return `${sanitizeForTerminal(label)}: ${verdict}${warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}`;
}

/** Files as given, directories as their *.json files (sorted), `-` as stdin. */
async function expand(inputs: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    if (input === '-') {
      files.push(input);
      continue;
    }
    const stat = await fs.stat(input).catch(() => undefined);
    if (!stat) throw new InputError(`${input}: no such file or directory`);
    if (!stat.isDirectory()) {
      files.push(input);
      continue;
    }
    const json = (await fs.readdir(input))
      .filter((f) => f.toLowerCase().endsWith('.json'))
      .sort()
      .map((f) => path.join(input, f));
    if (json.length === 0) throw new InputError(`${input}: no *.json files in the directory`);
    files.push(...json);
  }
  return files;
}
