import { ExitCode, NotFoundError } from '../../src/errors';
import { isPgError, translatePgError } from '../../src/pg/errors';

const target = { host: 'db.example', port: 5432, user: 'app', password: 'hunter22', database: 'shop', display: 'postgres://app@db.example:5432/shop' };

describe('translatePgError', () => {
  it.each([
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, /connection refused/, /cdc stack up/],
    [{ code: '28P01', message: 'password authentication failed for user "app"' }, /password authentication failed for user app/, /PGPASSWORD/],
    [{ code: '3D000', message: 'database "shop" does not exist' }, /database "shop" does not exist/, /createdb shop/],
    [{ code: '55000', message: 'logical decoding requires wal_level >= logical' }, /wal_level/, /ALTER SYSTEM SET wal_level = logical/],
    [{ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND db.example' }, /host db.example not found/, /PGHOST/],
    [{ code: '28000', message: 'no pg_hba.conf entry' }, /refused user app/, /pg_hba.conf/],
  ])('explains %j with what to do', (err, message, hint) => {
    const translated = translatePgError(err, target);
    expect(translated.message).toMatch(message);
    expect(translated.hint).toMatch(hint);
  });

  it('maps a missing database and a missing table to not found', () => {
    expect(translatePgError({ code: '3D000', message: 'x' }, target).exitCode).toBe(ExitCode.NOT_FOUND);
    expect(translatePgError({ code: '42P01', message: 'relation "x" does not exist' }, target)).toBeInstanceOf(NotFoundError);
  });

  it('never lets the password through, even when the server echoes it', () => {
    const translated = translatePgError({ code: 'XX000', message: 'weird: hunter22 and postgres://app:hunter22@h/d' }, target);
    expect(`${translated.message} ${translated.hint ?? ''}`).not.toContain('hunter22');
  });

  it('tells Postgres and network errors from bugs', () => {
    expect(isPgError({ code: '23505', message: 'duplicate' })).toBe(true);
    expect(isPgError({ code: 'ECONNREFUSED', message: 'x' })).toBe(true);
    expect(isPgError(new TypeError('x.map is not a function'))).toBe(false);
  });
});
