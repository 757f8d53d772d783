/**
 * Role passwords without sending them: their SCRAM verifier, and whether a stored verifier
 * matches. Whether a role's stored password verifier (pg_authid.rolpassword) is that of a given password,
 * so `cdc pg setup` can leave a password that is already right alone instead of logging in to
 * find out (which proves nothing where pg_hba.conf says trust). SCRAM-SHA-256 as RFC 5802
 * computes it; md5 as md5(password || user). Non-ASCII passwords may be normalised by the server
 * (SASLprep): then they only fail to match, and are set again, which is harmless.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

export function verifierMatches(stored: string | null, user: string, password: string): boolean {
  if (!stored) return false;
  const scram = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(stored);
  if (scram) {
    const [, iterations, salt, storedKey] = scram;
    const salted = pbkdf2Sync(password, Buffer.from(salt, 'base64'), Number(iterations), 32, 'sha256');
    const clientKey = createHmac('sha256', salted).update('Client Key').digest();
    return same(createHash('sha256').update(clientKey).digest(), Buffer.from(storedKey, 'base64'));
  }
  if (/^md5[0-9a-f]{32}$/.test(stored)) {
    return same(
      Buffer.from(
        `md5${createHash('md5')
          .update(password + user)
          .digest('hex')}`,
      ),
      Buffer.from(stored),
    );
  }
  return false;
}

function same(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The SCRAM-SHA-256 verifier of an ASCII password, as PostgreSQL stores it (what psql's \\password
 * sends): `ALTER ROLE … PASSWORD '<verifier>'` then never carries the password itself, so no
 * server log (log_statement = ddl) or pg_stat_activity can show it. Undefined for non-ASCII
 * passwords, which the server normalises (SASLprep) before hashing: those are sent for the server
 * to hash.
 */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = 4096): string | undefined {
  if (!/^[\x20-\x7e]*$/.test(password)) return undefined;
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
