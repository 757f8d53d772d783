/**
 * JSON values as the lossless parser returns them. Objects are plain objects (key order as written,
 * except that keys which look like array indices, "0" … "4294967294", come first — a property of every
 * JavaScript object).
 */
export type JsonValue = null | boolean | number | string | JsonNumber | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** A JSON number whose exact text a JavaScript number cannot hold (beyond 2^53, 1.50, 1e3, -0). */
export class JsonNumber {
  constructor(readonly text: string) {}

  /** True when the text is an integer (no fraction, no exponent). */
  get isInteger(): boolean {
    return /^-?\d+$/.test(this.text);
  }

  /** The integer as a BigInt; throws RangeError when the text is not an integer. */
  toBigInt(): bigint {
    if (!this.isInteger) throw new RangeError(`${this.text} is not an integer`);
    return BigInt(this.text);
  }

  toString(): string {
    return this.text;
  }
}

export function isJsonObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof JsonNumber);
}

/** Integer value of a JSON number as a BigInt (exact), or undefined when it is not an integer. */
export function toBigIntExact(value: JsonValue | undefined): bigint | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : undefined;
  if (value instanceof JsonNumber && value.isInteger) return BigInt(value.text);
  return undefined;
}

/**
 * Sets an own property, also for the key `__proto__` (a legal column or JSON key), which a plain
 * assignment would take as the object's prototype: the value would be lost or the object changed.
 */
export function setOwn<T>(target: { [key: string]: T }, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}
