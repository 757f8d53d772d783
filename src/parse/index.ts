/** `cdc parse`: Debezium change events to holding_pivot rows. */
export { openInputs } from './inputs';
export { parseEvents } from './events';
export { SKIP_KINDS, type Note, type ParseBatch, type ParseInput, type ParseRunOptions, type ParseSummary, type Problem, type SkipKind } from './run';
export { DEFAULT_PIVOT_OPTIONS, pivotEvent, type PivotOptions, type PivotRow } from './pivot';
export { createFormatter, OUTPUT_FORMATS, pivotColumns, type OutputFormat } from './format';
export { RecordSplitter } from './records';
export { ProblemDigest, reasonKind, SHOWN_PER_REASON, type HiddenProblems } from './problems';
