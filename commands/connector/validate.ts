/**
 * `cdc connector validate FILE…`: the lint rules, then Connect's own validation, field by field.
 * Nothing is written. Exit 3 when anything is invalid.
 */
import type { Command } from 'commander';
import type { Context } from '../../src/context';
import { ExitCode, ExitStatus } from '../../src/errors';
import type { ConnectFlags } from '../../src/connect/connection';
import { note, writeJson, writeLine } from '../ui/output';
import { sanitizeForTerminal, stdoutStyle } from '../ui/style';
import { addConnectOptions, collect, readAll, withClient } from './common';
import { formatFieldErrors, writeFindings } from './render';

export function registerValidateCommand(parent: Command, ctx: Context): void {
  const command = parent
    .command('validate')
    .description('check connector files with the lint rules and on the server, without registering')
    .argument('<inputs...>', 'connector JSON files or directories, - for stdin')
    .option('--ignore-lint <rule>', 'skip a lint rule (repeatable)', collect)
    .option('--json', 'print the results as JSON on stdout');
  addConnectOptions(command)
    .addHelpText(
      'after',
      `
Examples:
  cdc connector validate fixtures/connectors/holding.json
  cdc connector validate connectors/ --json | jq '.[] | select(.valid | not)'`,
    )
    .action(async (inputs: string[], options: ConnectFlags & { json?: boolean; ignoreLint?: string[] }) => {
      const { loadSpecs } = await import('../../src/connect/spec');
      const specs = await loadSpecs(inputs, () => readAll(ctx.stdin));
      const { fillDatabaseSettings } = await import('../../src/connect/database-defaults');
      for (const spec of specs) {
        const { config, filled } = fillDatabaseSettings(spec.config, {}, () => ctx.settings.pg);
        spec.config = config;
        if (filled.length) note(ctx, sanitizeForTerminal(`${spec.name}: ${filled.map((f) => `${f.key}=${f.value} (${f.from})`).join(', ')}`));
      }
      await withClient(ctx, options, async (client) => {
        const [{ planRegistration, validateOnServer }] = await Promise.all([import('../../src/connect/register')]);
        const plan = await planRegistration(client, specs, new Set(options.ignoreLint ?? []));
        if (!options.json) writeFindings(ctx, plan.findings);
        const style = stdoutStyle(ctx);
        const results = [];
        for (const spec of specs) {
          const validation = await validateOnServer(client, spec);
          const lint = plan.findings.filter((f) => f.connector === spec.name);
          const valid = validation.errors.length === 0 && !lint.some((f) => f.severity === 'error');
          results.push({ name: spec.name, source: spec.source, valid, lint, errors: validation.errors });
          if (options.json) continue;
          writeLine(ctx, `${sanitizeForTerminal(`${spec.name} (${spec.source})`)}: ${valid ? style.green('valid') : style.red('invalid')}`);
          for (const line of formatFieldErrors(validation.errors)) writeLine(ctx, line);
        }
        if (options.json) writeJson(ctx, results);
        if (results.some((r) => !r.valid)) throw new ExitStatus(ExitCode.INVALID_INPUT);
      });
    });
}
