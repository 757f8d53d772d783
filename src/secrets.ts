/**
 * Masking of secrets before anything reaches stdout, stderr or a log.
 * Connect returns connector passwords in clear text and error messages can echo them, so every
 * path that prints config values or server text goes through these functions.
 */
export const MASK = '********';

/** Config keys that hold secrets by name, whatever the plugin declares. */
const SECRET_KEY_PATTERN = /(password|passwd|secret|token|credential|api[._-]?key|private[._-]?key|jaas\.config|auth\.info)/i;

/** Values that are config-provider placeholders (`${env:PGPASSWORD}`) reveal nothing and stay visible. */
const PLACEHOLDER_PATTERN = /^\$\{[^}]+\}$/;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY_PATTERN.test(key);
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
    .replace(/(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)/gi, (_m, head: string) => `${head}${MASK}`);
}

/**
 * Replaces every occurrence of the given secret values in free text (server error messages,
 * stack traces). Values shorter than 3 characters are skipped: masking them would garble the text
 * and they are no secret worth the name.
 */
export function redactValues(text: string, secrets: Iterable<string | null | undefined>): string {
  let result = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 3 || isPlaceholder(secret)) continue;
    result = result.split(secret).join(MASK);
  }
  return maskConnectionString(result);
}
