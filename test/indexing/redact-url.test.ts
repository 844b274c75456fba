/**
 * The redaction rules for source URLs (src/core/redact-url.ts): what counts as a secret, what must stay
 * readable (catalog links with UUIDs and slugs), and that a URL without secrets comes back byte for byte.
 */
import { describe, expect, it } from 'vitest';
import { isSecretParam, redactUrl, redactUrlsInText, scrubSecrets, splitUserinfo, urlSecrets } from '../../src/core/redact-url.js';

describe('redactUrl', () => {
  it('drops user:pass@ and replaces credential parameters, keeping the rest of the query in order', () => {
    expect(redactUrl('https://alice:s3cret-pass@data.example.org/feeds/data.json?api_key=abc123XYZ&format=json&Signature=zz9&sig=q1'))
      .toBe('https://data.example.org/feeds/data.json?api_key=REDACTED&format=json&Signature=REDACTED&sig=REDACTED');
    expect(redactUrl('https://token-only@host.example/x')).toBe('https://host.example/x');
  });

  it('knows credential parameter names in any spelling, and leaves ordinary ones alone', () => {
    for (const name of ['key', 'token', 'api_key', 'apikey', 'API-Key', 'access_token', 'signature', 'sig', 'password', 'secret', 'X-Amz-Signature', 'X-Amz-Security-Token', 'client_secret', 'x-api-key', 'refresh_token']) {
      expect(isSecretParam(name), name).toBe(true);
    }
    for (const name of ['format', 'q', 'page', 'id', 'keywords', 'sort', 'limit', 'dataset']) expect(isSecretParam(name), name).toBe(false);
  });

  it('replaces token-looking path segments (webhook URLs) but keeps UUIDs, slugs and dates readable', () => {
    expect(redactUrl('https://hooks.slack.com/services/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'))
      .toBe('https://hooks.slack.com/services/T0AB12CD3/B0EF45GH6/REDACTED');
    expect(redactUrl('https://discord.com/api/webhooks/123456789012345678/Zx9-Qw8_Er7Ty6Ui5Op4As3Df2Gh1Jk0LzXcVbNm1234qwErTy5678uIoP90aSdFgHjK'))
      .toBe('https://discord.com/api/webhooks/123456789012345678/REDACTED');
    const readable = [
      'https://catalog.example.gov/dataset/3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b',
      'https://agency.example.gov/reports/annual-report-2023-final-version-v2.pdf',
      'https://data.example.org/2024/01/15/snow-depth-daily.json',
    ];
    for (const url of readable) expect(redactUrl(url)).toBe(url);
  });

  it('returns anything without a secret unchanged, byte for byte (folders, odd spellings, plain links)', () => {
    for (const s of ['data/sample', '/srv/docs', 'file:///srv/docs', 'HTTP://Example.org/a?b=1#top', 'https://example.org', 'https://example.org/?q=snow+depth']) {
      expect(redactUrl(s)).toBe(s);
    }
  });

  it('treats an OAuth-style fragment like a query and leaves a plain anchor as it is', () => {
    expect(redactUrl('https://h.example/cb#access_token=ya29.abcdef&state=7')).toBe('https://h.example/cb#access_token=REDACTED&state=7');
    expect(redactUrl('https://h.example/doc?token=abc#section-2')).toBe('https://h.example/doc?token=REDACTED#section-2');
  });
});

describe('redactUrlsInText', () => {
  it('redacts every URL in a sentence and keeps the punctuation around it', () => {
    expect(redactUrlsInText('fetch failed (see https://u:pw12345678@h.example/x?token=abc).'))
      .toBe('fetch failed (see https://h.example/x?token=REDACTED).');
    expect(redactUrlsInText('a: http://h/?key=1, b: http://h/?key=2; done')).toBe('a: http://h/?key=REDACTED, b: http://h/?key=REDACTED; done');
    expect(redactUrlsInText('no links here')).toBe('no links here');
  });
});

describe('urlSecrets and scrubSecrets', () => {
  it('finds the password, the key (encoded and decoded) and token segments; short values are left out', () => {
    const secrets = urlSecrets('https://alice:pa%24%24word99@h.example/v1/aB3dE5fG7hI9jK1lM3nO5pQ7/feed.json?api_key=KEY%2Bvalue123&sig=ab');
    expect(secrets).toEqual(expect.arrayContaining(['pa%24%24word99', 'pa$$word99', 'KEY%2Bvalue123', 'KEY+value123', 'aB3dE5fG7hI9jK1lM3nO5pQ7']));
    expect(secrets).not.toContain('alice');
    expect(secrets).not.toContain('ab');
    expect(scrubSecrets('next page: ?api_key=KEY+value123 for pa$$word99', secrets)).toBe('next page: ?api_key=REDACTED for REDACTED');
  });
});

describe('splitUserinfo', () => {
  it('turns user:pass@ into a Basic header, decoding percent escapes, and keeps the query', () => {
    const { url, authorization } = splitUserinfo('https://us%40er:p%3Ass+word@h.example/data.json?api_key=k1');
    expect(url).toBe('https://h.example/data.json?api_key=k1');
    expect(Buffer.from(authorization!.replace(/^Basic /, ''), 'base64').toString()).toBe('us@er:p:ss+word');
    expect(splitUserinfo('https://h.example/x')).toEqual({ url: 'https://h.example/x', authorization: null });
  });
});
