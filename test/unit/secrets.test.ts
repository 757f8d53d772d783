/**
 * Which names hold secrets, and how known secret values are masked wherever they appear.
 */
import { isSecretKey, maskConnectionString, MASK, Redactor } from '../../src/secrets';

describe('isSecretKey', () => {
  it.each([
    'database.password',
    'PGPASSWORD',
    'ssl.key.password',
    'sasl.jaas.config',
    'consumer.override.sasl.jaas.config',
    'aws.secret.access.key',
    'AWS_SECRET_ACCESS_KEY',
    'github.token',
    'auth.token',
    'api.key',
    'apiKey',
    'sink.signing.key',
    'private.key',
    'encryption.key',
    'key',
    'master_key',
    'basic.auth.user.info',
    'key.converter.basic.auth.user.info',
    'connectPassword',
    'client.credentials',
    'ssl.keystore.password',
  ])('%s is secret', (key) => expect(isSecretKey(key)).toBe(true));

  it.each([
    'key.converter',
    'key.converter.schemas.enable',
    'key.converter.schema.registry.url',
    'value.converter',
    'message.key.columns',
    'primary.key.mode',
    'primary.key.fields',
    'key.ignore',
    'transforms.unwrap.key.field',
    'key.serializer',
    'ssl.keystore.type',
    'ssl.keystore.location',
    'ssl.keymanager.algorithm',
    'ssl.key.location',
    'connectKeyFile',
    'keyspace',
    'database.user',
    'table.include.list',
    'topic.prefix',
    'slot.name',
    'partition.key.fields',
  ])('%s is not secret', (key) => expect(isSecretKey(key)).toBe(false));
});

describe('Redactor', () => {
  it('masks every occurrence of a known secret, whatever it sits in', () => {
    const r = new Redactor();
    r.addConfig({ 'database.password': 'S3cr3t-Xy', notes: 'jdbc:postgresql://h/db?password=S3cr3t-Xy' });
    expect(r.redact('url jdbc:postgresql://h/db?user=a&password=S3cr3t-Xy&ssl=1, again S3cr3t-Xy.')).toBe(
      `url jdbc:postgresql://h/db?user=a&password=${MASK}&ssl=1, again ${MASK}.`,
    );
    // Escaped inside JSON too.
    const q = new Redactor();
    q.addConfig({ 'database.password': 'a"b\\c-long' });
    expect(q.redact(JSON.stringify({ notes: 'x a"b\\c-long y' }))).not.toContain('a\\"b\\\\c-long');
  });

  it('remembers values under unknown secret-looking keys, but not words under *key* names', () => {
    const r = new Redactor();
    r.addConfig({ 'custom.auth.token': 'tok-123456', 'transforms.x.key.type': 'string', 'ext.signing.key': 'K3y-Val-99' });
    expect(r.redact('tok-123456 K3y-Val-99 string')).toBe(`${MASK} ${MASK} string`);
  });

  it('does not garble names: a password equal to the user is not masked in text, a word password only as a word', () => {
    const same = new Redactor();
    same.addConfig({ 'database.user': 'postgres', 'database.password': 'postgres' });
    expect(same.redact('io.debezium.connector.postgresql user postgres')).toBe('io.debezium.connector.postgresql user postgres');
    const word = new Redactor();
    word.addConfig({ 'database.user': 'app', 'database.password': 'postgres' });
    expect(word.redact('io.debezium.connector.postgresql: password postgres refused')).toBe(`io.debezium.connector.postgresql: password ${MASK} refused`);
  });

  it('learns secret environment variables and leaves placeholders visible', () => {
    const r = new Redactor();
    r.addEnv({ PGPASSWORD: 'Env-Pw-777', HOME: '/home/x', AWS_SECRET_ACCESS_KEY: 'AKIA/abc+def' });
    expect(r.redact('Env-Pw-777 /home/x AKIA/abc+def ${env:PGPASSWORD}')).toBe(`${MASK} /home/x ${MASK} \${env:PGPASSWORD}`);
  });
});

describe('maskConnectionString', () => {
  it.each([
    ['postgres://u:pw@h/db', `postgres://u:${MASK}@h/db`],
    ['host=h password=pw user=u', `host=h password=${MASK} user=u`],
    ['jdbc:postgresql://h/db?user=u&password=pw&ssl=true', `jdbc:postgresql://h/db?user=u&password=${MASK}&ssl=true`],
    ['sslpassword=pw', `sslpassword=${MASK}`],
    ['database.password=${env:PGPASSWORD}', 'database.password=${env:PGPASSWORD}'],
  ])('%s', (text, masked) => expect(maskConnectionString(text)).toBe(masked));
});
