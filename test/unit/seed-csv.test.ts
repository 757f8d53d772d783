import { parse } from 'csv-parse/sync';
import { CsvRecordScanner, hasContent, isMarkerRecord, quoteMarkers, recordBytes } from '../../src/seed/csv-records';
import { readFirstRecord } from '../../src/seed/first-record';
import { describeUrl } from '../../src/seed/source';
import { interpretFirstRecord, checkColumnsForNewTable } from '../../src/seed/customers-table';
import { seededRandom } from '../../src/seed/random';
import { InputError } from '../../src/errors';

/** Record end offsets found by feeding `text` to the scanner in the given pieces. */
function boundaries(text: string, cuts: number[]): number[] {
  const buf = Buffer.from(text);
  const scanner = new CsvRecordScanner();
  const ends: number[] = [];
  let base = 0;
  for (const cut of [...cuts, buf.length]) {
    const piece = buf.subarray(base, cut);
    let offset = 0;
    for (;;) {
      const { records, end } = scanner.scan(piece, offset, 1);
      if (records === 0) break;
      ends.push(base + end);
      offset = end;
    }
    base = cut;
  }
  return ends;
}

const SAMPLE =
  ['id,name,note', '1,plain,x', '2,"with, comma","and ""quotes"""', '3,"multi\nline\nfield",y', '4,"ends with quote""",z', '5,"",'].join('\n') + '\n';

describe('CsvRecordScanner', () => {
  it('finds the same record ends as csv-parse, however the bytes are split', () => {
    const expected = (parse(SAMPLE, { info: true }) as unknown as Array<{ info: { bytes: number } }>).map((r) => r.info.bytes);
    const random = seededRandom(1);
    for (let trial = 0; trial < 300; trial++) {
      const cuts = [...new Set(Array.from({ length: random.int(0, 6) }, () => random.int(1, SAMPLE.length - 1)))].sort((a, b) => a - b);
      expect(boundaries(SAMPLE, cuts)).toEqual(expected);
    }
  });

  it('counts the extra lines of quoted newlines, so Postgres line numbers map back to rows', () => {
    const scanner = new CsvRecordScanner();
    scanner.scan(Buffer.from(SAMPLE), 0, 100);
    expect(scanner.recordsSeen).toBe(6);
    expect(scanner.multiline.get(3)).toEqual({ lf: 2, cr: 0 });
    // Lines 1–4 are records 0–3's first lines, except that record 3 spans lines 4–6.
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((line) => scanner.recordOfLine(0, line))).toEqual([0, 1, 2, 3, 3, 3, 4, 5]);
    expect(scanner.recordOfLine(1, 4)).toBe(3);
  });

  it("follows Postgres' count: quoted \\n of a COPY's first record are not lines (its line end is not known yet)", () => {
    const scanner = new CsvRecordScanner();
    scanner.scan(Buffer.from(SAMPLE), 0, 100);
    // A COPY starting at record 3: its own two quoted newlines do not count, record 4 is line 2.
    expect([1, 2, 3].map((line) => scanner.recordOfLine(3, line))).toEqual([3, 4, 5]);
  });

  it('counts quoted \\r as lines in a \\r\\n file, as Postgres does', () => {
    const crlf = 'a,b\r\n1,"x\r\ny"\r\n2,z\r\n3,w\r\n';
    const scanner = new CsvRecordScanner();
    scanner.scan(Buffer.from(crlf), 0, 100);
    expect(scanner.crlf).toBe(true);
    expect(scanner.multiline.get(1)).toEqual({ lf: 1, cr: 1 });
    expect([1, 2, 3, 4].map((line) => scanner.recordOfLine(1, line))).toEqual([1, 1, 2, 3]);
    expect([1, 2, 3, 4].map((line) => scanner.recordOfLine(0, line))).toEqual([0, 1, 1, 2]);
  });

  it('skips blank lines (empty or a lone \\r) wherever the bytes are split, as the loader sends them', () => {
    const text = '1,a\n\n2,"x\n\ny"\r\n\r\n3,b\n\n\n';
    const expected = '1,a\n2,"x\n\ny"\r\n3,b\n';
    const random = seededRandom(3);
    for (let trial = 0; trial < 300; trial++) {
      const buf = Buffer.from(text);
      const cuts = [...new Set(Array.from({ length: random.int(0, 5) }, () => random.int(1, buf.length - 1)))].sort((a, b) => a - b);
      const scanner = new CsvRecordScanner();
      let sent = '';
      let carry = '';
      let rows = 0;
      let base = 0;
      for (const cut of [...cuts, buf.length]) {
        const chunk = buf.subarray(base, cut);
        let offset = 0;
        while (offset < chunk.length) {
          const { records, end, skipTo } = scanner.scan(chunk, offset, 1);
          if (records > 0) {
            sent += carry + chunk.subarray(offset, end).toString();
            carry = '';
            rows += records;
          }
          if (skipTo !== undefined) {
            carry = '';
            offset = skipTo;
          } else if (records === 1) offset = end;
          else {
            carry += chunk.subarray(end).toString();
            offset = chunk.length;
          }
        }
        base = cut;
      }
      expect([cuts, sent, rows, carry]).toEqual([cuts, expected, 3, '']);
    }
  });

  it('reports a quoted field left open', () => {
    const scanner = new CsvRecordScanner();
    expect(scanner.scan(Buffer.from('1,"open\n2,x\n'), 0, 10).records).toBe(0);
    expect(scanner.insideQuotes).toBe(true);
  });

  it('tells a last record without a newline from trailing line ends', () => {
    expect(hasContent(Buffer.from('\r\n'))).toBe(false);
    expect(hasContent(Buffer.from('5,x'))).toBe(true);
    expect(hasContent(Buffer.from(' '))).toBe(true);
  });
});

/** What the loader sends for `text` split at `cuts`, batches of `batch` records (as copy-loader does). */
function sent(text: string, cuts: number[], batch: number): string {
  const buf = Buffer.from(text);
  const scanner = new CsvRecordScanner();
  const out: Buffer[] = [];
  let carry: Buffer[] = [];
  let inBatch = 0;
  let base = 0;
  for (const cut of [...cuts, buf.length]) {
    const chunk = buf.subarray(base, cut);
    base = cut;
    let offset = 0;
    while (offset < chunk.length) {
      const { records, end, skipTo, markers } = scanner.scan(chunk, offset, batch - inBatch);
      if (records > 0) {
        out.push(...recordBytes(carry, chunk, offset, end, markers));
        carry = [];
        inBatch += records;
      }
      if (skipTo !== undefined) {
        carry = [];
        offset = skipTo;
      } else if (inBatch === batch) {
        offset = end;
        inBatch = 0;
      } else {
        carry.push(chunk.subarray(end));
        offset = chunk.length;
      }
    }
  }
  const tail = Buffer.concat(carry);
  if (hasContent(tail)) out.push(isMarkerRecord(tail) ? quoteMarkers(tail, [], true) : tail);
  return Buffer.concat(out).toString();
}

describe("COPY's end-of-data marker (a record that is exactly \\.)", () => {
  it('is sent quoted, so Postgres reads it as data, wherever the bytes and batches are split', () => {
    const text = 'note\n\\.\na\n\\.\r\n"x\n\\.\ny"\n\\.x\n \\.\n\\\\.\n\\.\n\\.';
    const expected = 'note\n"\\."\na\n"\\."\r\n"x\n\\.\ny"\n\\.x\n \\.\n\\\\.\n"\\."\n"\\."';
    const random = seededRandom(7);
    for (let trial = 0; trial < 500; trial++) {
      const cuts = [...new Set(Array.from({ length: random.int(0, 8) }, () => random.int(1, text.length - 1)))].sort((a, b) => a - b);
      const batch = random.int(1, 4);
      expect([cuts, batch, sent(text, cuts, batch)]).toEqual([cuts, batch, expected]);
    }
    // The quoted form is the same value to a CSV parser: only the marker lost its meaning.
    const options = { relax_column_count: true, record_delimiter: ['\r\n', '\n'] };
    expect(parse(expected, options)).toEqual(parse(text, options));
  });

  it('leaves \\. alone inside quotes and with anything else on its line', () => {
    for (const text of ['"\\."\n', '"a\n\\.\n"\n', '\\.,\n', '\\. \n', 'x\\.\n']) expect(sent(text, [], 10)).toBe(text);
  });
});

describe('readFirstRecord', () => {
  async function* chunksOf(...parts: string[]) {
    for (const p of parts) yield Buffer.from(p);
  }

  it('reads a header split across chunks and drops a byte-order mark', async () => {
    const first = await readFirstRecord(chunksOf('\ufeffcustomerId,cust', 'omerFName\n1,Mary\n'), new CsvRecordScanner());
    expect(first?.fields).toEqual(['customerId', 'customerFName']);
    expect(first?.rest.toString()).toBe('1,Mary\n');
  });

  it('returns nothing for an empty source', async () => {
    expect(await readFirstRecord(chunksOf('', '\n'), new CsvRecordScanner())).toBeUndefined();
  });
});

describe('customers columns', () => {
  it('takes a header as column names', () => {
    expect(interpretFirstRecord(['customerId', ' customerFName '])).toEqual({ header: true, columns: ['customerId', 'customerFName'] });
  });

  it('treats a numeric first field as a headerless file in the standard column order', () => {
    const result = interpretFirstRecord(['1', 'Richard', 'Hernandez', 'X', 'X', '6303 Heather Plaza', 'Brownsville', 'TX', '78521']);
    expect(result.header).toBe(false);
    expect(result.columns[0]).toBe('customerId');
    expect(() => interpretFirstRecord(['1', 'Richard'])).toThrow(InputError);
  });

  it('refuses duplicate or empty header names, and unknown columns for a new table', () => {
    expect(() => interpretFirstRecord(['a', 'a'])).toThrow(/twice/);
    expect(() => interpretFirstRecord(['a', ''])).toThrow(/empty/);
    expect(() => checkColumnsForNewTable(['customerId', 'shoeSize'])).toThrow(/shoeSize/);
    expect(() => checkColumnsForNewTable(['customerFName'])).toThrow(/customerId/);
  });
});

describe('readFirstRecord with blank lines', () => {
  async function* chunksOf(...parts: string[]) {
    for (const p of parts) yield Buffer.from(p);
  }

  it('skips blank lines before the header', async () => {
    const first = await readFirstRecord(chunksOf('\n\r\n', 'a,b\n1,2\n'), new CsvRecordScanner());
    expect(first?.fields).toEqual(['a', 'b']);
    expect(first?.rest.toString()).toBe('1,2\n');
  });
});

describe('describeUrl', () => {
  it('masks a password and secret-looking query values, and keeps the rest', () => {
    expect(describeUrl('https://u:pw123@example.com/c.csv?token=abc123&raw=1')).toBe('https://u:********@example.com/c.csv?token=********&raw=1');
    expect(describeUrl('https://example.com/customers.csv')).toBe('https://example.com/customers.csv');
  });
});
