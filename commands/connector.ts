/**
 * `cdc connector …`: register and operate Kafka Connect connectors over the REST API.
 * Each subcommand lives in commands/connector/; this file only assembles the group.
 */
import type { Command } from 'commander';
import type { Context } from '../src/context';
import { guardOutput } from './ui/redact';
import { registerDeleteCommand } from './connector/delete';
import { registerDescribeCommands } from './connector/describe';
import { registerLifecycleCommands } from './connector/lifecycle';
import { registerLintCommand } from './connector/lint';
import { registerListCommand } from './connector/list';
import { registerOffsetsCommand } from './connector/offsets';
import { registerPluginsCommand } from './connector/plugins';
import { registerRegisterCommand } from './connector/register';
import { registerValidateCommand } from './connector/validate';
import { registerWaitCommand } from './connector/wait';

export function registerConnector(program: Command, ctx: Context): void {
  const group = program
    .command('connector')
    .description('register and operate Kafka Connect connectors (Debezium PostgreSQL made safe)')
    .addHelpText(
      'after',
      `
Examples:
  cdc connector register holding --table bank.holding --topic-prefix dbserver1 --wait
  cdc connector list
  cdc connector status holding || echo "not healthy (exit $?)"
  cdc connector register holding.json --dry-run
  cdc connector delete holding --yes

Connect URL: --connect-url > CDC_CONNECT_URL > config context (cdc config) > http://localhost:8083.
Secrets in configs are masked everywhere unless --show-secrets (describe).`,
    );
  // Every write of every subcommand, the error report included, is scrubbed of the secrets seen.
  group.hook('preAction', () => guardOutput(ctx));
  registerRegisterCommand(group, ctx);
  registerListCommand(group, ctx);
  registerDescribeCommands(group, ctx);
  registerLifecycleCommands(group, ctx);
  registerDeleteCommand(group, ctx);
  registerValidateCommand(group, ctx);
  registerLintCommand(group, ctx);
  registerPluginsCommand(group, ctx);
  registerOffsetsCommand(group, ctx);
  registerWaitCommand(group, ctx);
}
