import { UsageError } from '../../src/errors';
import { startOffset } from '../../src/kafka/consume/positions';
import { parseFrom, parsePartitions, parseSince } from '../../src/watch/positions';

const range = { partition: 0, low: '100', high: '250' };
const now = new Date('2026-01-02T03:04:05.000Z');

describe('--from', () => {
  it.each([
    ['beginning', { kind: 'beginning' }],
    ['earliest', { kind: 'beginning' }],
    ['END', { kind: 'end' }],
    ['42', { kind: 'offset', offset: 42n }],
    ['-10', { kind: 'tail', count: 10n }],
  ])('%s', (text, expected) => {
    expect(parseFrom(text)).toEqual(expected);
  });

  it('rejects anything else with a usage error that lists the forms', () => {
    expect(() => parseFrom('yesterday')).toThrow(UsageError);
    expect(() => parseFrom('4.5')).toThrow(expect.objectContaining({ hint: expect.stringMatching(/beginning, end, an offset/) }));
  });
});

describe('--since', () => {
  it('takes durations ago, combined units included', () => {
    expect(parseSince('10m', now)).toEqual({ kind: 'time', ms: now.getTime() - 600_000 });
    expect(parseSince('1h30m', now)).toEqual({ kind: 'time', ms: now.getTime() - 5_400_000 });
    expect(parseSince('2d', now)).toEqual({ kind: 'time', ms: now.getTime() - 172_800_000 });
  });

  it('takes ISO-8601 times', () => {
    expect(parseSince('2026-01-01T00:00:00Z', now)).toEqual({ kind: 'time', ms: Date.UTC(2026, 0, 1) });
    expect(parseSince('2026-01-01T01:00:00+01:00', now)).toEqual({ kind: 'time', ms: Date.UTC(2026, 0, 1) });
  });

  it('refuses a time before 1970 as a usage error naming the flag (Kafka would answer "API not supported")', () => {
    for (const text of ['99999d', '1'.repeat(400) + 'd', '1969-12-31T23:59:59Z']) {
      expect(() => parseSince(text, now)).toThrow(UsageError);
      expect(() => parseSince(text, now)).toThrow(/^--since '1+d|--since '99999d'|--since '1969/);
      expect(() => parseSince(text, now)).toThrow(/before 1970-01-01/);
    }
    expect(parseSince('20000d', now)).toEqual({ kind: 'time', ms: now.getTime() - 20000 * 86_400_000 });
  });

  it('rejects garbage', () => {
    expect(() => parseSince('10 minutes', now)).toThrow(UsageError);
    expect(() => parseSince('10m5', now)).toThrow(UsageError);
  });
});

describe('start offset per partition', () => {
  it('beginning and end are the low and high watermarks', () => {
    expect(startOffset({ kind: 'beginning' }, range)).toBe('100');
    expect(startOffset({ kind: 'end' }, range)).toBe('250');
  });

  it('clamps an absolute offset into what the partition holds', () => {
    expect(startOffset({ kind: 'offset', offset: 120n }, range)).toBe('120');
    expect(startOffset({ kind: 'offset', offset: 5n }, range)).toBe('100');
    expect(startOffset({ kind: 'offset', offset: 9999n }, range)).toBe('250');
  });

  it('-N starts N before the end, never before the first stored offset', () => {
    expect(startOffset({ kind: 'tail', count: 10n }, range)).toBe('240');
    expect(startOffset({ kind: 'tail', count: 1000n }, range)).toBe('100');
  });

  it('a time uses the offset the broker found, clamped', () => {
    expect(startOffset({ kind: 'time', ms: 1 }, range, '180')).toBe('180');
    expect(startOffset({ kind: 'time', ms: 1 }, range, '250')).toBe('250');
  });

  it('keeps int64 offsets exact', () => {
    const big = { partition: 0, low: '9007199254740993', high: '9007199254741093' };
    expect(startOffset({ kind: 'tail', count: 1n }, big)).toBe('9007199254741092');
  });
});

describe('--partition', () => {
  it('parses, sorts and dedupes', () => {
    expect(parsePartitions('2, 0,2')).toEqual([0, 2]);
  });
  it('rejects non-numbers', () => {
    expect(() => parsePartitions('a')).toThrow(UsageError);
    expect(() => parsePartitions('')).toThrow(UsageError);
  });
});
