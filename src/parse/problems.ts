/**
 * Keeps the report of invalid records readable: a binary file or a table parsed with the wrong
 * `--identity` makes thousands of records invalid for the same reason. The first few of each kind
 * of reason are shown; the rest are counted, to be said in one line at the end.
 */

/** Problems shown per kind of reason. */
export const SHOWN_PER_REASON = 5;
/** Kinds tracked one by one; beyond, every new kind counts under one line (memory stays bounded). */
const MAX_KINDS = 1000;
const OTHER = 'other reasons';

export interface HiddenProblems {
  kind: string;
  count: number;
}

export class ProblemDigest {
  private readonly counts = new Map<string, number>();

  constructor(private readonly perKind = SHOWN_PER_REASON) {}

  /** Counts the problem; true when it is among the first of its kind and should be shown. */
  admit(reason: string): boolean {
    let kind = reasonKind(reason);
    if (!this.counts.has(kind) && this.counts.size >= MAX_KINDS) kind = OTHER;
    const count = (this.counts.get(kind) ?? 0) + 1;
    this.counts.set(kind, count);
    return count <= this.perKind;
  }

  /** The kinds with problems that were not shown, in the order they first occurred. */
  hidden(): HiddenProblems[] {
    const out: HiddenProblems[] = [];
    for (const [kind, count] of this.counts) if (count > this.perKind) out.push({ kind, count: count - this.perKind });
    return out;
  }
}

/**
 * The kind of a reason: its text before the first `: ` or ` (` (where the details of one record
 * start), e.g. `not JSON`, `invalid UTF-8`, `column "price"`, `no identity column id in the row`.
 */
export function reasonKind(reason: string): string {
  let end = reason.length;
  for (const mark of [': ', ' (']) {
    const at = reason.indexOf(mark);
    if (at > 0 && at < end) end = at;
  }
  return reason.slice(0, end);
}
