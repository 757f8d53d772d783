import { RecordSplitter } from '../../src/parse';

type Item = ReturnType<RecordSplitter['push']>[number];

function split(chunks: (string | Buffer)[], max?: number): Item[] {
  const splitter = new RecordSplitter(max);
  const items: Item[] = [];
  for (const chunk of chunks) items.push(...splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
  items.push(...splitter.end());
  return items;
}

const records = (items: Item[]) =>
  items.map((i) => (i.kind === 'record' ? [i.line, i.text] : i.kind === 'bytes' ? [i.line, i.bytes.toString()] : [i.line, `PROBLEM ${i.reason}`]));

describe('RecordSplitter', () => {
  it('splits lines across chunk boundaries, numbering them, with or without a final newline', () => {
    expect(records(split(['{"a":', '1}\n{"b"', ':2}\n\n{"c":3}']))).toEqual([
      [1, '{"a":1}'],
      [2, '{"b":2}'],
      [3, ''],
      [4, '{"c":3}'],
    ]);
  });

  it('drops CR of CRLF and a leading BOM', () => {
    expect(records(split(['\ufeff{"a":1}\r\n{"b":2}\r\n']))).toEqual([
      [1, '{"a":1}'],
      [2, '{"b":2}'],
    ]);
  });

  it('splits a multi-byte UTF-8 character across chunks without damage', () => {
    const bytes = Buffer.from('{"s":"é€😀"}\n');
    const items = split([bytes.subarray(0, 7), bytes.subarray(7, 9), bytes.subarray(9)]);
    expect(records(items)).toEqual([[1, '{"s":"é€😀"}']]);
  });

  it('reports invalid UTF-8 per line and keeps the other lines of the chunk', () => {
    const chunk = Buffer.concat([Buffer.from('{"a":1}\n'), Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), Buffer.from('\n{"b":2}\n')]);
    expect(records(split([chunk]))).toEqual([
      [1, '{"a":1}'],
      [2, 'PROBLEM invalid UTF-8'],
      [3, '{"b":2}'],
    ]);
  });

  it('skips a line over the limit without holding it, and goes on with the next', () => {
    const long = 'x'.repeat(100);
    const items = split(['{"a":1}\n', long.slice(0, 40), long.slice(40), long, '\n{"b":2}\n'], 64);
    expect(records(items)).toEqual([
      [1, '{"a":1}'],
      [2, 'PROBLEM line longer than 64 B: skipped'],
      [3, '{"b":2}'],
    ]);
  });

  it('keeps a 10 MB line that arrives in 64 KiB chunks', () => {
    const line = `{"s":"${'y'.repeat(10 * 1024 * 1024)}"}`;
    const bytes = Buffer.from(line + '\n{"n":1}\n');
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 65536) chunks.push(bytes.subarray(i, i + 65536));
    const items = split(chunks);
    expect(items).toHaveLength(2);
    expect(items[0]).toEqual({ kind: 'record', line: 1, text: line });
    expect(items[1]).toEqual({ kind: 'record', line: 2, text: '{"n":1}' });
  });

  it('joins a pretty-printed value (as jq prints it) into one record at its first line', () => {
    const pretty = JSON.stringify({ op: 'c', after: { id: 1, tags: [1, 2] } }, null, 2);
    const items = split([`{"x":0}\n${pretty}\n[\n  1\n]\n{"y":1}\n`]);
    const after = 2 + pretty.split('\n').length;
    expect(records(items)).toEqual([
      [1, '{"x":0}'],
      [2, pretty],
      [after, '[\n  1\n]'],
      [after + 3, '{"y":1}'],
    ]);
  });

  it('reports a pretty value cut short, by the end of input or by a new value at column 0', () => {
    expect(records(split(['{\n  "op": "c",\n']))).toEqual([[1, 'PROBLEM truncated JSON value: input ended before it closed (lines 1–2)']]);
    expect(records(split(['{\n  "op": "c",\n{"y":1}\n']))).toEqual([
      [1, 'PROBLEM truncated JSON value: line 3 starts a new value before it closed'],
      [3, '{"y":1}'],
    ]);
  });

  describe('a stray `{` line before an event (issue 12 item 6)', () => {
    const event = { payload: { op: 'c', after: { id: 1, tags: [1, 2] }, source: { ts_ms: 1 } } };
    const indented = (text: string, by: string) =>
      text
        .split('\n')
        .map((l) => by + l)
        .join('\n');

    it('recovers an event pretty-printed with indentation under it, at its own line', () => {
      const pretty = indented(JSON.stringify(event, null, 2), '  ');
      const n = pretty.split('\n').length;
      expect(records(split([`{\n${pretty}\n{"y":1}\n`]))).toEqual([
        [1, `PROBLEM truncated JSON value: line ${n + 2} starts a new value before it closed`],
        [2, pretty],
        [n + 2, '{"y":1}'],
      ]);
      // Input that ends there, and tabs instead of spaces.
      const tabbed = indented(JSON.stringify(event, null, '\t'), '\t');
      expect(records(split([`{\n${tabbed}\n`]))).toEqual([
        [1, `PROBLEM truncated JSON value: input ended before it closed (lines 1–${n + 1})`],
        [2, tabbed],
      ]);
    });

    it('recovers an indented one-line event under it, and one at column 0 after it', () => {
      const compact = JSON.stringify(event);
      expect(records(split([`{\n  ${compact}\n`]))).toEqual([
        [1, 'PROBLEM truncated JSON value: input ended before it closed (lines 1–2)'],
        [2, `  ${compact}`],
      ]);
      const pretty = JSON.stringify(event, null, 2);
      expect(records(split([`{\n${pretty}\n`]))).toEqual([
        [1, 'PROBLEM truncated JSON value: line 2 starts a new value before it closed'],
        [2, pretty],
      ]);
    });

    it('reports a pretty value cut short once, without a report per line or per nested object', () => {
      const cut = JSON.stringify({ schema: { fields: [{ a: 1 }, { b: 2 }, { c: 3 }] }, payload: { op: 'c' } }, null, 2)
        .split('\n')
        .slice(0, 9)
        .join('\n');
      expect(records(split([`${cut}\n{"y":1}\n`]))).toEqual([
        [1, 'PROBLEM truncated JSON value: line 10 starts a new value before it closed'],
        [10, '{"y":1}'],
      ]);
    });

    it('reads a stream of events each pretty-printed with the same indentation', () => {
      const a = indented(JSON.stringify({ op: 'c' }, null, 2), '    ');
      const b = indented(JSON.stringify({ op: 'u', after: [1] }, null, 2), '    ');
      expect(records(split([`${a}\n${b}\n`]))).toEqual([
        [1, a],
        [4, b],
      ]);
    });
  });
});
