import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactText } from '../../src/logging/logger.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, destination };
}

describe('logger', () => {
  it('writes JSON and redacts tokens and keys wherever they sit in the log object', () => {
    const { lines, destination } = capture();
    const log = createLogger({ level: 'info', pretty: 'never', destination });
    log.info({ token: 'hf_abcdefghijklmnop', config: { hf: { token: 'hf_secret123456' }, chroma: { authToken: 'xyz-secret' } }, headers: { authorization: 'Bearer abc' } }, 'started');
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry.msg).toBe('started');
    const text = lines.join('');
    expect(text).not.toMatch(/hf_abcdefghijklmnop|hf_secret123456|xyz-secret|Bearer abc/);
    expect(text).toContain('[redacted]');
  });

  it('scrubs interaction tokens out of logged error messages', () => {
    const { lines, destination } = capture();
    const log = createLogger({ level: 'info', pretty: 'never', destination });
    const token = 'aW50ZXJhY3Rpb246MTIzNDU2Nzg5OmFiY2RlZmdoaWprbG1ub3A';
    log.error({ err: new Error(`PATCH /webhooks/123456/${token}/messages/@original failed`) }, 'edit failed');
    expect(lines.join('')).not.toContain(token);
    expect(lines.join('')).toContain('/webhooks/123456/[redacted]/messages');
  });

  it('scrubs secrets out of free text such as error messages', () => {
    expect(redactText('GET https://x/?key=s3cr3tvalue failed, token hf_ABCDEFGHIJKL', ['s3cr3tvalue'])).toBe(
      'GET https://x/?key=[redacted] failed, token [redacted]',
    );
  });
});
