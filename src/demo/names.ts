/**
 * The names `cdc demo` uses: the finance take-home's preset (cdc_user, slot cdc_pgoutput,
 * publication cdc_publication, history in schema analytics), so what the demo builds is what the
 * docs and `cdc report` describe, and a second run finds and reuses its own objects.
 */
export const DEMO = {
  schema: 'finance',
  tables: ['customers', 'products', 'orders', 'order_items'] as const,
  connector: 'cdc-demo',
  topicPrefix: 'demo',
  user: 'cdc_user',
  slot: 'cdc_pgoutput',
  publication: 'cdc_publication',
  targetSchema: 'analytics',
  group: 'cdc-demo',
  reports: ['open-orders', 'top-delivery-dates', 'pending-items', 'top-customers'] as const,
} as const;

export function demoTopics(): string[] {
  return DEMO.tables.map((t) => `${DEMO.topicPrefix}.${DEMO.schema}.${t}`);
}
