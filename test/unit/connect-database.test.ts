import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pgTargetOf, slotAndPublication } from '../../src/connect/database';
import { Redactor } from '../../src/connect/redactor';
import { leftoverLines } from '../../commands/connector/delete';

const base = { 'database.hostname': 'db', 'database.port': '6543', 'database.user': 'cdc', 'database.dbname': 'bank' };

describe("pgTargetOf: the connector's own database settings", () => {
  it("resolves ${env:…} from cdc's environment and ${file:path:key} from a readable properties file", async () => {
    expect(await pgTargetOf({ ...base, 'database.password': '${env:PG_PW}' }, { PG_PW: 'from-env', DATABASE_URL: 'postgres://cdc@db:6543/bank' })).toEqual({
      target: {
        host: 'db',
        port: 6543,
        user: 'cdc',
        database: 'bank',
        password: 'from-env',
        ssl: false,
        source: 'connector config',
        display: 'postgres://cdc@db:6543/bank',
      },
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdc-pgtarget-'));
    const file = path.join(dir, 'pg.properties');
    fs.writeFileSync(file, '# secrets\nuser = cdc\npassword = from-file\n');
    try {
      expect((await pgTargetOf({ ...base, 'database.password': `\${file:${file}:password}` }, {})).target?.password).toBe('from-file');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps cdc's own host and port (DATABASE_URL, else localhost:5432) for a worker host name that only containers know", async () => {
    expect((await pgTargetOf({ ...base, 'database.hostname': 'postgres', 'database.port': '5432' }, {})).target?.via).toEqual({
      host: 'localhost',
      port: 5432,
    });
    expect((await pgTargetOf(base, { DATABASE_URL: 'postgres://u:p@127.0.0.1:15432/x' })).target?.via).toEqual({ host: '127.0.0.1', port: 15432 });
  });

  it("uses the password of cdc's DATABASE_URL for ${env:PGPASSWORD} when PGPASSWORD is unset here and the user is the same", async () => {
    const env = { DATABASE_URL: 'postgres://cdc:url-pw@localhost:5432/bank' };
    expect((await pgTargetOf({ ...base, 'database.password': '${env:PGPASSWORD}' }, env)).target?.password).toBe('url-pw');
    expect((await pgTargetOf({ ...base, 'database.user': 'other', 'database.password': '${env:PGPASSWORD}' }, env)).reason).toContain('cannot resolve');
  });

  it('says why it cannot check instead of guessing', async () => {
    expect(await pgTargetOf({ ...base, 'database.password': '${env:UNSET_PW}' }, {})).toEqual({
      reason: 'cdc cannot resolve ${env:UNSET_PW} here (the worker resolves it on its side)',
    });
    expect((await pgTargetOf({ 'database.user': 'x' }, {})).reason).toContain('no database.hostname');
  });

  it("uses Debezium's default slot and publication names when unset", () => {
    expect(slotAndPublication({})).toEqual({ slot: 'debezium', publication: 'dbz_publication' });
  });
});

describe('Redactor', () => {
  it('scrubs secret values seen in configs and secret-looking environment variables, not placeholders', () => {
    const r = new Redactor();
    r.addConfig({ 'database.password': 'pw-one', 'ssl.keystore.location': '/x', 'custom.thing': 'pw-two', 'database.user': 'bob' }, new Set(['custom.thing']));
    r.addConfig({ 'database.password': '${env:PGPASSWORD}' });
    r.addEnv({ PGPASSWORD: 'pw-three', HOME: '/root' });
    expect(r.redact('pw-one pw-two pw-three bob /root ${env:PGPASSWORD} postgres://u:pw-four@h/d')).toBe(
      '******** ******** ******** bob /root ${env:PGPASSWORD} postgres://u:********@h/d',
    );
  });
});

describe('the delete report', () => {
  it('lists what remains with the SQL to drop it', () => {
    expect(
      leftoverLines({
        name: 'holding',
        type: 'source',
        storedOffsets: 1,
        postgres: {
          database: 'db:5432/bank',
          checked: true,
          slot: { name: 'holding', exists: true, active: false, retainedBytes: 3145728 },
          publication: { name: 'holding_pub', exists: true },
        },
      }),
    ).toEqual([
      'left behind:',
      "- stored offsets (1 source partition) stay in the worker's offsets topic: re-creating 'holding' resumes from them without a new snapshot",
      "- replication slot 'holding' remains on db:5432/bank (inactive, retains 3.0 MiB of WAL); it holds WAL back until dropped: SELECT pg_drop_replication_slot('holding');",
      '- publication \'holding_pub\' remains on db:5432/bank: DROP PUBLICATION "holding_pub";',
    ]);
  });

  it('says what was dropped and that nothing is left', () => {
    expect(
      leftoverLines({
        name: 'h',
        storedOffsets: 0,
        postgres: {
          database: 'd',
          checked: true,
          dropped: { slot: true, publication: true },
          slot: { name: 'h', exists: false },
          publication: { name: 'h_pub', exists: false },
        },
      }),
    ).toEqual(["dropped replication slot 'h'", "dropped publication 'h_pub'", 'nothing left behind']);
  });
});
