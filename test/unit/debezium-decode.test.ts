import { decodeRow, decodeValue, formatDecoded, isoDate, UNCHANGED, type ConnectSchema } from '../../src/debezium';
import { JsonNumber, parseLossless } from '../../src/json';

const named = (type: string, name: string, parameters?: Record<string, string>): ConnectSchema => ({ type, name, parameters });

/** Independent encoder for the test: unscaled integer → big-endian two's complement → base64. */
function decimalBase64(unscaled: bigint): string {
  let bytes = 1;
  while (unscaled >= 1n << BigInt(bytes * 8 - 1) || unscaled < -(1n << BigInt(bytes * 8 - 1))) bytes++;
  const twos = unscaled < 0n ? (1n << BigInt(bytes * 8)) + unscaled : unscaled;
  return Buffer.from(twos.toString(16).padStart(bytes * 2, '0'), 'hex').toString('base64');
}

describe('decodeValue: temporal types', () => {
  it.each([
    ['io.debezium.time.Date', 'int32', 18628, '2021-01-01'],
    ['io.debezium.time.Date', 'int32', -1, '1969-12-31'],
    ['org.apache.kafka.connect.data.Date', 'int32', 0, '1970-01-01'],
    ['io.debezium.time.Time', 'int32', 45296789, '12:34:56.789'],
    ['org.apache.kafka.connect.data.Time', 'int32', 45296789, '12:34:56.789'],
    ['io.debezium.time.MicroTime', 'int64', 45296789012, '12:34:56.789012'],
    ['io.debezium.time.MicroTime', 'int64', 86400000000, '24:00:00.000000'],
    ['io.debezium.time.NanoTime', 'int64', 45296789012345, '12:34:56.789012345'],
    ['io.debezium.time.Timestamp', 'int64', 1529507596945, '2018-06-20T15:13:16.945'],
    ['org.apache.kafka.connect.data.Timestamp', 'int64', 1529507596945, '2018-06-20T15:13:16.945'],
    ['io.debezium.time.MicroTimestamp', 'int64', 1529507596945104, '2018-06-20T15:13:16.945104'],
    ['io.debezium.time.MicroTimestamp', 'int64', -1, '1969-12-31T23:59:59.999999'],
    ['io.debezium.time.NanoTimestamp', 'int64', new JsonNumber('1529507596945104123'), '2018-06-20T15:13:16.945104123'],
    ['io.debezium.time.MicroTimestamp', 'int64', new JsonNumber('9223372036825200000'), 'infinity'],
    ['io.debezium.time.Timestamp', 'int64', new JsonNumber('-9223372036832400000'), '-infinity'],
    ['io.debezium.time.ZonedTimestamp', 'string', '2026-01-02T03:04:05.123456Z', '2026-01-02T03:04:05.123456Z'],
    ['io.debezium.time.ZonedTime', 'string', '12:00:00Z', '12:00:00Z'],
    ['io.debezium.time.MicroDuration', 'int64', 93784500000, 'P1DT2H3M4.5S'],
    ['io.debezium.time.MicroDuration', 'int64', -3600000000, '-PT1H'],
    ['io.debezium.time.MicroDuration', 'int64', 0, 'PT0S'],
  ])('%s %p → %p', (name, type, raw, expected) => {
    expect(decodeValue(raw as never, named(type as string, name as string))).toBe(expected);
  });

  it('formats dates like Date.toISOString over a wide range, and beyond its range', () => {
    for (let days = -800_000; days <= 3_000_000; days += 997) {
      expect(isoDate(BigInt(days))).toBe(new Date(days * 86_400_000).toISOString().slice(0, -14));
    }
    expect(isoDate(100_000_000n)).toBe('+275760-09-13');
    // The Gregorian calendar repeats every 146097 days (400 years): far beyond Date's range.
    expect(isoDate(100_000_000n + 146_097n * 14_000n)).toBe('+5875760-09-13');
    expect(isoDate(-100_000_000n - 146_097n)).toBe(new Date(-100_000_000 * 86_400_000).toISOString().slice(0, -14).replace('-271821', '-272221'));
  });
});

describe('decodeValue: decimals, JSON, bytes, bits, arrays', () => {
  it.each([
    [12345n, 2, '123.45'],
    [-12345n, 2, '-123.45'],
    [5n, 2, '0.05'],
    [-5n, 4, '-0.0005'],
    [0n, 3, '0.000'],
    [127n, 0, '127'],
    [128n, 0, '128'],
    [-128n, 0, '-128'],
    [123456789012345678901234567890n, 10, '12345678901234567890.1234567890'],
  ])('Decimal %p scale %p → %p', (unscaled, scale, expected) => {
    const schema = named('bytes', 'org.apache.kafka.connect.data.Decimal', { scale: String(scale), 'connect.decimal.precision': '38' });
    expect(decodeValue(decimalBase64(unscaled), schema)).toBe(expected);
  });

  it('decodes VariableScaleDecimal with its embedded scale', () => {
    const schema = named('struct', 'io.debezium.data.VariableScaleDecimal');
    expect(decodeValue({ scale: 3, value: decimalBase64(123456n) }, schema)).toBe('123.456');
    expect(decodeValue({ scale: 0, value: decimalBase64(-99999999999999999999n) }, schema)).toBe('-99999999999999999999');
  });

  it('passes decimal.handling.mode=string/double values through', () => {
    expect(decodeValue('123.45', { type: 'string' })).toBe('123.45');
    expect(decodeValue(new JsonNumber('123.450'), { type: 'double' })).toEqual(new JsonNumber('123.450'));
  });

  it('parses Json columns losslessly and shows them nested', () => {
    const decoded = decodeValue('{"b":[1,2],"id":12345678901234567890}', named('string', 'io.debezium.data.Json'));
    expect(decoded).toEqual({ b: [1, 2], id: new JsonNumber('12345678901234567890') });
    expect(formatDecoded(decoded)).toBe('{"b":[1,2],"id":12345678901234567890}');
    expect(decodeValue('not json', named('string', 'io.debezium.data.Json'))).toBe('not json');
  });

  it('shows bytes as \\x hex and bits as a bit string', () => {
    expect(decodeValue('3q2+7w==', { type: 'bytes' })).toBe('\\xdeadbeef');
    expect(decodeValue(Buffer.from([0b101]).toString('base64'), named('bytes', 'io.debezium.data.Bits', { length: '3' }))).toBe('101');
    expect(decodeValue(Buffer.from([0x01, 0x80]).toString('base64'), named('bytes', 'io.debezium.data.Bits', { length: '16' }))).toBe('1000000000000001');
  });

  it('decodes array elements with the items schema', () => {
    const schema: ConnectSchema = { type: 'array', items: named('int32', 'io.debezium.time.Date') };
    expect(decodeValue([0, 18628], schema)).toEqual(['1970-01-01', '2021-01-01']);
  });

  it('keeps plain values and enums as they are', () => {
    expect(decodeValue('AAPL', { type: 'string' })).toBe('AAPL');
    expect(decodeValue(new JsonNumber('9223372036854775807'), { type: 'int64' })).toEqual(new JsonNumber('9223372036854775807'));
    expect(decodeValue('b', named('string', 'io.debezium.data.Enum', { allowed: 'a,b' }))).toBe('b');
    expect(decodeValue(true, { type: 'boolean' })).toBe(true);
  });
});

describe('decodeValue: TOAST placeholder, raw mode, schemaless', () => {
  it('reports the placeholder as UNCHANGED in every encoding, with or without schema, raw or not', () => {
    const asBytes = Buffer.from('__debezium_unavailable_value').toString('base64');
    const asInts = [...Buffer.from('__debezium_unavailable_value')];
    expect(decodeValue('__debezium_unavailable_value', { type: 'string' })).toBe(UNCHANGED);
    expect(decodeValue(asBytes, { type: 'bytes' })).toBe(UNCHANGED);
    expect(decodeValue(asInts, { type: 'array', items: { type: 'int32' } })).toBe(UNCHANGED);
    expect(decodeValue('__debezium_unavailable_value', undefined)).toBe(UNCHANGED);
    expect(decodeValue('__debezium_unavailable_value', { type: 'string' }, { raw: true })).toBe(UNCHANGED);
    expect(formatDecoded(UNCHANGED)).toBe('(unchanged)');
  });

  it('recognises the array, uuid[] and hstore placeholders Debezium 3.4 writes', () => {
    // As captured from Debezium 3.4.3 (test/integration/parse-replica-default.test.ts).
    const text = { type: 'array', items: { type: 'string' } };
    expect(decodeValue(['__debezium_unavailable_value'], text)).toBe(UNCHANGED);
    expect(decodeValue(['b68a35a7-17ad-35b3-af2a-ae46edb4545a'], { type: 'array', items: { type: 'string', name: 'io.debezium.data.Uuid' } })).toBe(UNCHANGED);
    expect(decodeValue([Buffer.from('__debezium_unavailable_value').toString('base64')], { type: 'array', items: { type: 'bytes' } })).toBe(UNCHANGED);
    expect(decodeValue({ __debezium_unavailable_value: '__debezium_unavailable_value' }, { type: 'map' })).toBe(UNCHANGED);
    expect(decodeValue('{"__debezium_unavailable_value":"__debezium_unavailable_value"}', { type: 'string', name: 'io.debezium.data.Json' })).toBe(UNCHANGED);
    expect(decodeValue(['a'], text)).toEqual(['a']);
  });

  it('keeps Debezium encoding with raw: true and without a schema', () => {
    const schema = named('int64', 'io.debezium.time.MicroTimestamp');
    expect(decodeValue(1529507596945104, schema, { raw: true })).toBe(1529507596945104);
    expect(decodeValue('MDk=', undefined)).toBe('MDk=');
  });

  it('shows a value that does not fit its schema as written', () => {
    expect(decodeValue('oops', named('int64', 'io.debezium.time.MicroTimestamp'))).toBe('oops');
  });
});

describe('decodeRow', () => {
  it('decodes a row by its struct schema', () => {
    const schema = parseLossless('{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},{"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2","connect.decimal.precision":"12"},"field":"balance"}],"optional":true,"name":"x.Value"}') as unknown as ConnectSchema;
    expect(decodeRow({ id: 1, balance: 'MDk=' }, schema)).toEqual({ id: 1, balance: '123.45' });
    expect(decodeRow(null, schema)).toBeNull();
  });
});
