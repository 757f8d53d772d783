export { REPORTS, DEFAULT_SCHEMA, STATUS_CHOICES, findReport } from './catalog';
export type { ColumnSpec, ColumnType, ParamSpec, Pipeline, ReportArgs, ReportSpec, OrderStatusChoice } from './catalog';
export { parseTime } from './as-of';
export { runReport, installViews, reportOrThrow } from './run';
export type { ReportQuery, ReportResult, InstalledView } from './run';
export { parseReportArgs, flagName, queryName, MAX_LIMIT } from './params';
