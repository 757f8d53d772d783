/** Checks shared by the `cdc sink` commands (connection flags come from ../ui/settings-flags). */
import { intFlag } from '../ui/flags';

export const DEFAULT_GROUP = 'cdc-sink-postgres';

/** A whole number in [min, max], named by its flag: the shared parser of commands/ui/flags.ts. */
export function wholeNumber(text: string, flag: string, min: number, max: number): number {
  return intFlag(flag, { min, max })(text);
}
