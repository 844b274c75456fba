import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Paths pino blanks out wherever they appear in a log object. Tokens and keys reach logs through config
 * dumps, request options and error objects; redacting by name catches all three.
 */
export const REDACT_PATHS = [
  'token', 'apiKey', 'authToken', 'password', 'secret', 'authorization', 'Authorization',
  '*.openaiApiKey', '*.botToken', '*.appToken', '*.signingSecret', '*.*.botToken', '*.*.appToken', '*.*.signingSecret', 'discord.token', '*.discord.token', 'config.discord.token', '*.*.openaiApiKey', '*.botToken', '*.*.botToken', '*.appToken', '*.*.appToken', '*.signingSecret', '*.*.signingSecret',
  '*.token', '*.apiKey', '*.authToken', '*.password', '*.secret', '*.authorization', '*.Authorization',
  '*.*.token', '*.*.apiKey', '*.*.authToken', '*.*.authorization', '*.*.Authorization',
  'headers.authorization', 'headers["x-chroma-token"]', '*.headers.authorization',
];

export interface LoggerOptions {
  level: string;
  pretty: 'auto' | 'always' | 'never';
  /** Where JSON logs go; default stderr so `--json` output on stdout stays machine-readable. */
  destination?: NodeJS.WritableStream;
}

/** JSON logs by default; human-readable when stderr is a TTY (or forced). Secrets are redacted. */
export function createLogger(opts: LoggerOptions): Logger {
  const pretty = opts.pretty === 'always' || (opts.pretty === 'auto' && process.stderr.isTTY === true);
  const base = {
    level: opts.level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // Error messages and stacks can carry secrets in URLs (Discord interaction tokens); scrub them by pattern.
    serializers: { err: (e: Error) => scrubObject(pino.stdSerializers.err(e)) },
  };
  if (pretty && !opts.destination) {
    return pino({
      ...base,
      transport: { target: 'pino-pretty', options: { destination: 2, colorize: true, ignore: 'pid,hostname' } },
    });
  }
  return pino(base, (opts.destination as pino.DestinationStream | undefined) ?? pino.destination(2));
}

const URL_SECRETS = /\b(webhooks|interactions)\/(\d+)\/[A-Za-z0-9_.-]{20,}/g;

function scrubObject<T>(value: T): T {
  if (typeof value === 'string') return value.replace(URL_SECRETS, '$1/$2/[redacted]') as T;
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) (value as Record<string, unknown>)[k] = scrubObject(v);
  }
  return value;
}

/** Replaces secret values inside free text (error messages, URLs) before they are logged or shown. */
export function redactText(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  return out.replace(/\b(hf_[A-Za-z0-9]{8,})\b/g, '[redacted]').replace(URL_SECRETS, '$1/$2/[redacted]');
}
