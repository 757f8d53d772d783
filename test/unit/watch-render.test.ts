import chalk from 'chalk';
import { renderEvent, renderRecord } from '../../commands/watch/event';
import type { WatchRecord } from '../../src/watch/record';
import { RenderError, viewOf } from '../../src/watch/view';
import { byOp } from './watch-records';

const plain = new chalk.Instance({ level: 0 });
const coloured = new chalk.Instance({ level: 2 });
const events = byOp();

describe('terminal view of an event', () => {
  it('header: topic, partition@offset, commit time (source.ts_ms), op, key', () => {
    const text = renderEvent(viewOf(events.u, 'payload'), plain);
    const header = text.split('\n')[0];
    const commitMs = JSON.parse(events.u.value!.toString()).payload.source.ts_ms as number;
    expect(header).toContain('wdev.wdev.holding');
    expect(header).toContain('0@1');
    expect(header).toContain(new Date(commitMs).toISOString());
    expect(header).toContain('UPDATE');
    expect(header).toContain('key {"holding_id":1000}');
  });

  it("payload with values decoded, keys in Debezium's order, big integers exact", () => {
    const text = renderEvent(viewOf(events.r, 'payload'), plain);
    expect(text).toContain('"price": "123.4567"');
    expect(text).toContain('"big": 9007199254740993');
    expect(text).toMatch(/"doc": \{"a":\[1,2\]\}/);
    expect(text).toMatch(/"datetime_created": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}"/);
    const topLevel = text
      .split('\n')
      .filter((l) => /^ {4}"/.test(l))
      .map((l) => l.trim().split('"')[1]);
    expect(topLevel).toEqual(['before', 'after', 'source', 'transaction', 'op', 'ts_ms', 'ts_us', 'ts_ns']);
  });

  it('never lets control characters from a payload reach the terminal', () => {
    for (const mode of ['payload', 'full', 'raw', 'changes'] as const) {
      for (const record of Object.values(events)) {
        const text = renderEvent(viewOf(record, mode), coloured);
        const withoutOurColours = text.replace(/\u001b\[[0-9;]*m/g, '');
        expect(withoutOurColours).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
      }
    }
    expect(renderEvent(viewOf(events.r, 'payload'), plain)).toContain('evil \\u001b[31mred\\u0007 bell');
  });

  it('--changes shows an update as the changed columns, old → new', () => {
    const body = renderEvent(viewOf(events.u, 'changes'), plain).split('\n').slice(1).join('\n').trim();
    expect(body).toBe('holding_quantity: 10 → 100');
  });

  it('--changes without a before image says so and shows the new values', () => {
    const value = JSON.parse(events.u.value!.toString());
    value.payload.before = null;
    const text = renderEvent(viewOf({ ...events.u, value: Buffer.from(JSON.stringify(value)) }, 'changes'), plain);
    expect(text).toContain('no before image');
    expect(text).toContain('holding_quantity: 100');
  });

  it('an unchanged TOAST column is shown as (unchanged), never as a change', () => {
    const value = JSON.parse(events.u.value!.toString());
    value.payload.after.note = '__debezium_unavailable_value';
    const record = { ...events.u, value: Buffer.from(JSON.stringify(value)) };
    expect(renderEvent(viewOf(record, 'payload'), plain)).toContain('"note": (unchanged)');
    expect(renderEvent(viewOf(record, 'changes'), plain)).not.toContain('note');
  });

  it('tombstones are shown as such', () => {
    const text = renderEvent(viewOf(events.tombstone, 'payload'), plain);
    expect(text).toContain('TOMBSTONE');
    expect(text).toContain('key {"holding_id":1001}');
    expect(text).toContain('(tombstone');
  });

  it('--full shows the envelope with its schema, undecoded; --raw the bytes as stored', () => {
    const full = renderEvent(viewOf(events.r, 'full'), plain);
    expect(full).toContain('"schema"');
    expect(full).toContain('"payload"');
    const raw = renderEvent(viewOf(events.c, 'raw'), plain).split('\n')[1].trim();
    expect(raw).toBe(events.c.value!.toString('utf8'));
  });

  it("a primary-key change says so, with the other key from Debezium's header", () => {
    const record = { ...events.d, headers: { '__debezium.newkey': Buffer.from('{"holding_id":2001}') } };
    const header = renderEvent(viewOf(record, 'payload'), plain).split('\n')[0];
    expect(header).toContain('(primary key changed; new key {"holding_id":2001})');
    expect(renderEvent(viewOf(events.d, 'payload'), plain).split('\n')[0]).not.toContain('primary key');
  });

  it('colours the op only when asked', () => {
    expect(renderEvent(viewOf(events.d, 'payload'), plain)).not.toMatch(/\u001b\[/);
    expect(renderEvent(viewOf(events.d, 'payload'), coloured)).toMatch(/\u001b\[31m/);
  });

  it('a value that is not an event is shown with the reason', () => {
    const text = renderEvent(viewOf({ ...events.c, value: Buffer.from('{"hello":"world"}') }, 'payload'), plain);
    expect(text).toContain('NOT-AN-EVENT');
    expect(text).toContain('not a Debezium event');
  });
});

describe('deeply nested values (issue 12 item 1)', () => {
  const record = (doc: string) => ({
    topic: 'db.bank.doc',
    partition: 0,
    offset: '7',
    timestamp: '1767225600000',
    key: null,
    headers: {},
    value: Buffer.from(
      `{"before":null,"after":{"id":1,"doc":${doc}},"source":{"ts_ms":1767225600000,"schema":"bank","table":"doc"},"op":"c","ts_ms":1767225600000}`,
    ),
  });

  it.each([3_000, 20_000])('a jsonb nested %i deep is printed whole, on one line past 32 levels, without a stack overflow', (depth) => {
    const doc = '{"k":['.repeat(depth) + '"leaf\\u001b"' + ']}'.repeat(depth);
    const text = renderEvent(viewOf(record(doc), 'payload'), plain);
    // Booleans, not the texts: a failure must not print megabytes.
    const collapsed = text.replace(/\n\s*/g, '').replace(/": /g, '":');
    expect(collapsed.includes(`"doc":${doc}`)).toBe(true);
    expect(text.split('\n').length).toBeLessThan(100);
    expect(/\u001b/.test(text)).toBe(false);
  });

  it('moderate nesting keeps the multi-line layout', () => {
    const text = renderEvent(viewOf(record('{"a":{"b":{"c":"a value long enough to leave the one-line form behind for sure"}}}'), 'payload'), plain);
    expect(text).toMatch(/"doc": \{\n\s+"a": \{/);
  });
});

/** The update record with its value's payload changed by `edit` (the schema kept). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests edit arbitrary parts of a recorded event
function edited(edit: (payload: Record<string, any>) => void): WatchRecord {
  const value = JSON.parse(events.u.value!.toString());
  edit(value.payload);
  return { ...events.u, value: Buffer.from(JSON.stringify(value)) };
}

describe('hostile records in the terminal view (issue 12 item 1)', () => {
  it('shows a jsonb value nested 3,000 (and 100,000) levels deep in every mode, without a stack overflow or a misleading error', () => {
    for (const depth of [3_000, 100_000]) {
      const doc = '['.repeat(depth) + '"x"' + ']'.repeat(depth);
      const record = edited((p) => {
        p.after.doc = doc;
      });
      for (const mode of ['payload', 'full', 'raw', 'changes'] as const) {
        const text = renderRecord(record, mode, coloured);
        expect(typeof text).toBe('string');
      }
      const text = renderRecord(record, 'payload', plain) as string;
      expect(text.replace(/\s/g, '')).toContain(doc);
      // Indentation stops growing: no line starts with more than the deepest pretty level.
      expect(Math.max(...text.split('\n').map((l) => l.length - l.trimStart().length))).toBeLessThanOrEqual(2 + 2 * 33);
    }
  });

  it('a value that does not fit its schema is shown as invalid with the reason, not thrown', () => {
    const record = edited((p) => {
      p.after.price = '!!not*base64%%';
    });
    for (const mode of ['payload', 'changes'] as const) {
      const text = renderRecord(record, mode, plain) as string;
      expect(text).toContain('UPDATE');
      expect(text).toContain('column "price": Decimal value "!!not*base64%%" is not base64');
    }
  });

  it('a commit time beyond what a Date holds falls back to the record time', () => {
    for (const ts of [1e20, '1e999', -1e17]) {
      const record = edited((p) => {
        p.source.ts_ms = ts;
      });
      const header = (renderRecord(record, 'payload', plain) as string).split('\n')[0];
      expect(header).toContain('(record time)');
    }
    const raw = events.u.value!.toString().replace(/"ts_ms":\d+/, '"ts_ms":1e999');
    expect(typeof renderRecord({ ...events.u, value: Buffer.from(raw) }, 'payload', plain)).toBe('string');
  });

  it('returns a RenderError naming the record when its text cannot be made', () => {
    // What V8 throws past its string limit (~512 MiB) while the text is built (a real one takes 20 s).
    const tooLong = () => {
      throw new RangeError('Invalid string length');
    };
    const result = renderRecord(events.u, 'payload', Object.create(plain, { green: { value: tooLong } }));
    expect(result).toBeInstanceOf(RenderError);
    expect((result as RenderError).message).toBe('cannot show the record at wdev.wdev.holding[0]@1: too large to show (Invalid string length)');
    expect((result as RenderError).exitCode).toBe(3);
  });
});
