/**
 * The Number fast path of isoTimestamp (safe integers) against the BigInt path it stands in for:
 * the same text for every unit, at the edges (epoch, days' and eras' boundaries, years 0 and 9999,
 * ±2^53 − 1) and on random counts.
 */
import fc from 'fast-check';
import { isoTimestamp, isoTimestampBig, type TimeUnit } from '../../src/debezium/time';

const UNITS: TimeUnit[] = ['ms', 'us', 'ns'];
const MAX = Number.MAX_SAFE_INTEGER;

describe('isoTimestamp: Number path = BigInt path', () => {
  it.each(UNITS)('at the edges (%s)', (unit) => {
    const perDay = { ms: 86_400_000, us: 86_400_000_000, ns: 86_400_000_000_000 }[unit];
    const edges = [0, 1, -1, perDay, perDay - 1, -perDay, -perDay + 1, -perDay - 1, MAX, -MAX, MAX - 1, -MAX + 1];
    // Around the start of years 0, 1, 1970, 2000, 2100, 9999, 10000 and of 400-year eras.
    for (const days of [-719528, -719162, 0, 10957, 47482, 2932896, 2932897, -146097, 146097, -719468, -719469]) {
      for (const d of [-1, 0, 1]) {
        const at = (days + d) * perDay;
        if (Math.abs(at) <= MAX) edges.push(at, at - 1, at + 1);
      }
    }
    for (const n of edges) expect([n, isoTimestamp(n, unit)]).toEqual([n, isoTimestampBig(BigInt(n), unit)]);
  });

  it.each(UNITS)('on runs of nearby counts, where the text of the last second is reused (%s)', (unit) => {
    const perSecond = { ms: 1000, us: 1_000_000, ns: 1_000_000_000 }[unit];
    const perDay = perSecond * 86_400;
    // The same second of day on the next day and the day before, across midnight, before the epoch.
    for (const start of [1_763_780_000 * perSecond, -perSecond - 5, perDay - 3, 10 * perDay + 7, 9 * perDay + 7, -perDay + 2, 0]) {
      if (Math.abs(start) > MAX / 2) continue;
      for (const step of [1, Math.floor(perSecond / 7) + 1, perSecond - 1, perSecond, perDay]) {
        for (let k = 0, n = start; k < 12; k++, n += step) expect([n, isoTimestamp(n, unit)]).toEqual([n, isoTimestampBig(BigInt(n), unit)]);
      }
    }
  });

  it('on random safe integers, as numbers and as BigInts', () => {
    fc.assert(
      fc.property(fc.integer({ min: -MAX, max: MAX }), fc.constantFrom(...UNITS), (n, unit) => {
        const expected = isoTimestampBig(BigInt(n), unit);
        expect(isoTimestamp(n, unit)).toBe(expected);
        expect(isoTimestamp(BigInt(n), unit)).toBe(expected);
      }),
      { numRuns: 20_000 },
    );
  });
});
