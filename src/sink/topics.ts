/** `--topics-regex`: the topics of the cluster whose whole name matches, Kafka's internal ones excluded. */
import { createKafka, kafkaError } from '../kafka/client';
import type { KafkaSettings } from '../kafka/options';
import { NotFoundError, UsageError } from '../errors';

export function compileTopicsRegex(text: string): RegExp {
  try {
    return new RegExp(`^(?:${text})$`);
  } catch (err) {
    throw new UsageError(`--topics-regex is not a regular expression: ${(err as Error).message}`);
  }
}

export async function matchingTopics(settings: KafkaSettings, pattern: RegExp): Promise<string[]> {
  const admin = (await createKafka(settings, { clientId: 'cdc-sink', requestTimeoutMs: 5_000 })).admin();
  let topics: string[];
  try {
    await admin.connect();
    topics = await admin.listTopics();
  } catch (err) {
    throw kafkaError(err, settings, 'listing topics');
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  const matched = topics.filter((t) => !t.startsWith('__') && pattern.test(t)).sort();
  if (matched.length === 0)
    throw new NotFoundError(`no topic matches --topics-regex ${pattern.source.slice(4, -2)}`, 'list them with `kafka-topics --list`, or name the topics');
  return matched;
}

/** The topics a sink reads: those named, then every topic matching --topics-regex, each once. */
export async function sinkTopics(settings: KafkaSettings, named: readonly string[], regex: string | undefined): Promise<string[]> {
  const topics = [...named];
  if (regex === undefined) return topics;
  for (const topic of await matchingTopics(settings, compileTopicsRegex(regex))) if (!topics.includes(topic)) topics.push(topic);
  return topics;
}
