/** `cdc sink status`: what each sink group has applied, and how far behind Kafka it is. */
import type { Command } from 'commander';
import type { Context } from '../../src/context';
import { warn, writeJson, writeTable } from '../ui/output';
import { sanitizeForTerminal } from '../ui/style';
import { addKafkaOptions, addTargetOptions } from '../ui/settings-flags';

interface StatusFlags {
  group?: string;
  json?: boolean;
}

export function registerSinkStatus(sink: Command, ctx: Context): void {
  addKafkaOptions(
    addTargetOptions(
      sink
        .command('status')
        .description('per group, topic and partition: applied offset, lag, last LSN, records applied')
        .option('-g, --group <name>', 'only this group'),
    ),
  )
    .option('--json', 'print the rows as JSON on stdout')
    .action(async (flags: StatusFlags) => {
      const target = ctx.settings.target;
      const settings = ctx.settings.kafka;
      const { sinkStatus } = await import('../../src/sink/postgres/status');
      const status = await sinkStatus(target, settings, flags.group);
      if (status.kafkaError) warn(ctx, `no lag: ${sanitizeForTerminal(status.kafkaError)}`);
      if (flags.json) return writeJson(ctx, status);
      if (status.rows.length === 0) {
        warn(ctx, `no sink has stored offsets in ${target.display}${flags.group ? ` for group ${sanitizeForTerminal(flags.group)}` : ''}`);
        return;
      }
      writeTable(
        ctx,
        ['group', 'topic', 'partition', 'applied offset', 'lag', 'last LSN', 'records', 'updated'],
        status.rows.map((r) =>
          [r.group, r.topic, String(r.partition), r.appliedOffset ?? '-', r.lag ?? '?', r.lastLsn ?? '-', r.records, r.updatedAt].map(sanitizeForTerminal),
        ),
      );
    });
}
