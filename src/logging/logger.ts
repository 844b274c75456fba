import pino, { type Logger } from 'pino';
import { redactUrlsInText } from '../core/redact-url.js';

export type { Logger };

/**
 * Paths pino blanks out wherever they appear in a log object. Tokens and keys reach logs through config
 * dumps, request options and error objects; redacting by name catches all three.
 */
export const REDACT_PATHS = [
  'token', 'apiKey', 'authToken', 'password', 'secret', 'authorization', 'Authorization',
  '*.openaiApiKey', '*.botToken', '*.appToken', '*.signingSecret', '*.*.botToken', '*.*.appToken', '*.*.signingSecret', 'discord.token', '*.discord.token', 'config.discord.token', '*.*.openaiApiKey', '*.botToken', '*.*.botToken', '*.appToken', '*.*.appToken', '*.signingSecret', '*.*.signingSecret',
  'rerankToken', '*.rerankToken', '*.*.rerankToken',
  '*.token', '*.apiKey', '*.authToken', '*.password', '*.secret', '*.authorization', '*.Authorization',
  '*.*.token', '*.*.apiKey', '*.*.authToken', '*.*.authorization', '*.*.Authorization',
  'headers.authorization', 'headers["x-chroma-token"]', '*.headers.authorization',
  'hashKey', '*.hashKey', '*.*.hashKey',
];

export interface LoggerOptions {
  level: string;
  pretty: 'auto' | 'always' | 'never';
  /** Where JSON logs go; default stderr so `--json` output on stdout stays machine-readable. */
  destination?: NodeJS.WritableStream;
}

/**
 * JSON logs by default; human-readable when stderr is a TTY (or forced). Secrets are redacted: keys by name
 * (REDACT_PATHS), and credentials inside URLs (userinfo, `?api_key=`, token path segments) wherever a URL
 * sits — a field, a nested config dump, the message, an error — because source URLs are logged by value.
 */
export function createLogger(opts: LoggerOptions): Logger {
  const pretty = opts.pretty === 'always' || (opts.pretty === 'auto' && process.stderr.isTTY === true);
  const base: pino.LoggerOptions = {
    level: opts.level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // Error messages and stacks can carry secrets in URLs (Discord interaction tokens); scrub them by pattern.
    serializers: { err: (e: Error) => scrubObject(pino.stdSerializers.err(e)) },
    // A copy, not in place: the logged object is the caller's (a config, a summary) and must not change.
    formatters: { log: (obj) => scrubCopy(obj, 0) as Record<string, unknown>, bindings: (b) => scrubCopy(b, 0) as pino.Bindings },
    hooks: {
      logMethod(args, method) {
        // The message (and printf-style arguments) can hold a URL too: `log.warn('fetching %s', url)`.
        const scrubbed = args.map((a: unknown) => (typeof a === 'string' ? scrubString(a) : a));
        method.apply(this, scrubbed as Parameters<typeof method>);
      },
    },
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

function scrubString(s: string): string {
  return redactUrlsInText(s).replace(URL_SECRETS, '$1/$2/[redacted]');
}

function scrubObject<T>(value: T): T {
  if (typeof value === 'string') return scrubString(value) as T;
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) (value as Record<string, unknown>)[k] = scrubObject(v);
  }
  return value;
}

/**
 * Scrubbed copy of plain objects, arrays and strings. Errors are left to the `err` serializer, other class
 * instances are passed through untouched; depth is bounded so a cyclic object cannot hang logging.
 */
function scrubCopy(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (!value || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) return value.map((v) => scrubCopy(v, depth + 1));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubCopy(v, depth + 1);
  return out;
}

/** Replaces secret values inside free text (error messages, URLs) before they are logged or shown. */
export function redactText(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  return scrubString(out.replace(/\b(hf_[A-Za-z0-9]{8,})\b/g, '[redacted]'));
}
