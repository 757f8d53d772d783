/** Lossless JSON for Debezium events: exact big integers and decimals, key order kept. */
export { parseLossless, inexactNumberSpans } from './lossless';
export { stringifyLossless } from './stringify';
export { JsonNumber, isJsonObject, toBigIntExact, type JsonObject, type JsonValue } from './value';
