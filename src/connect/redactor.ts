/**
 * Collects the secret values a command has seen (passwords in connector configs, secret
 * environment variables) so that any free text — server error messages, task traces, stack
 * traces — can be scrubbed of them before it is printed. Connect echoes configs verbatim and
 * Java exceptions sometimes quote them, so masking by key name alone is not enough.
 */
import { isPlaceholder, isSecretKey, redactValues } from '../secrets';

export class Redactor {
  private readonly values = new Set<string>();

  add(value: string | null | undefined): void {
    if (value && value.length >= 3 && !isPlaceholder(value)) this.values.add(value);
  }

  /** Remembers the values of secret keys: by name, and those the plugin declares PASSWORD. */
  addConfig(config: Record<string, string | null | undefined> | undefined, passwordKeys: ReadonlySet<string> = new Set()): void {
    if (!config) return;
    for (const [key, value] of Object.entries(config)) {
      if (passwordKeys.has(key) || isSecretKey(key)) this.add(value);
    }
  }

  /** Secret-looking environment variables (PGPASSWORD, CDC_CONNECT_PASSWORD, …). */
  addEnv(env: NodeJS.ProcessEnv): void {
    for (const [key, value] of Object.entries(env)) if (isSecretKey(key)) this.add(value);
  }

  redact(text: string): string {
    return redactValues(text, this.values);
  }
}
