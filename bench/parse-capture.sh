#!/usr/bin/env bash
# Captures REAL Debezium events from a running stack (`cdc stack up`) into fixtures/*-events*.jsonl
# (the fixtures of `cdc parse` are these captures; holding-edge-cases.jsonl is derived by hand). Uses its own database
# (parsefx), slots, publications and topic prefixes, and removes them afterwards.
#   bash bench/parse-capture.sh            (needs psql, kcat, curl)
set -euo pipefail
cd "$(dirname "$0")/.."
PG=${PG_URL:-$(node -p "require('./.stack/state.json').urls.pgUrl")}
BROKERS=${BROKERS:-$(node -p "require('./.stack/state.json').urls.brokers")}
CONNECT=${CONNECT_URL:-$(node -p "require('./.stack/state.json').urls.connectUrl")}
PGDB=${PG%/*}/parsefx
OUT=fixtures
# Connect keeps offsets per connector name: a fresh name per run makes each run start with a snapshot.
RUN=$(date +%s)

delete_topics() {
  node -e "
    const { Kafka } = require('kafkajs');
    const admin = new Kafka({ brokers: ['$BROKERS'], logLevel: 0 }).admin();
    const mine = (t) => /^(parsefx|parsefxnos|parsefxunwrap)\\./.test(t);
    admin.connect().then(() => admin.listTopics()).then((ts) => admin.deleteTopics({ topics: ts.filter(mine) }))
      .catch(() => {}).finally(() => admin.disconnect());"
}

cleanup() {
  for c in parsefx_main parsefx_nos parsefx_unwrap; do curl -s -X DELETE "$CONNECT/connectors/${c}_$RUN" >/dev/null || true; done
  sleep 2
  psql "$PG" -q -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE 'parsefx%' AND NOT active" >/dev/null || true
  psql "$PG" -q -c "DROP DATABASE IF EXISTS parsefx WITH (FORCE)" >/dev/null || true
  delete_topics
  sleep 2
}
trap cleanup EXIT
[ "${KEEP:-}" = 1 ] && trap - EXIT
cleanup

psql "$PG" -q -c "CREATE DATABASE parsefx"
psql "$PGDB" -q <<'SQL'
CREATE SCHEMA bank;
CREATE TABLE bank.holding (
  holding_id int PRIMARY KEY, user_id int, holding_stock varchar(8), holding_quantity int,
  datetime_created timestamp, datetime_updated timestamp);
ALTER TABLE bank.holding REPLICA IDENTITY FULL;
CREATE TABLE bank.customers (
  id bigint PRIMARY KEY, first_name text, last_name text, email text,
  balance numeric(12,2), credit_limit numeric, score double precision, active boolean,
  birth_date date, login_time time, created_at timestamptz, updated_at timestamp(3),
  valid_until timestamp, preferences jsonb, avatar bytea, tags text[], notes text,
  flags bit(4), external_id uuid, big_counter bigint);
-- REPLICA IDENTITY DEFAULT: updates carry no `before`, deletes only the key, and an unchanged
-- out-of-line (TOASTed) value arrives as __debezium_unavailable_value. EXTERNAL storage makes notes
-- out-of-line without compression, so the placeholder appears for certain.
ALTER TABLE bank.customers ALTER COLUMN notes SET STORAGE EXTERNAL;
INSERT INTO bank.holding VALUES (1000, 1, 'VFIAX', 10, '2020-09-05 10:15:20.123456', '2020-09-05 10:15:20.123456');
INSERT INTO bank.customers VALUES (1001, 'Sally', 'Thomas', 'sally.thomas@acme.com', 1234.50, 99999999999999999999.123456789,
  0.1, true, '1985-04-12', '08:30:00.123456', '2026-01-02 03:04:05.123456+00', '2026-01-02 03:04:05.123',
  'infinity', '{"tier":"gold","limits":{"daily":12345678901234567890}}', '\xdeadbeef', '{a,"b c"}',
  repeat('long note ', 400), B'1010', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 9223372036854775807);
SQL

connector() { # name prefix extra-json
  curl -sf -X PUT -H 'Content-Type: application/json' "$CONNECT/connectors/$1_$RUN/config" -d "{
    \"connector.class\":\"io.debezium.connector.postgresql.PostgresConnector\",
    \"database.hostname\":\"127.0.0.1\",\"database.port\":\"$(node -p "new URL('$PG').port")\",
    \"database.user\":\"postgres\",\"database.password\":\"postgres\",\"database.dbname\":\"parsefx\",
    \"topic.prefix\":\"$2\",\"plugin.name\":\"pgoutput\",\"slot.name\":\"$1\",\"publication.name\":\"$1\",
    \"publication.autocreate.mode\":\"filtered\",\"schema.include.list\":\"bank\"$3}" >/dev/null
}
connector parsefx_main parsefx ''
connector parsefx_nos parsefxnos ',"value.converter":"org.apache.kafka.connect.json.JsonConverter","value.converter.schemas.enable":"false","key.converter":"org.apache.kafka.connect.json.JsonConverter","key.converter.schemas.enable":"false"'
connector parsefx_unwrap parsefxunwrap ',"transforms":"unwrap","transforms.unwrap.type":"io.debezium.transforms.ExtractNewRecordState","transforms.unwrap.add.fields":"op,table,lsn,source.ts_ms","transforms.unwrap.delete.tombstone.handling.mode":"rewrite"'
sleep 15

psql "$PGDB" -q <<'SQL'
INSERT INTO bank.holding VALUES (1001, 2, 'SCHB', 100, '2020-09-06 11:00:00.5', '2020-09-06 11:00:00.5');
INSERT INTO bank.holding VALUES (1002, 3, 'AAPL', 7, '2020-09-07 12:30:45', '2020-09-07 12:30:45');
UPDATE bank.holding SET holding_quantity = 15, datetime_updated = '2020-09-08 09:00:00' WHERE holding_id = 1000;
UPDATE bank.holding SET holding_stock = 'VTI', holding_quantity = 120, datetime_updated = '2020-09-08 09:05:00' WHERE holding_id = 1001;
UPDATE bank.holding SET datetime_updated = '2020-09-08 09:06:00' WHERE holding_id = 1002;
DELETE FROM bank.holding WHERE holding_id = 1002;
INSERT INTO bank.customers (id, first_name, last_name, email, balance, created_at) VALUES (1002, 'George', 'Bailey', 'gbailey@foobar.com', -0.05, '2026-01-03 00:00:00+00');
UPDATE bank.customers SET balance = 1300.75, email = 'sally@acme.com' WHERE id = 1001;
DELETE FROM bank.customers WHERE id = 1002;
SQL
sleep 10

capture() { # topic file [kcat args]
  kcat -b "$BROKERS" -C -e -q -o beginning -t "$1" "${@:3}" > "$2"
}
capture parsefx.bank.holding "$OUT/holding-events.jsonl"
capture parsefx.bank.customers "$OUT/customers-events.jsonl"
capture parsefxnos.bank.holding "$OUT/holding-events-schemaless.jsonl"
capture parsefxunwrap.bank.holding "$OUT/holding-events-unwrapped.jsonl"
capture parsefxunwrap.bank.customers "$OUT/customers-events-unwrapped.jsonl"
capture parsefx.bank.holding "$OUT/holding-events-kcat-J.jsonl" -J
wc -l "$OUT"/*-events*.jsonl
