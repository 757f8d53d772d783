/** `cdc sink`: change events from Kafka into a store. Today: `postgres` (SCD2 history) and `status`. */
import type { Command } from 'commander';
import type { Context } from '../src/context';
import { registerSinkMongo } from './sink/mongo';
import { registerSinkPostgres } from './sink/postgres';
import { registerSinkS3 } from './sink/s3';
import { registerSinkStatus } from './sink/status';

export function registerSink(program: Command, ctx: Context): void {
  const sink = program
    .command('sink')
    .description('land change events in a store, postgres (SCD2 history tables, exactly once), mongo (documents), s3 (objects), status');
  registerSinkPostgres(sink, ctx);
  registerSinkMongo(sink, ctx);
  registerSinkS3(sink, ctx);
  registerSinkStatus(sink, ctx);
}
