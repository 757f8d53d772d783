/**
 * Debezium's temporal encodings to ISO-8601, exactly (BigInt arithmetic, dates beyond JavaScript's
 * Date range). Timestamps without a zone are wall-clock values written as if UTC: they are printed
 * naive (no `Z`), never shifted by a time zone.
 */

/** PostgreSQL ±infinity timestamps, as Debezium encodes them. */
export const POSITIVE_INFINITY_TS = 9223372036825200000n;
export const NEGATIVE_INFINITY_TS = -9223372036832400000n;

export type TimeUnit = 'ms' | 'us' | 'ns';
const PER_SECOND: Record<TimeUnit, bigint> = { ms: 1000n, us: 1_000_000n, ns: 1_000_000_000n };
const DIGITS: Record<TimeUnit, number> = { ms: 3, us: 6, ns: 9 };

/** Days since 1970-01-01 to YYYY-MM-DD (proleptic Gregorian; years outside 0–9999 as ±YYYYYY). */
export function isoDate(days: bigint): string {
  // Howard Hinnant's days_from_civil inverse, on BigInt so any int32/int64 day count is exact.
  const z = days + 719468n;
  const era = (z >= 0n ? z : z - 146096n) / 146097n;
  const doe = z - era * 146097n;
  const yoe = (doe - doe / 1460n + doe / 36524n - doe / 146096n) / 365n;
  const doy = doe - (365n * yoe + yoe / 4n - yoe / 100n);
  const mp = (5n * doy + 2n) / 153n;
  const day = doy - (153n * mp + 2n) / 5n + 1n;
  const month = mp < 10n ? mp + 3n : mp - 9n;
  const year = yoe + era * 400n + (month <= 2n ? 1n : 0n);
  return `${formatYear(year)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** Time of day from a count of `unit` past midnight: HH:MM:SS.fff (ms), .ffffff (µs) or .fffffffff (ns). */
export function isoTimeOfDay(value: bigint, unit: TimeUnit): string {
  const perSecond = PER_SECOND[unit];
  const seconds = value / perSecond;
  const fraction = value % perSecond;
  const h = seconds / 3600n;
  const m = (seconds / 60n) % 60n;
  const s = seconds % 60n;
  return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}.${pad(fraction, DIGITS[unit])}`;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Epoch count of `unit` to a naive ISO timestamp, or 'infinity' / '-infinity'. A number must be a
 * safe integer. Counts within ±(2^53 − 1) — every timestamp in µs or ms PostgreSQL sends in practice —
 * are done in Number arithmetic (exact there, and several times faster than BigInt's); the text is
 * the same (test/unit/debezium-time.test.ts checks it against the BigInt path).
 */
export function isoTimestamp(value: bigint | number, unit: TimeUnit): string {
  if (typeof value === 'number') return isoTimestampSafe(value, unit);
  if (value >= -MAX_SAFE && value <= MAX_SAFE) return isoTimestampSafe(Number(value), unit);
  return isoTimestampBig(value, unit);
}

/** isoTimestamp in BigInt arithmetic, for any int64 count. */
export function isoTimestampBig(value: bigint, unit: TimeUnit): string {
  if (value === POSITIVE_INFINITY_TS) return 'infinity';
  if (value === NEGATIVE_INFINITY_TS) return '-infinity';
  const perDay = PER_SECOND[unit] * 86400n;
  let days = value / perDay;
  let rest = value % perDay;
  if (rest < 0n) {
    rest += perDay;
    days -= 1n;
  }
  return `${isoDate(days)}T${isoTimeOfDay(rest, unit)}`;
}

/** Epoch milliseconds of an instant (e.g. `source.ts_ms`) to ISO-8601 UTC with `Z`; a number must be a safe integer. */
export function isoInstantMs(value: bigint | number): string {
  return `${isoTimestamp(value, 'ms')}Z`;
}

/** Microseconds to an ISO-8601 duration (days of 24 h; Debezium has already folded months into µs). */
export function isoDurationMicros(value: bigint): string {
  const sign = value < 0n ? '-' : '';
  let rest = value < 0n ? -value : value;
  const days = rest / 86_400_000_000n;
  rest %= 86_400_000_000n;
  const hours = rest / 3_600_000_000n;
  rest %= 3_600_000_000n;
  const minutes = rest / 60_000_000n;
  rest %= 60_000_000n;
  const seconds = rest / 1_000_000n;
  const micros = rest % 1_000_000n;
  let time = '';
  if (hours) time += `${hours}H`;
  if (minutes) time += `${minutes}M`;
  if (seconds || micros) time += micros ? `${seconds}.${pad(micros, 6).replace(/0+$/, '')}S` : `${seconds}S`;
  const datePart = days ? `${days}D` : '';
  if (!datePart && !time) return 'PT0S';
  return `${sign}P${datePart}${time ? 'T' + time : ''}`;
}

const PER_SECOND_N: Record<TimeUnit, number> = { ms: 1000, us: 1_000_000, ns: 1_000_000_000 };

/** Truncating integer division, exact for safe integers (the remainder operator is exact on them). */
function tdiv(a: number, b: number): number {
  return (a - (a % b)) / b;
}

/** isoTimestamp of a safe integer count, with the same steps as the BigInt path. */
function isoTimestampSafe(value: number, unit: TimeUnit): string {
  const perSecond = PER_SECOND_N[unit];
  const perDay = perSecond * 86400;
  let rest = value % perDay;
  let days = (value - rest) / perDay;
  if (rest < 0) {
    rest += perDay;
    days -= 1;
  }
  // Time of day, as isoTimeOfDay.
  const fraction = rest % perSecond;
  const seconds = (rest - fraction) / perSecond;
  // Events come in time order: the date, and often the second, is the one just made.
  const second = days * 86400 + seconds;
  if (second !== lastSecond) {
    if (days !== lastDays) {
      lastDate = isoDateSafe(days);
      lastDays = days;
    }
    const minutes = (seconds - (seconds % 60)) / 60;
    lastSecondText = `${lastDate}T${TWO_DIGITS[(minutes - (minutes % 60)) / 60]}:${TWO_DIGITS[minutes % 60]}:${TWO_DIGITS[seconds % 60]}.`;
    lastSecond = second;
  }
  return lastSecondText + fractionDigits(fraction, unit);
}

let lastDays = NaN;
let lastDate = '';
/** Seconds since the epoch of the last time made (safe: |days| ≤ 1.1e8 here), and its text up to the fraction. */
let lastSecond = NaN;
let lastSecondText = '';
/** '00' … '99'; hours of a day are below 24 here. */
const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0'));
/** '000' … '999': fractions of a second in groups of three digits. */
const THREE_DIGITS = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0'));

/** A fraction of a second (0 ≤ fraction < 1 s in `unit`) as its 3, 6 or 9 digits, as padN(fraction, DIGITS[unit]). */
function fractionDigits(fraction: number, unit: TimeUnit): string {
  if (unit === 'ms') return THREE_DIGITS[fraction];
  const low = fraction % 1000;
  const high = (fraction - low) / 1000;
  if (unit === 'us') return THREE_DIGITS[high] + THREE_DIGITS[low];
  const middle = high % 1000;
  return THREE_DIGITS[(high - middle) / 1000] + THREE_DIGITS[middle] + THREE_DIGITS[low];
}

/** isoDate of a safe integer count of days. */
function isoDateSafe(days: number): string {
  // Howard Hinnant's days_from_civil inverse, as isoDate.
  const z = days + 719468;
  const era = tdiv(z >= 0 ? z : z - 146096, 146097);
  const doe = z - era * 146097;
  const yoe = tdiv(doe - tdiv(doe, 1460) + tdiv(doe, 36524) - tdiv(doe, 146096), 365);
  const doy = doe - (365 * yoe + tdiv(yoe, 4) - tdiv(yoe, 100));
  const mp = tdiv(5 * doy + 2, 153);
  const day = doy - tdiv(153 * mp + 2, 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const yearText = year >= 0 && year <= 9999 ? padN(year, 4) : (year < 0 ? '-' : '+') + padN(year < 0 ? -year : year, 6);
  return `${yearText}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}`;
}

function padN(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function pad(value: bigint, width: number): string {
  return value.toString().padStart(width, '0');
}

function formatYear(year: bigint): string {
  if (year >= 0n && year <= 9999n) return pad(year, 4);
  return (year < 0n ? '-' : '+') + pad(year < 0n ? -year : year, 6);
}
