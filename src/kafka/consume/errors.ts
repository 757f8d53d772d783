/** A record that cannot be handled, named by where it is: the user can find it, skip it, or fix it. */
import { InputError } from '../../errors';
import { partitionName, type TopicPartition } from './partitions';

export class RecordError extends InputError {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  constructor(where: TopicPartition & { offset: string }, reason: string, hint?: string) {
    super(`record ${partitionName(where)}@${where.offset}: ${reason}`, hint);
    this.topic = where.topic;
    this.partition = where.partition;
    this.offset = where.offset;
  }
}
