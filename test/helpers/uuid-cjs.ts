/**
 * uuid 13 (a dependency of thrift, under @dsnp/parquetjs) ships ES modules only: Node loads it with
 * require(esm), jest's module loader cannot. The unit tests map `uuid` here (jest.unit.config.js):
 * the two functions thrift imports, as RFC 9562 defines them.
 */
export function parse(text: string): Uint8Array {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text)) throw new TypeError('Invalid UUID');
  return Uint8Array.from(Buffer.from(text.replace(/-/g, ''), 'hex'));
}

export function stringify(bytes: Uint8Array, offset = 0): string {
  const hex = Buffer.from(bytes.subarray(offset, offset + 16)).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
