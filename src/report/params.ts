/**
 * Report parameters from text (command-line flags or an HTTP query string), checked once for both:
 * a bad value is a UsageError naming the flag (`--limit`) or the query parameter (`limit`).
 */
import { UsageError } from '../errors';
import { parseTime } from './as-of';
import { STATUS_CHOICES, type OrderStatusChoice, type ReportArgs, type ReportSpec } from './catalog';

export const MAX_LIMIT = 10_000;

/** How a parameter is named where it came from: `--limit` on the command line, `limit` in a URL. */
export type Namer = (param: string) => string;
export const flagName: Namer = (param) => `--${param}`;
export const queryName: Namer = (param) => `query parameter '${param}'`;

export function parseReportArgs(spec: ReportSpec, raw: Partial<Record<string, string>>, name: Namer): ReportArgs {
  const args: ReportArgs = {};
  const known = new Set(spec.params.map((p) => p.name));
  for (const key of ['limit', 'status', 'user', 'from', 'to'] as const) {
    if (raw[key] !== undefined && !known.has(key)) {
      throw new UsageError(
        `report ${spec.name} takes no ${name(key)}`,
        spec.params.length ? `it takes ${spec.params.map((p) => name(p.name)).join(', ')}` : 'it takes no parameters',
      );
    }
  }
  for (const param of spec.params) {
    const text = raw[param.name];
    if (text === undefined) {
      if (param.required) throw new UsageError(`report ${spec.name} needs ${name(param.name)} (${param.description})`);
      continue;
    }
    switch (param.kind) {
      case 'count': {
        const value = Number(text);
        if (!/^\s*\d+\s*$/.test(text) || value < 1 || value > MAX_LIMIT)
          throw new UsageError(`${name(param.name)} must be an integer from 1 to ${MAX_LIMIT}, got ${JSON.stringify(text)}`);
        args.limit = value;
        break;
      }
      case 'status': {
        const value = text.trim().toLowerCase();
        if (!(value in STATUS_CHOICES))
          throw new UsageError(`${name(param.name)} must be one of ${Object.keys(STATUS_CHOICES).join(', ')}, got ${JSON.stringify(text)}`);
        args.status = value as OrderStatusChoice;
        break;
      }
      case 'id': {
        // Kept as text: PostgreSQL reads it as bigint, so ids beyond 2^53 stay exact.
        const value = text.trim();
        if (!/^-?\d{1,19}$/.test(value) || BigInt(value) > 9223372036854775807n || BigInt(value) < -9223372036854775808n) {
          throw new UsageError(`${name(param.name)} must be an integer id, got ${JSON.stringify(text)}`);
        }
        args.user = value;
        break;
      }
      case 'time':
        args[param.name as 'from' | 'to'] = parseTime(text, name(param.name));
        break;
    }
  }
  if (args.from !== undefined && args.to !== undefined && Date.parse(asIso(args.from)) >= Date.parse(asIso(args.to))) {
    throw new UsageError(`${name('from')} (${args.from}) must be before ${name('to')} (${args.to})`);
  }
  return args;
}

/** Comparable in JavaScript: a zone-less time is UTC (as the report's session reads it). */
function asIso(time: string): string {
  const iso = time.replace(' ', 'T');
  return /(Z|[+-]\d{2}(:?\d{2})?)$/.test(iso) || !iso.includes('T') ? iso : `${iso}Z`;
}
