/** Suggestions for a topic name that does not exist: the usual slip is a wrong prefix or schema. */
export function similarTopics(wanted: string, existing: string[], limit = 5): string[] {
  const lastPart = wanted.split('.').pop()!.toLowerCase();
  const lower = wanted.toLowerCase();
  const internal = (t: string) => t.startsWith('__') || /^(connect|_connect)[-_.]/.test(t);
  const scored = existing
    .filter((t) => !internal(t))
    .map((t) => ({ t, d: distance(lower, t.toLowerCase()) }))
    .filter(({ t, d }) => d <= Math.max(2, Math.floor(wanted.length / 4)) || t.toLowerCase().split('.').pop() === lastPart);
  return scored
    .sort((a, b) => a.d - b.d || a.t.localeCompare(b.t))
    .slice(0, limit)
    .map(({ t }) => t);
}

/** Levenshtein distance, small strings only. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}
