/**
 * Realistic Debezium 3.x change events (PostgreSQL connector, JsonConverter with schemas) for the
 * `bank.holding` table of the CDC tutorials, shaped exactly like the events captured from Debezium
 * 3.4.3 in fixtures/holding-events.jsonl (bench/parse-capture.sh): compact JSON, keys in Debezium's
 * order, MicroTimestamp columns, 19-digit ts_ns. Each holding is created, updated three times, and
 * every other one deleted (20 % c, 70 % u, 10 % d). Used by the benchmark.
 */
const ROW_FIELDS = (optional: boolean, field: string) =>
  `{"type":"struct","fields":[{"type":"int32","optional":false,"field":"holding_id"},{"type":"int32","optional":true,"field":"user_id"},{"type":"string","optional":true,"field":"holding_stock"},{"type":"int32","optional":true,"field":"holding_quantity"},{"type":"int64","optional":true,"name":"io.debezium.time.MicroTimestamp","version":1,"field":"datetime_created"},{"type":"int64","optional":true,"name":"io.debezium.time.MicroTimestamp","version":1,"field":"datetime_updated"}],"optional":${optional},"name":"dbserver1.bank.holding.Value","field":"${field}"}`;

export const HOLDING_VALUE_SCHEMA =
  `{"type":"struct","fields":[${ROW_FIELDS(true, 'before')},${ROW_FIELDS(true, 'after')},` +
  `{"type":"struct","fields":[{"type":"string","optional":false,"field":"version"},{"type":"string","optional":false,"field":"connector"},{"type":"string","optional":false,"field":"name"},{"type":"int64","optional":false,"field":"ts_ms"},{"type":"string","optional":true,"name":"io.debezium.data.Enum","version":1,"parameters":{"allowed":"true,first,first_in_data_collection,last_in_data_collection,last,false,incremental"},"default":"false","field":"snapshot"},{"type":"string","optional":false,"field":"db"},{"type":"string","optional":true,"field":"sequence"},{"type":"int64","optional":true,"field":"ts_us"},{"type":"int64","optional":true,"field":"ts_ns"},{"type":"string","optional":false,"field":"schema"},{"type":"string","optional":false,"field":"table"},{"type":"int64","optional":true,"field":"txId"},{"type":"int64","optional":true,"field":"lsn"},{"type":"int64","optional":true,"field":"xmin"}],"optional":false,"name":"io.debezium.connector.postgresql.Source","version":1,"field":"source"},` +
  `{"type":"struct","fields":[{"type":"string","optional":false,"field":"id"},{"type":"int64","optional":false,"field":"total_order"},{"type":"int64","optional":false,"field":"data_collection_order"}],"optional":true,"name":"event.block","version":1,"field":"transaction"},` +
  `{"type":"string","optional":false,"field":"op"},{"type":"int64","optional":true,"field":"ts_ms"},{"type":"int64","optional":true,"field":"ts_us"},{"type":"int64","optional":true,"field":"ts_ns"}],` +
  `"optional":false,"name":"dbserver1.bank.holding.Envelope","version":2}`;

const STOCKS = ['VFIAX', 'SCHB', 'AAPL', 'MSFT', 'VTI', 'VTSAX', 'GOOGL', 'AMZN', 'NVDA', 'BRK.B'];
const BASE_MS = 1_763_780_000_000; // 2025-11-22T02:53:20Z

interface Holding {
  id: number;
  user: number;
  stock: string;
  quantity: number;
  createdUs: number;
  updatedUs: number;
}

function row(h: Holding): string {
  return `{"holding_id":${h.id},"user_id":${h.user},"holding_stock":"${h.stock}","holding_quantity":${h.quantity},"datetime_created":${h.createdUs},"datetime_updated":${h.updatedUs}}`;
}

/** One envelope line (no newline) for event number `i`. */
export function holdingEnvelope(i: number): string {
  const commitMs = BASE_MS + i * 7;
  const ns = BigInt(commitMs + 3) * 1_000_000n + BigInt((i * 7919) % 1_000_000);
  const id = 1000 + Math.floor(i / 5);
  const phase = i % 5;
  const kind = phase === 0 ? 'c' : phase === 4 && id % 2 === 0 ? 'd' : 'u';
  const h: Holding = {
    id,
    user: 1 + (id % 977),
    stock: STOCKS[(id + (phase >= 3 ? 1 : 0)) % STOCKS.length],
    quantity: 1 + ((id * 37 + phase * 5) % 5000),
    createdUs: (BASE_MS - 86_400_000 + id) * 1000 + 123,
    updatedUs: commitMs * 1000 + 456,
  };
  const previous: Holding = {
    ...h,
    stock: STOCKS[(id + (phase >= 4 ? 1 : 0)) % STOCKS.length],
    quantity: 1 + ((id * 37 + (phase - 1) * 5) % 5000),
    updatedUs: h.updatedUs - 7000,
  };
  const before = kind === 'c' ? 'null' : row(kind === 'd' ? h : previous);
  const after = kind === 'd' ? 'null' : row(h);
  const lsn = 34_000_000 + i * 312;
  const source = `{"version":"3.4.3.Final","connector":"postgresql","name":"dbserver1","ts_ms":${commitMs},"snapshot":"false","db":"postgres","sequence":"[\\"${lsn - 312}\\",\\"${lsn}\\"]","ts_us":${commitMs}${String(i % 1000).padStart(3, '0')},"ts_ns":${commitMs}${String(i % 1000).padStart(3, '0')}000,"schema":"bank","table":"holding","txId":${780 + i},"lsn":${lsn},"xmin":null}`;
  const payload = `{"before":${before},"after":${after},"source":${source},"transaction":null,"op":"${kind}","ts_ms":${commitMs + 3},"ts_us":${ns / 1000n},"ts_ns":${ns}}`;
  return `{"schema":${HOLDING_VALUE_SCHEMA},"payload":${payload}}`;
}
