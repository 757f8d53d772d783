/** What `cdc demo` prints besides the report tables: its --json document and the next steps. */
import type { DemoResult } from '../../src/demo';
import { reportDocument } from '../../src/report/document';

/** The --json contract: explicit fields, the reports as `cdc report --json` documents. */
export function demoDocument(r: DemoResult): Record<string, unknown> {
  return {
    stack: r.stack,
    source: r.source,
    connector: r.connector,
    workload: { seed: r.workload.seed, ops: r.workload.ops, moves: r.workload.moves, events: r.workload.events, rowsAtEnd: r.workload.rowsAtEnd },
    sink: {
      group: r.sink.group,
      targetSchema: r.sink.targetSchema,
      passes: r.sink.passes.map((p) => ({
        reason: p.reason,
        records: p.counts.records,
        changes: p.counts.changes,
        alreadyCommitted: p.counts.alreadyCommitted,
        elapsedMs: p.elapsedMs,
      })),
    },
    reports: r.reports.map(reportDocument),
    views: r.views,
  };
}

export function nextSteps(r: DemoResult): string[] {
  const schema = r.sink.targetSchema;
  return [
    '',
    `The history tables and views are in schema ${schema} of the target database (sink group ${r.sink.group}).`,
    'Explore:',
    `  cdc report --list                                     # every report and its parameters`,
    `  cdc report top-customers --target-schema ${schema} --at "$(date -u -d '-1 min' +%FT%TZ)"   # a minute ago`,
    `  cdc serve --target-schema ${schema}                      # the same reports over HTTP, docs at /docs`,
    `  cdc watch ${r.connector.topics[2]} --exit-at-end        # the change events themselves`,
    `  cdc demo --ops 500                                     # more changes: the demo picks up where it stopped`,
    'Stop: cdc stack down   (data kept; cdc stack down --purge wipes it)',
  ];
}
