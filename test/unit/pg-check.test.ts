/**
 * `runPgCheck` on recorded answers of servers we cannot make in the shared stack (wal_level
 * replica like the machine's own PostgreSQL, no senders left, a lost slot, a role without
 * REPLICATION). The integration tests cover the real stack.
 */
import type { Client } from 'pg';
import { runPgCheck, type CheckItem } from '../../src/pg/check';

interface Recording {
  settings: Record<string, string>;
  role: { rolcanlogin: boolean; rolreplication: boolean; rolsuper: boolean };
  slots: Array<Record<string, unknown>>;
  senders: number;
  publications: Array<{ pubname: string; puballtables: boolean; schemas: string[] | null; tablenames: string[] | null }>;
  tables: Record<string, { relreplident: string; has_pk: boolean; owner: string; me: string; owns: boolean; can_create: boolean; can_select: boolean }>;
}

/** Answers the check's queries from a recording; records every statement it is sent. */
function recordedClient(rec: Recording): { client: Client; sent: string[] } {
  const sent: string[] = [];
  const answer = (sql: string, params: unknown[] = []) => {
    sent.push(sql);
    const rows = (r: unknown[]) => ({ rows: r, rowCount: r.length });
    if (sql.includes('FROM pg_settings')) return rows(Object.entries(rec.settings).map(([name, setting]) => ({ name, setting })));
    if (sql.includes('current_user AS user')) return rows([{ user: 'app', database: 'shop' }]);
    if (sql.includes('FROM pg_replication_slots')) return rows(rec.slots);
    if (sql.includes('pg_stat_replication')) return rows([{ n: String(rec.senders) }]);
    if (sql.includes('FROM pg_roles')) return rows([rec.role]);
    if (sql.includes('FROM pg_publication p')) return rows(rec.publications);
    if (sql.includes('c.relreplident')) {
      const table = rec.tables[`${params[0]}.${params[1]}`];
      return rows(table ? [table] : []);
    }
    if (sql.includes('NOT EXISTS (SELECT 1 FROM pg_index')) return rows([{ schema: 'public', table: 'events' }]);
    if (/^(ALTER|CREATE) /.test(sql)) return rows([]);
    throw new Error(`unrecorded query: ${sql}`);
  };
  return { client: { query: async (sql: string, params?: unknown[]) => answer(sql, params) } as unknown as Client, sent };
}

const SYSTEM_PG: Recording = {
  settings: {
    server_version: '15.20 (Debian 15.20-0+deb12u1)',
    server_version_num: '150020',
    wal_level: 'replica',
    max_replication_slots: '10',
    max_wal_senders: '0',
    max_slot_wal_keep_size: '-1',
  },
  role: { rolcanlogin: true, rolreplication: false, rolsuper: false },
  slots: [
    {
      slot_name: 'old_connector',
      plugin: 'pgoutput',
      slot_type: 'logical',
      database: 'shop',
      active: false,
      active_pid: null,
      retained: '3221225472',
      wal_status: 'extended',
      restart_lsn: '0/1000',
      confirmed_flush_lsn: '0/1000',
    },
    {
      slot_name: 'gone',
      plugin: 'pgoutput',
      slot_type: 'logical',
      database: 'shop',
      active: false,
      active_pid: null,
      retained: null,
      wal_status: 'lost',
      restart_lsn: null,
      confirmed_flush_lsn: null,
    },
  ],
  senders: 0,
  publications: [{ pubname: 'dbz_publication', puballtables: false, schemas: ['bank'], tablenames: ['holding'] }],
  tables: {
    'bank.holding': { relreplident: 'd', has_pk: true, owner: 'app', me: 'app', owns: true, can_create: true, can_select: true },
    'public.events': { relreplident: 'd', has_pk: false, owner: 'app', me: 'app', owns: true, can_create: true, can_select: true },
    'public.audit': { relreplident: 'f', has_pk: true, owner: 'admin', me: 'app', owns: false, can_create: true, can_select: false },
  },
};

const byCheck = (items: CheckItem[], check: string, subject?: string) =>
  items.find((i) => i.check === check && (subject === undefined || i.subject === subject));

describe('runPgCheck on recorded servers', () => {
  it('FAILs what CDC cannot work without, with the fix, and WARNs about slots that hold WAL', async () => {
    const { client } = recordedClient(SYSTEM_PG);
    const report = await runPgCheck(client, { tables: [], publication: 'dbz_publication', fix: false });
    expect(byCheck(report.items, 'wal_level')).toMatchObject({ status: 'FAIL', fix: 'ALTER SYSTEM SET wal_level = logical; then restart PostgreSQL' });
    expect(byCheck(report.items, 'max_wal_senders')).toMatchObject({ status: 'FAIL', detail: '0: no connector can stream changes' });
    expect(byCheck(report.items, 'role', 'app')).toMatchObject({ status: 'FAIL', fix: 'as a superuser: ALTER ROLE "app" WITH REPLICATION' });
    expect(byCheck(report.items, 'replication_slot', 'old_connector')).toMatchObject({
      status: 'WARN',
      fix: 'resume its connector, or if nothing uses it: cdc pg slots --drop old_connector',
    });
    expect(byCheck(report.items, 'replication_slot', 'old_connector')?.detail).toMatch(
      /retains 3\.0 GiB of WAL \(max_slot_wal_keep_size = -1: without bound\) — over 1 GiB/,
    );
    expect(byCheck(report.items, 'replication_slot', 'gone')).toMatchObject({ status: 'FAIL' });
    expect(byCheck(report.items, 'publication', 'dbz_publication')).toMatchObject({ status: 'OK', detail: 'bank.holding' });
    expect(byCheck(report.items, 'primary_keys')).toMatchObject({ status: 'WARN' });
    // OK: server_version, max_replication_slots, the publication.
    expect(report.counts).toEqual({ OK: 3, WARN: 2, FAIL: 4 });
  });

  it('--fix sends only the safe statements: identity and publication, never ALTER SYSTEM or ALTER ROLE', async () => {
    const { client, sent } = recordedClient(SYSTEM_PG);
    const report = await runPgCheck(client, {
      tables: [
        { schema: 'bank', table: 'holding' },
        { schema: 'public', table: 'events' },
      ],
      publication: 'dbz_publication',
      fix: true,
    });
    expect(report.fixes).toEqual([
      { sql: 'ALTER TABLE "bank"."holding" REPLICA IDENTITY FULL', ok: true },
      { sql: 'ALTER TABLE "public"."events" REPLICA IDENTITY FULL', ok: true },
      { sql: 'ALTER PUBLICATION "dbz_publication" ADD TABLE "public"."events"', ok: true },
    ]);
    expect(sent.filter((sql) => /^ALTER (SYSTEM|ROLE)/.test(sql))).toEqual([]);
  });

  it('FAILs a table the role can neither read nor publish, and --fix leaves it to its owner', async () => {
    const { client, sent } = recordedClient(SYSTEM_PG);
    const report = await runPgCheck(client, { tables: [{ schema: 'public', table: 'audit' }], publication: 'dbz_publication', fix: true });
    expect(byCheck(report.items, 'select_privilege', 'public.audit')).toMatchObject({
      status: 'FAIL',
      fix: 'as admin or a superuser: GRANT SELECT ON "public"."audit" TO "app"',
    });
    expect(byCheck(report.items, 'published', 'public.audit')).toMatchObject({
      status: 'FAIL',
      fix: 'as admin or a superuser: ALTER PUBLICATION "dbz_publication" ADD TABLE "public"."audit"',
    });
    expect(report.fixes).toEqual([]);
    expect(sent.filter((sql) => /^(ALTER|CREATE|GRANT) /.test(sql))).toEqual([]);
  });

  it('creates the publication when it does not exist yet', async () => {
    const { client } = recordedClient({ ...SYSTEM_PG, publications: [] });
    const report = await runPgCheck(client, { tables: [{ schema: 'bank', table: 'holding' }], publication: 'my pub', fix: true });
    expect(report.fixes.map((f) => f.sql)).toContain('CREATE PUBLICATION "my pub" FOR TABLE "bank"."holding"');
  });
});

describe('runPgCheck for one connector (--name / --slot / --publication)', () => {
  const ready = {
    slot_name: 'finance',
    plugin: 'pgoutput',
    slot_type: 'logical',
    database: 'shop',
    active: false,
    active_pid: null,
    retained: '56',
    wal_status: 'reserved',
    restart_lsn: '0/1',
    confirmed_flush_lsn: '0/1',
  };

  it('checks the named slot alone: idle and small is ready (OK); absent, big, lost or not pgoutput is not', async () => {
    const rec = { ...SYSTEM_PG, slots: [...SYSTEM_PG.slots, ready, { ...ready, slot_name: 'wal2json_one', plugin: 'wal2json' }] };
    const check = async (slot: string) =>
      (await runPgCheck(recordedClient(rec).client, { tables: [], slot, fix: false })).items.filter((i) => i.check.startsWith('replication_slot'));
    expect(await check('finance')).toEqual([
      expect.objectContaining({ subject: 'finance', status: 'OK', detail: expect.stringMatching(/inactive.*: ready for its connector$/) }),
    ]);
    expect(await check('absent')).toEqual([
      expect.objectContaining({ subject: 'absent', status: 'WARN', detail: expect.stringMatching(/does not exist yet/) }),
    ]);
    expect(await check('old_connector')).toEqual([
      expect.objectContaining({ status: 'WARN', detail: expect.stringMatching(/over 1 GiB while no connector reads it/) }),
    ]);
    expect(await check('gone')).toEqual([expect.objectContaining({ status: 'FAIL', detail: expect.stringMatching(/WAL is lost/) })]);
    expect(await check('wal2json_one')).toEqual([
      expect.objectContaining({ status: 'FAIL', detail: expect.stringMatching(/needs a logical pgoutput slot on shop/) }),
    ]);
  });

  it("a table must be in the connector's publication; without one named, any publication will do and --fix adds none", async () => {
    const named = await runPgCheck(recordedClient(SYSTEM_PG).client, {
      tables: [{ schema: 'bank', table: 'holding' }],
      publication: 'holding_pub',
      fix: false,
    });
    expect(byCheck(named.items, 'published', 'bank.holding')).toMatchObject({
      status: 'WARN',
      detail: expect.stringMatching(/^in dbz_publication but not in holding_pub/),
      fix: 'CREATE PUBLICATION "holding_pub" FOR TABLE "bank"."holding"',
    });
    const { client, sent } = recordedClient({ ...SYSTEM_PG, publications: [] });
    const unnamed = await runPgCheck(client, { tables: [{ schema: 'bank', table: 'holding' }], fix: true });
    expect(byCheck(unnamed.items, 'published', 'bank.holding')).toMatchObject({
      status: 'WARN',
      fix: 'cdc pg setup --name CONNECTOR --table bank.holding (or --name CONNECTOR --fix here)',
    });
    expect(sent.filter((sql) => /PUBLICATION/.test(sql) && /^(ALTER|CREATE)/.test(sql))).toEqual([]);
  });
});
