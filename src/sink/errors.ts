/** The sink's typed errors: a record it cannot use, and a source schema it cannot follow. */
import { CdcError, ExitCode } from '../errors';
import type { SinkRecord } from './record';

/** `topic/partition@offset`, as every message about a record names it. */
export function recordAt(record: Pick<SinkRecord, 'topic' | 'partition' | 'offset'>): string {
  return `${record.topic}/${record.partition}@${record.offset}`;
}

/** A record that is not a usable change event (with --on-error stop: nothing past it is committed). */
export class BadRecordError extends CdcError {
  constructor(
    readonly record: Pick<SinkRecord, 'topic' | 'partition' | 'offset'>,
    readonly reason: string,
    hint?: string,
  ) {
    super(`bad record at ${recordAt(record)}: ${reason}`, { exitCode: ExitCode.INVALID_INPUT, hint });
  }
}

/** The source schema changed in a way the history table cannot follow; the batch is not committed. */
export class SinkSchemaError extends CdcError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.INVALID_INPUT, hint });
  }
}
