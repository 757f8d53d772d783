/** Checks shared by the `cdc sink` commands (connection flags come from ../ui/settings-flags). */
import { UsageError } from '../../src/errors';

export const DEFAULT_GROUP = 'cdc-sink-postgres';

export function wholeNumber(text: string, flag: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min || n > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got '${text}'`);
  return n;
}
