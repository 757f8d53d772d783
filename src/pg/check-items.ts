/** The shape of one `cdc pg check` item, shared by the server and table checks. */
export type CheckStatus = 'OK' | 'WARN' | 'FAIL';

export interface CheckItem {
  check: string;
  /** The slot, publication or table the item is about, when there is one. */
  subject?: string;
  status: CheckStatus;
  detail: string;
  /** What to do about a WARN or FAIL: SQL or a command. */
  fix?: string;
  /** The fix is safe to apply with --fix. */
  fixable?: boolean;
}
