import { DecodeError, decodeRow, decodeValue, formatDecoded, isoDate, UNCHANGED, type ConnectSchema } from '../../src/debezium';
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
    expect(decodeValue(raw as never, named(type, name))).toBe(expected);
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
  });

  it('parses a Json column nested 50,000 levels deep and writes it back', () => {
    const text = '{"a":'.repeat(50_000) + '[12345678901234567890]' + '}'.repeat(50_000);
    expect(formatDecoded(decodeValue(text, named('string', 'io.debezium.data.Json')))).toBe(text);
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
});

/** The reason decodeValue gives for a value that does not fit its schema (it must throw DecodeError). */
function reasonFor(value: unknown, schema: ConnectSchema): string {
  try {
    decodeValue(value as never, schema);
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError);
    return (err as DecodeError).reason;
  }
  throw new Error(`decoded ${JSON.stringify(value)} without complaint`);
}

describe('decodeValue: values that do not fit their schema are errors, never guesses (issue 12 item 2)', () => {
  const decimal = (scale: string, precision?: string) =>
    named('bytes', 'org.apache.kafka.connect.data.Decimal', precision === undefined ? { scale } : { scale, 'connect.decimal.precision': precision });

  it("bounds a Decimal scale and precision to PostgreSQL's limits", () => {
    expect(reasonFor(decimalBase64(1n), decimal('-500000000'))).toBe("Decimal scale -500000000 is beyond PostgreSQL's limits (-1000 to 1000)");
    expect(reasonFor(decimalBase64(1n), decimal('1001'))).toMatch(/Decimal scale 1001 is beyond/);
    expect(reasonFor(decimalBase64(1n), decimal('2', '1001'))).toMatch(/Decimal precision 1001 is beyond/);
    expect(reasonFor(decimalBase64(1n), decimal('x'))).toMatch(/Decimal scale "x" is not an integer/);
    expect(reasonFor(decimalBase64(1n), named('bytes', 'org.apache.kafka.connect.data.Decimal'))).toMatch(/Decimal scale is missing/);
    expect(reasonFor(decimalBase64(123456n), decimal('2', '5'))).toMatch(/6 digits, more than its precision 5/);
    // The limits themselves are fine.
    expect(decodeValue(decimalBase64(5n), decimal('1000', '1000'))).toBe('0.' + '0'.repeat(999) + '5');
    expect(decodeValue(decimalBase64(5n), decimal('-1000'))).toBe('5' + '0'.repeat(1000));
    expect(decodeValue(decimalBase64(99999n), decimal('2', '5'))).toBe('999.99');
  });

  it('rejects Decimal values that are not base64, empty, or not strings', () => {
    expect(reasonFor('!!not*base64%%', decimal('2'))).toBe('Decimal value "!!not*base64%%" is not base64');
    expect(reasonFor('MDk', decimal('2'))).toMatch(/not base64/);
    expect(reasonFor('', decimal('2'))).toMatch(/empty/);
    expect(reasonFor(12.5, decimal('2'))).toMatch(/12.5 is not a valid Decimal/);
  });

  it('bounds VariableScaleDecimal scales and sizes', () => {
    const schema = named('struct', 'io.debezium.data.VariableScaleDecimal');
    expect(reasonFor({ scale: -500000000, value: decimalBase64(1n) }, schema)).toMatch(/VariableScaleDecimal scale -500000000 is beyond PostgreSQL's range/);
    expect(reasonFor({ scale: 16384, value: decimalBase64(1n) }, schema)).toMatch(/beyond/);
    expect(reasonFor({ scale: 1.5, value: decimalBase64(1n) }, schema)).toMatch(/not a valid/);
    expect(reasonFor({ scale: 2, value: '%%' }, schema)).toMatch(/not base64/);
    expect(reasonFor({ scale: 0, value: Buffer.alloc(70_000, 1).toString('base64') }, schema)).toMatch(/more digits than PostgreSQL's numeric holds/);
    expect(decodeValue({ scale: 16383, value: decimalBase64(1n) }, schema)).toBe('0.' + '0'.repeat(16382) + '1');
  });

  it.each([
    ['io.debezium.time.Date', 'int32', 2147483648, /not a valid Date \(int32\)/],
    ['io.debezium.time.Date', 'int32', -2440589, /beyond PostgreSQL's range/],
    ['io.debezium.time.Time', 'int32', -1, /not a time of day/],
    ['io.debezium.time.Time', 'int32', 86400001, /not a time of day/],
    ['io.debezium.time.MicroTime', 'int64', 86400000001, /not a time of day/],
    ['io.debezium.time.NanoTime', 'int64', -5, /not a time of day/],
    ['io.debezium.time.MicroTimestamp', 'int64', new JsonNumber('1e999'), /1e999 is not a valid MicroTimestamp \(int64\)/],
    ['io.debezium.time.MicroTimestamp', 'int64', new JsonNumber('9223372036854775808'), /not a valid MicroTimestamp/],
    ['io.debezium.time.MicroTimestamp', 'int64', new JsonNumber('-210866803200000001'), /beyond PostgreSQL's timestamp range/],
    ['io.debezium.time.Timestamp', 'int64', 9224318016000000, /beyond PostgreSQL's timestamp range/],
    ['io.debezium.time.NanoTimestamp', 'int64', 1.5, /not a valid NanoTimestamp/],
    ['io.debezium.time.MicroDuration', 'int64', new JsonNumber('1' + '0'.repeat(30)), /not a valid MicroDuration/],
    ['io.debezium.time.MicroTimestamp', 'int64', 'oops', /"oops" is not a valid MicroTimestamp/],
  ])('%s %p is out of range', (name, type, raw, reason) => {
    expect(reasonFor(raw, named(type, name))).toMatch(reason);
  });

  it('rejects plain values that contradict their Connect type', () => {
    expect(reasonFor(128, { type: 'int8' })).toMatch(/128 is not a valid int8/);
    expect(reasonFor(new JsonNumber('1e999'), { type: 'int64' })).toMatch(/not a valid int64/);
    expect(reasonFor('12', { type: 'int32' })).toMatch(/not a valid int32/);
    expect(reasonFor(1, { type: 'string' })).toMatch(/not a valid string/);
    expect(reasonFor('true', { type: 'boolean' })).toMatch(/not a valid boolean/);
    expect(reasonFor('x', { type: 'float64' })).toMatch(/not a valid float64/);
    expect(reasonFor('3q2+7w=', { type: 'bytes' })).toMatch(/bytes value "3q2\+7w=" is not base64/);
    expect(reasonFor({ a: 1 }, { type: 'array', items: { type: 'int32' } })).toMatch(/not a valid array/);
    expect(reasonFor('not json', named('string', 'io.debezium.data.Json'))).toMatch(/Json value is not JSON text/);
    // Jackson's spellings of the special doubles are values.
    expect(decodeValue('NaN', { type: 'float64' })).toBe('NaN');
    expect(decodeValue(new JsonNumber('-9223372036854775808'), { type: 'int64' })).toEqual(new JsonNumber('-9223372036854775808'));
  });

  it('bounds bit strings by BIT(n) and the bytes Debezium writes for it', () => {
    const bits = (length: string) => named('bytes', 'io.debezium.data.Bits', { length });
    expect(reasonFor(Buffer.alloc(1).toString('base64'), bits('2147483648'))).toMatch(/Bits length 2147483648 is beyond PostgreSQL's limits/);
    expect(reasonFor(Buffer.alloc(1).toString('base64'), bits('1e9'))).toMatch(/not an integer/);
    expect(reasonFor(Buffer.from([1, 2]).toString('base64'), bits('8'))).toMatch(/more than BIT\(8\) holds/);
    expect(reasonFor(Buffer.from([0b1000]).toString('base64'), bits('3'))).toMatch(/sets bits beyond BIT\(3\)/);
    expect(reasonFor('*', bits('3'))).toMatch(/not base64/);
    expect(decodeValue(Buffer.from([1]).toString('base64'), bits('16'))).toBe('0000000000000001');
    // One byte never becomes megabytes of zeros: VARBIT's "unbounded" 2^31-1, or a hostile length.
    expect(decodeValue(Buffer.from([0b101]).toString('base64'), bits('2147483647'))).toBe('101');
    expect(decodeValue(Buffer.alloc(1).toString('base64'), bits('80000000'))).toBe('0');
  });

  it('names the place of a bad value inside arrays and structs (geometry)', () => {
    const geometry: ConnectSchema = {
      type: 'struct',
      name: 'io.debezium.data.geometry.Geometry',
      fields: [
        { field: 'wkb', type: 'bytes' },
        { field: 'srid', type: 'int32', optional: true },
      ],
    };
    expect(
      reasonFor(
        [
          { wkb: 'AQE=', srid: 4326 },
          { wkb: '%%', srid: null },
        ],
        { type: 'array', items: geometry },
      ),
    ).toBe('[1].wkb: bytes value "%%" is not base64');
    expect(decodeValue({ wkb: 'AQE=', srid: 4326 }, geometry)).toEqual({ wkb: '\\x0101', srid: 4326 });
    const schema = parseLossless(
      '{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},{"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"},"field":"balance"}]}',
    ) as unknown as ConnectSchema;
    expect(() => decodeRow({ id: 1, balance: '!!' }, schema)).toThrow('column "balance": Decimal value "!!" is not base64');
  });

  it('refuses schemas nested deeper than Debezium ever writes them', () => {
    let schema: ConnectSchema = { type: 'int32' };
    let value: unknown = 1;
    for (let d = 0; d < 5000; d++) {
      schema = { type: 'array', items: schema };
      value = [value];
    }
    expect(reasonFor(value, schema)).toMatch(/schema nested more than 32 levels deep/);
  });
});

describe('decodeRow', () => {
  it('decodes a row by its struct schema', () => {
    const schema = parseLossless(
      '{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},{"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2","connect.decimal.precision":"12"},"field":"balance"}],"optional":true,"name":"x.Value"}',
    ) as unknown as ConnectSchema;
    expect(decodeRow({ id: 1, balance: 'MDk=' }, schema)).toEqual({ id: 1, balance: '123.45' });
    expect(decodeRow(null, schema)).toBeNull();
  });
});
