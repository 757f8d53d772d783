/**
 * Kafka Connect schemas as the JSON converter embeds them (`{"schema": …, "payload": …}`), and the
 * lookups decoding needs. A compiled view is cached per schema object, so events that share one
 * schema (see envelope-text.ts) pay for it once.
 */
import { isJsonObject, type JsonObject, type JsonValue } from '../json';

export interface ConnectSchema {
  type: string;
  optional?: boolean;
  /** Semantic type, e.g. io.debezium.time.MicroTimestamp or org.apache.kafka.connect.data.Decimal. */
  name?: string;
  version?: number;
  parameters?: Record<string, string>;
  /** Struct members, in column order. */
  fields?: ConnectField[];
  /** Array element schema. */
  items?: ConnectSchema;
  keys?: ConnectSchema;
  values?: ConnectSchema;
  default?: JsonValue;
}

export interface ConnectField extends ConnectSchema {
  field: string;
}

/** A struct schema with its members by name, in column order. */
export interface StructSchema {
  schema: ConnectSchema;
  columns: string[];
  byName: Map<string, ConnectSchema>;
}

const compiled = new WeakMap<object, StructSchema>();

export function isConnectSchema(value: JsonValue | undefined): value is JsonObject & ConnectSchema {
  return isJsonObject(value) && typeof value.type === 'string';
}

export function structSchema(schema: ConnectSchema): StructSchema {
  let found = compiled.get(schema);
  if (!found) {
    // Schemas come from the input: tolerate malformed ones instead of failing on them.
    const fields = Array.isArray(schema.fields)
      ? schema.fields.filter((f): f is ConnectField => f !== null && typeof f === 'object' && typeof f.field === 'string')
      : [];
    found = { schema, columns: fields.map((f) => f.field), byName: new Map(fields.map((f) => [f.field, f])) };
    compiled.set(schema, found);
  }
  return found;
}

/** The schema of one member of a struct schema (e.g. `after` in an envelope schema). */
export function memberSchema(schema: ConnectSchema | undefined, name: string): ConnectSchema | undefined {
  if (!schema || schema.type !== 'struct') return undefined;
  return structSchema(schema).byName.get(name);
}
