/**
 * Masking of secrets before anything reaches stdout, stderr or a log.
 * Connect returns connector passwords in clear text and error messages can echo them, so every
 * path that prints config values or server text goes through these functions.
 */
export const MASK = '********';

/** Key names that always hold a secret (config keys, environment variables, context settings). */
const SECRET_NAME =
  /(password|passwd|passphrase|secret|token|credential|jaas[._-]?config|auth[._-]?info|user[._-]?info|private[._-]?key|api[._-]?key|access[._-]?key)/i;

/**
 * Names with `key` in them that are not secrets: record keys (converters, serializers, key
 * columns and fields), key-store kinds and locations, key files. Removed before looking for `key`.
 */
const NOT_SECRET_KEY_PARTS = [
  /(^|[._-])key[._-](converter|serializer|deserializer|serde|ignore|fields?|columns?|mode|schema|subject|location|file|type|store[._-]type)([._-].*)?$/gi,
  /(^|[._-])(message|primary|partition|record|routing|row|sort|cluster(ing)?)[._-]keys?([._-]|$)/gi,
  /key[._-]?(store|manager)[._-]?(type|location|algorithm|path|file)/gi,
  /(^|[._-])key(file|path|space)s?($|[._-])/gi,
  /keyspace|keyfile|keypath|monkey|turkey/gi,
];

/** Config-provider placeholders (`${env:PGPASSWORD}`) reveal nothing and stay visible. */
const PLACEHOLDER_PATTERN = /^\$\{[^}]+\}$/;

/** A name that always holds a secret: its values are remembered and masked in every text. */
export function isStrongSecretKey(key: string): boolean {
  return SECRET_NAME.test(key);
}

/**
 * Whether a key's value is masked where it is shown: secret by name (`*password*`, `*secret*`,
 * `*token*`, `*.jaas.config`, …) or any `*key*` name that is not a known non-secret such as
 * `key.converter`, `message.key.columns` or `ssl.keystore.type`.
 */
export function isSecretKey(key: string): boolean {
  if (SECRET_NAME.test(key)) return true;
  let rest = key;
  for (const part of NOT_SECRET_KEY_PARTS) rest = rest.replace(part, '.');
  return /key/i.test(rest);
}

export function isPlaceholder(value: unknown): boolean {
  return typeof value === 'string' && PLACEHOLDER_PATTERN.test(value);
}

/**
 * Returns a copy of a string-valued config with secret values masked. `passwordKeys` are the keys
 * the plugin declares as type PASSWORD; keys whose names look secret are masked as well.
 */
export function maskConfig(
  config: Record<string, string | null | undefined>,
  passwordKeys: ReadonlySet<string> = new Set(),
): Record<string, string | null | undefined> {
  const masked: Record<string, string | null | undefined> = {};
  for (const [key, value] of Object.entries(config)) {
    const secret = passwordKeys.has(key) || isSecretKey(key);
    masked[key] = secret && value && !isPlaceholder(value) ? MASK : value;
  }
  return masked;
}

/** Masks the password of a URL or a libpq connection string (`postgres://u:p@h/db`, `password=p`). */
export function maskConnectionString(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)([^@/\s]*)(@)/gi, (_m, head: string, _pw: string, at: string) => `${head}${MASK}${at}`)
    .replace(/(\b(?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.)*'|\$\{[^}\s]*\}|[^\s&;,"'\\]+)/gi, (m, head: string, value: string) =>
      isPlaceholder(value) ? m : `${head}${MASK}`,
    );
}

/** The forms a secret takes in printed text: as is, and escaped inside a JSON string. */
function printedForms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  return json === secret ? [secret] : [secret, json];
}

/**
 * Replaces every occurrence of the given secret values in free text (server error messages,
 * stack traces). Values shorter than 3 characters are skipped: masking them would garble the text
 * and they are no secret worth the name.
 */
export function redactValues(text: string, secrets: Iterable<string | null | undefined>): string {
  let result = text;
  // Longest first, so that a secret containing another is masked whole.
  const sorted = [...secrets].filter((s): s is string => Boolean(s) && s!.length >= 3 && !isPlaceholder(s)).sort((a, b) => b.length - a.length);
  for (const secret of sorted) {
    for (const form of printedForms(secret)) {
      // A password that is a plain word ("postgres") is masked as a word, not inside others
      // ("postgresql"): elsewhere every occurrence is masked.
      result = /^[A-Za-z]+$/.test(form) ? result.replace(new RegExp(`(?<![A-Za-z0-9])${form}(?![A-Za-z0-9])`, 'g'), MASK) : result.split(form).join(MASK);
    }
  }
  return maskConnectionString(result);
}

/**
 * The secret values a command has seen (passwords in configs, secret environment variables), so
 * that any text — config values under any key, server error messages, task traces — can be
 * scrubbed of every occurrence before it is printed. Connect echoes configs verbatim and Java
 * exceptions sometimes quote them, so masking by key name alone is not enough.
 */
export class Redactor {
  private readonly values = new Set<string>();
  /** Values printed openly elsewhere (a user or database name equal to the password). */
  private readonly open = new Set<string>();

  add(value: string | null | undefined): void {
    if (value && value.length >= 3 && !isPlaceholder(value)) this.values.add(value);
  }

  /**
   * Remembers the secret values of a config: those of keys the plugin declares PASSWORD and of
   * keys secret by name; a value under a `*key*` name only when it looks like a secret (not a
   * word or a class name), so that `transforms.x.key.type=string` does not mask every "string".
   * A password equal to a user or database name in the same config hides nothing, and masking
   * it would garble every name: such values are not masked in free text.
   */
  addConfig(config: Record<string, string | null | undefined> | undefined, passwordKeys: ReadonlySet<string> = new Set()): void {
    if (!config) return;
    for (const [key, value] of Object.entries(config)) {
      if (!value) continue;
      if (passwordKeys.has(key) || isStrongSecretKey(key)) this.add(value);
      else if (isSecretKey(key) && looksSecret(value)) this.add(value);
      else if (/(^|[._-])(user(name)?|dbname|database)$/i.test(key)) this.open.add(value);
    }
  }

  /** Secret-looking environment variables (PGPASSWORD, CDC_CONNECT_PASSWORD, AWS_SECRET_ACCESS_KEY, …). */
  addEnv(env: NodeJS.ProcessEnv): void {
    for (const [key, value] of Object.entries(env)) {
      if (isStrongSecretKey(key) || (isSecretKey(key) && value && looksSecret(value))) this.add(value);
    }
    for (const key of ['PGUSER', 'PGDATABASE', 'USER', 'LOGNAME']) if (env[key]) this.open.add(env[key]);
    try {
      const url = new URL(env.DATABASE_URL ?? '');
      if (url.username) this.open.add(decodeURIComponent(url.username));
      if (url.pathname.length > 1) this.open.add(decodeURIComponent(url.pathname.slice(1)));
    } catch {
      // No URL, nothing to learn from it.
    }
  }

  /** Whether any secret is known (a caller can skip work when none is). */
  get size(): number {
    return this.values.size;
  }

  redact(text: string): string {
    return redactValues(
      text,
      [...this.values].filter((v) => !this.open.has(v)),
    );
  }
}

/** Not a plain word, number, boolean or dotted class name: worth masking wherever it appears. */
function looksSecret(value: string): boolean {
  return value.length >= 8 && !/^[A-Za-z][A-Za-z._$-]*$/.test(value) && !/^-?\d+(\.\d+)?$/.test(value);
}
