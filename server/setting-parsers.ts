/**
 * How a setting is refused (ConfigError, which main.ts prints before it exits)
 * and the parsers the settings table (config.ts) shares: each throws a ConfigError
 * that names the variable and says what it wanted.
 */

/** An error in one setting; `main.ts` prints its message and exits. */
export class ConfigError extends Error {
  readonly code = 'bad_config';
}

/** A parser of a whole number from `min` to `max`, for the variable `env`. */
export function integer(env: string, min: number, max: number) {
  return (raw: string): number => {
    if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${env} must be a whole number, got ${JSON.stringify(raw)}`);
    const value = Number(raw.trim());
    if (value < min || value > max) throw new ConfigError(`${env} must be between ${min} and ${max}, got ${value}`);
    return value;
  };
}

/** ALLOWED_ORIGINS: a comma-separated list of origins, each as the URL standard writes it. */
export function origins(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((origin) => {
      let url: URL;
      try {
        url = new URL(origin);
      } catch {
        throw new ConfigError(`ALLOWED_ORIGINS has ${JSON.stringify(origin)}, which is not an origin like http://example.org:8080`);
      }
      if (url.origin === 'null' || url.origin !== origin.replace(/\/$/, '')) {
        throw new ConfigError(`ALLOWED_ORIGINS has ${JSON.stringify(origin)}, which is not an origin like http://example.org:8080`);
      }
      return url.origin;
    });
}
