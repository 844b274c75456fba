/**
 * Typed errors with a code and a category. Adapters turn them into one polite sentence for chat users;
 * logs keep the detail. `hint` says what the user (or operator) can do about it.
 */
export type ErrorCategory = 'user' | 'config' | 'platform' | 'provider' | 'internal';

export class DocentError extends Error {
  readonly code: string;
  readonly category: ErrorCategory;
  readonly hint: string | undefined;

  constructor(code: string, category: ErrorCategory, message: string, opts: { hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'DocentError';
    this.code = code;
    this.category = category;
    this.hint = opts.hint;
  }
}

/** A configuration value is wrong; start-up stops with one line naming the key and the fix. */
export class ConfigError extends DocentError {
  readonly key: string;
  constructor(key: string, message: string, hint?: string) {
    super('config_invalid', 'config', `${key}: ${message}`, hint === undefined ? {} : { hint });
    this.name = 'ConfigError';
    this.key = key;
  }
}

/** The index was built by another embedder (id or dimension differ); searching it would return garbage. */
export class EmbedderMismatchError extends DocentError {
  constructor(indexed: { id: string; dimension: number }, active: { id: string; dimension: number }) {
    super(
      'embedder_mismatch',
      'config',
      `The index was built with embedder ${indexed.id} (${indexed.dimension}-d) but the active embedder is ` +
        `${active.id} (${active.dimension}-d).`,
      { hint: 'Run `docent index` to rebuild the index with the active embedder, or switch EMBEDDER back.' },
    );
    this.name = 'EmbedderMismatchError';
  }
}

/** A provider (embedder, reranker, LLM, Chroma) failed or is unreachable. */
export class ProviderError extends DocentError {
  readonly provider: string;
  readonly transient: boolean;
  constructor(provider: string, message: string, opts: { transient?: boolean; cause?: unknown; hint?: string } = {}) {
    super('provider_failed', 'provider', `${provider}: ${message}`, opts);
    this.name = 'ProviderError';
    this.provider = provider;
    this.transient = opts.transient ?? false;
  }
}

/** A file or URL could not be loaded; the indexer skips it and reports `reason`. */
export class LoadError extends DocentError {
  readonly location: string;
  readonly reason: string;
  constructor(location: string, reason: string, cause?: unknown) {
    super('load_failed', 'user', `${location}: ${reason}`, { cause });
    this.name = 'LoadError';
    this.location = location;
    this.reason = reason;
  }
}

/** The index is empty or missing. */
export class NoIndexError extends DocentError {
  /** `missing` names what is gone when the manifest exists but a part of its version does not. */
  constructor(dataDir: string, missing?: string) {
    super('no_index', 'user', missing ? `The index in ${dataDir} is incomplete: ${missing}.` : `No index found in ${dataDir}.`, {
      hint: missing ? 'Run `docent index` to rebuild it.' : 'Run `docent index` first.',
    });
    this.name = 'NoIndexError';
  }
}
