/** `cdc sink status`: what each sink group has applied, and how far behind Kafka it is. */
import type { Command } from 'commander';
import type { Context } from '../../src/context';
import type { KafkaFlags } from '../../src/kafka/options';
import { warn, writeJson, writeTable } from '../ui/output';
import { sanitizeForTerminal } from '../ui/style';
import { addKafkaOptions, addTargetUrlOption, sinkTarget } from './options';

interface StatusFlags extends KafkaFlags {
  group?: string;
  targetUrl?: string;
  json?: boolean;
}

export function registerSinkStatus(sink: Command, ctx: Context): void {
  addKafkaOptions(addTargetUrlOption(sink.command('status')
    .description('per group, topic and partition: applied offset, lag, last LSN, records applied')
    .option('-g, --group <name>', 'only this group')))
    .option('--json', 'print the rows as JSON on stdout')
    .action(async (flags: StatusFlags) => {
      const target = await sinkTarget(ctx, flags.targetUrl);
      const { resolveKafkaSettings } = await import('../../src/kafka/options');
      const settings = await resolveKafkaSettings(flags, ctx.env, ctx.configContext);
      const { sinkStatus } = await import('../../src/sink/postgres/status');
      const status = await sinkStatus(target, settings, flags.group);
      if (status.kafkaError) warn(ctx, `no lag: ${sanitizeForTerminal(status.kafkaError)}`);
      if (flags.json) return writeJson(ctx, status);
      if (status.rows.length === 0) {
        warn(ctx, `no sink has stored offsets in ${target.display}${flags.group ? ` for group ${sanitizeForTerminal(flags.group)}` : ''}`);
        return;
      }
      writeTable(ctx, ['group', 'topic', 'partition', 'applied offset', 'lag', 'last LSN', 'records', 'updated'],
        status.rows.map((r) => [r.group, r.topic, String(r.partition), r.appliedOffset ?? '-', r.lag ?? '?', r.lastLsn ?? '-', r.records, r.updatedAt].map(sanitizeForTerminal)));
    });
}
