import { RecordSplitter } from '../../src/parse';

type Item = ReturnType<RecordSplitter['push']>[number];

function split(chunks: (string | Buffer)[], max?: number): Item[] {
  const splitter = new RecordSplitter(max);
  const items: Item[] = [];
  for (const chunk of chunks) items.push(...splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
  items.push(...splitter.end());
  return items;
}

const records = (items: Item[]) => items.map((i) => (i.kind === 'record' ? [i.line, i.text] : [i.line, `PROBLEM ${i.reason}`]));

describe('RecordSplitter', () => {
  it('splits lines across chunk boundaries, numbering them, with or without a final newline', () => {
    expect(records(split(['{"a":', '1}\n{"b"', ':2}\n\n{"c":3}']))).toEqual([[1, '{"a":1}'], [2, '{"b":2}'], [3, ''], [4, '{"c":3}']]);
  });

  it('drops CR of CRLF and a leading BOM', () => {
    expect(records(split(['\ufeff{"a":1}\r\n{"b":2}\r\n']))).toEqual([[1, '{"a":1}'], [2, '{"b":2}']]);
  });

  it('splits a multi-byte UTF-8 character across chunks without damage', () => {
    const bytes = Buffer.from('{"s":"é€😀"}\n');
    const items = split([bytes.subarray(0, 7), bytes.subarray(7, 9), bytes.subarray(9)]);
    expect(records(items)).toEqual([[1, '{"s":"é€😀"}']]);
  });

  it('reports invalid UTF-8 per line and keeps the other lines of the chunk', () => {
    const chunk = Buffer.concat([Buffer.from('{"a":1}\n'), Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), Buffer.from('\n{"b":2}\n')]);
    expect(records(split([chunk]))).toEqual([[1, '{"a":1}'], [2, 'PROBLEM invalid UTF-8'], [3, '{"b":2}']]);
  });

  it('skips a line over the limit without holding it, and goes on with the next', () => {
    const long = 'x'.repeat(100);
    const items = split(['{"a":1}\n', long.slice(0, 40), long.slice(40), long, '\n{"b":2}\n'], 64);
    expect(records(items)).toEqual([[1, '{"a":1}'], [2, 'PROBLEM line longer than 64 bytes: skipped'], [3, '{"b":2}']]);
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
    expect(records(items)).toEqual([[1, '{"x":0}'], [2, pretty], [after, '[\n  1\n]'], [after + 3, '{"y":1}']]);
  });

  it('reports a pretty value cut short, by the end of input or by a new value at column 0', () => {
    expect(records(split(['{\n  "op": "c",\n']))).toEqual([[1, 'PROBLEM truncated JSON value: input ended before it closed (lines 1–2)']]);
    expect(records(split(['{\n  "op": "c",\n{"y":1}\n']))).toEqual([
      [1, 'PROBLEM truncated JSON value: line 3 starts a new value before it closed'],
      [3, '{"y":1}'],
    ]);
  });
});
