/**
 * "As of" for history tables: a version is valid at t when valid_from <= t < valid_to (valid_to
 * NULL while current). Without a time, the current versions (`is_current`) are read: the same
 * rows, and what the views use, since a view cannot take a parameter.
 */
import { UsageError } from '../errors';
import type { SqlBuilder } from './sql';

/**
 * ISO-8601 date or date-time, with optional fraction (to the microsecond PostgreSQL keeps) and
 * zone. Checked here so that a typo is a usage error naming the flag, not a SQL error; the text
 * itself goes to PostgreSQL, which keeps microseconds that a JavaScript Date would drop.
 */
const TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/;

export function parseTime(text: string, flag: string): string {
  const value = text.trim();
  if (!TIME.test(value) || Number.isNaN(Date.parse(value.replace(' ', 'T').replace(/([+-]\d{2})(\d{2})$/, '$1:$2')))) {
    throw new UsageError(
      `${flag} must be an ISO-8601 time such as 2026-12-01T10:30:00Z or 2026-12-01, got ${JSON.stringify(text)}`,
      'times without a zone are read as UTC',
    );
  }
  return value;
}

/** The predicate selecting the versions of `alias` valid at `at`, or the current ones. */
export function validAt(sql: SqlBuilder, alias: string, at: string | undefined): string {
  if (at === undefined) return `${alias}.is_current`;
  const t = sql.param(at, 'timestamptz');
  return `(${alias}.valid_from <= ${t} AND (${alias}.valid_to > ${t} OR ${alias}.valid_to IS NULL))`;
}
