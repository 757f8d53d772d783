/**
 * The customers table. Column names keep the CSV's camelCase ("customerId", …), quoted, because
 * the tutorials load the CSV as it is and everything downstream (Debezium's field names, the
 * consumers) expects those names.
 */
import { InputError } from '../errors';
import { quoteIdent, quoteQualified, type QualifiedName } from '../pg/identifiers';

export const CUSTOMER_COLUMNS: ReadonlyArray<{ name: string; type: string }> = [
  { name: 'customerId', type: 'integer NOT NULL PRIMARY KEY' },
  { name: 'customerFName', type: 'text' },
  { name: 'customerLName', type: 'text' },
  { name: 'customerEmail', type: 'text' },
  { name: 'customerPassword', type: 'text' },
  { name: 'customerStreet', type: 'text' },
  { name: 'customerCity', type: 'text' },
  { name: 'customerState', type: 'text' },
  // Text, not a number: zip codes have leading zeros (the retail dataset already lost them).
  { name: 'customerZipcode', type: 'text' },
];

export const CUSTOMER_KEY = 'customerId';

export function createCustomersSql(table: QualifiedName): string {
  const columns = CUSTOMER_COLUMNS.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ');
  return `CREATE TABLE ${quoteQualified(table)} (${columns})`;
}

/**
 * Decides what the first record is. A header names columns; a first field that is a number means
 * the file has no header (retail_db's original part files) and the standard column order applies.
 */
export function interpretFirstRecord(fields: string[]): { header: boolean; columns: string[] } {
  if (fields.length > 0 && /^\s*\d+\s*$/.test(fields[0])) {
    if (fields.length !== CUSTOMER_COLUMNS.length) {
      throw new InputError(
        `row 1 has ${fields.length} fields and no header row: expected the ${CUSTOMER_COLUMNS.length} customer columns`,
        `add a header row naming the columns (${CUSTOMER_COLUMNS.map((c) => c.name).join(',')})`,
      );
    }
    return { header: false, columns: CUSTOMER_COLUMNS.map((c) => c.name) };
  }
  const columns = fields.map((f) => f.trim());
  const seen = new Set<string>();
  for (const column of columns) {
    if (column === '') throw new InputError('the header row has an empty column name');
    if (seen.has(column)) throw new InputError(`the header row names column ${JSON.stringify(column)} twice`);
    seen.add(column);
  }
  return { header: true, columns };
}

/** Columns a new table can be created for: the known customer columns, the key among them. */
export function checkColumnsForNewTable(columns: string[]): void {
  const known = new Set(CUSTOMER_COLUMNS.map((c) => c.name));
  const unknown = columns.filter((c) => !known.has(c));
  if (unknown.length) {
    // A web page instead of the raw file is the usual way to get here with --source URL.
    const html = columns.some((c) => c.trimStart().startsWith('<'));
    throw new InputError(
      `the header names columns a customers table does not have: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''}`,
      html
        ? 'the source looks like an HTML page: point --source at the raw CSV file'
        : `expected some of ${[...known].join(',')} — or create the table yourself and pass it with --table`,
    );
  }
  if (!columns.includes(CUSTOMER_KEY)) throw new InputError(`the header has no ${CUSTOMER_KEY} column, the primary key`);
}
