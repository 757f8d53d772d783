/**
 * kafkajs's own files, reached by path so that cdc gets the same module instances kafkajs itself
 * uses: the record batch decoder put in their place (record-batch.ts), its codecs and error type,
 * and the Connection whose processData stops copying responses (socket.ts). Only for the kafkajs
 * release those were checked against (test/unit); any other version is left as it is.
 */
import * as path from 'node:path';

/** The kafkajs release whose internals cdc knows. */
const KNOWN_KAFKAJS = '2.2.4';

/** A file of the installed kafkajs, by its path in the package. */
export function kafkajsPath(file: string): string {
  return path.join(path.dirname(require.resolve('kafkajs/package.json')), file);
}

/** Whether the installed kafkajs is the release whose internals cdc knows. */
export function isKnownKafkajs(): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(kafkajsPath('package.json')) as { version: string }).version === KNOWN_KAFKAJS;
}

/** One of kafkajs's own modules, the instance kafkajs uses. */
export function requireKafkajs<T>(file: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(kafkajsPath(file)) as T;
}
