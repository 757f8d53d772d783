/**
 * The HTTP routes of `cdc serve`, one per report of the catalog, with JSON schemas from which
 * the OpenAPI document (and /docs) is generated. Parameters are checked by the reports' own
 * validator, so the API and the command line accept and refuse exactly the same values.
 */
import type { ParamSpec, ReportSpec } from '../report';

/** The query-string schema of a report's route; every route also takes `at`. */
export function querySchema(spec: ReportSpec): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    at: { type: 'string', description: 'answer as of this moment (ISO-8601, UTC when no zone); default now', example: '2026-12-01T09:00:00Z' },
  };
  for (const param of spec.params) properties[param.name] = paramSchema(param);
  return {
    type: 'object',
    properties,
    required: spec.params.filter((p) => p.required).map((p) => p.name),
  };
}

function paramSchema(param: ParamSpec): Record<string, unknown> {
  const base = { description: param.description, ...(param.default === undefined ? {} : { default: param.default }) };
  switch (param.kind) {
    case 'count':
      return { ...base, type: 'integer', minimum: 1, maximum: 10_000 };
    case 'status':
      return { ...base, type: 'string', enum: ['open', 'pending', 'completed', 'cancelled', 'all'] };
    case 'id':
      return { ...base, type: 'string', pattern: '^-?[0-9]{1,19}$' };
    case 'time':
      return { ...base, type: 'string', example: '2026-12-01T00:00:00Z' };
  }
}

const VALUE_SCHEMA = { integer: { type: 'number' }, decimal: { type: 'number' }, date: { type: 'string', format: 'date' }, text: { type: 'string' } } as const;

/** The 200 answer: the same document as `cdc report NAME --json`. */
export function responseSchema(spec: ReportSpec): Record<string, unknown> {
  return {
    type: 'object',
    properties: {
      report: { type: 'string', example: spec.name },
      schema: { type: 'string' },
      at: { type: ['string', 'null'] },
      columns: { type: 'array', items: { type: 'string' } },
      rows: {
        type: 'array',
        items: {
          type: 'object',
          properties: Object.fromEntries(spec.columns.map((c) => [c.name, { ...VALUE_SCHEMA[c.type], nullable: true }])),
        },
      },
    },
  };
}

export const ERROR_SCHEMA = {
  type: 'object',
  properties: { error: { type: 'string' }, hint: { type: 'string' } },
  required: ['error'],
} as const;
