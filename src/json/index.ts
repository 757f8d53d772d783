/** Lossless JSON for Debezium events: exact big integers and decimals, key order kept, any depth. */
export { parseLossless, inexactNumberSpans, valueEnd } from './lossless';
export { createTemplateParser, type TemplateParser } from './template';
export { stringifyLossless, writeJson, type WriteJsonOptions } from './stringify';
export { JsonNumber, isJsonObject, setOwn, toBigIntExact, type JsonObject, type JsonValue } from './value';
