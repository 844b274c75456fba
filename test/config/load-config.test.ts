import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENV_KEYS } from '../../config/schema.js';
import { loadConfig } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/core/errors.js';

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives working zero-config defaults', () => {
    const c = loadConfig({ env: {} });
    expect(c.embedder.provider).toBe('auto');
    expect(c.chroma.url).toBe('');
    expect(c.sources).toEqual(['data/sample']);
  });

  it('lets env override yaml and explicit options override env', () => {
    const c = loadConfig({ env: { DATA_DIR: '/tmp/a', SOURCES: 'x, y', SEARCH_K: '3' }, overrides: { dataDir: '/tmp/b' } });
    expect(c.dataDir).toBe('/tmp/b');
    expect(c.sources).toEqual(['x', 'y']);
    expect(c.retrieval.k).toBe(3);
  });

  it('applies a profile file', () => {
    expect(loadConfig({ env: { DOCENT_PROFILE: 'local' } }).log.level).toBe('debug');
  });

  it('stops on a bad enum with one line naming the key, its env var and the allowed values', () => {
    const err = errorOf(() => loadConfig({ env: { EMBEDDER: 'magic' } }));
    expect(err.message).toBe('embedder.provider (EMBEDDER): must be one of auto, transformers, hf-api, ollama, word-vectors, hash');
    expect(err.message).not.toContain('\n');
    expect(err.hint).toContain('EMBEDDER');
  });

  it('stops on a non-number', () => {
    expect(errorOf(() => loadConfig({ env: { CHUNK_SIZE: 'big' } })).message).toContain('CHUNK_SIZE');
  });

  it('stops on a bad URL and on an overlap too large for the chunk size', () => {
    expect(errorOf(() => loadConfig({ env: { CHROMA_URL: 'not a url' } })).message).toMatch(/^chroma\.url \(CHROMA_URL\)/);
    expect(errorOf(() => loadConfig({ env: { CHUNK_SIZE: '400', CHUNK_OVERLAP: '300' } })).message).toMatch(/^chunking\.overlap \(CHUNK_OVERLAP\)/);
  });

  it('stops on an unknown profile', () => {
    expect(errorOf(() => loadConfig({ env: { DOCENT_PROFILE: 'nope' } })).key).toBe('DOCENT_PROFILE');
  });

  it('.env.example documents every environment variable', () => {
    const example = readFileSync(path.resolve(import.meta.dirname, '../../.env.example'), 'utf8');
    for (const name of [...Object.keys(ENV_KEYS), 'DOCENT_PROFILE']) {
      expect(example, name).toMatch(new RegExp(`^#?\\s*${name}=`, 'm'));
    }
  });
});
