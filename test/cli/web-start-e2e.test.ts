/**
 * `docent start` in a Hugging Face Space before any secret is added: the real bin with SPACE_ID set (the hf-space
 * profile), no chat platform token and stdin closed. It used to fall back to the terminal chat, read the empty
 * stdin and exit; now it serves the web chat API and the status page on HTTP_PORT and stays up until SIGTERM.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnDocent } from '../deploy/docent-process.js';
import { readSse } from '../helpers/sse.js';

const repo = path.resolve(import.meta.dirname, '../..');
const work = mkdtempSync(path.join(os.tmpdir(), 'docent-web-start-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

describe('docent start with SPACE_ID and no chat tokens', () => {
  it('stays up, serves the chat page at /, streams a cited answer from POST /api/ask and serves /status', async () => {
    const port = await freePort();
    const p = spawnDocent(process.execPath, [path.join(repo, 'bin/docent.js'), 'start', '--data-dir', path.join(work, 'data')], {
      PATH: process.env.PATH ?? '', HOME: work, LOG_LEVEL: 'info', EMBEDDER: 'word-vectors', SPACE_ID: 'someone/docent-test',
      HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1',
    }, repo);
    let exitedEarly = false;
    void p.exited.then(() => (exitedEarly = true));
    try {
      const deadline = Date.now() + 90_000;
      while (!p.log.includes('Docent is running') && !exitedEarly && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(exitedEarly, p.log.slice(-2000)).toBe(false);
      expect(p.log).toMatch(/Docent is running/);
      // The terminal chat would have read the closed stdin and exited by now.
      await new Promise((r) => setTimeout(r, 1_000));
      expect(exitedEarly, p.log.slice(-2000)).toBe(false);

      const base = `http://127.0.0.1:${port}`;
      const res = await fetch(`${base}/api/ask`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ question: 'where should I install a temperature logger in a stream?' }) });
      expect(res.status).toBe(200);
      const events = await readSse(res);
      expect(events.map((e) => e.type)[0]).toBe('answer');
      const finish = events.at(-1) as { type: string; info: { citations: unknown[] } };
      expect(finish.type).toBe('finish');
      expect(finish.info.citations.length).toBeGreaterThan(0);
      expect(JSON.stringify(finish.info.citations)).toMatch(/Field Manual/);

      // The chat page at / (from the compiled build: the client sources are found and bundled at start).
      const page = await fetch(`${base}/`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'.*frame-ancestors https:\/\/huggingface\.co/);
      const script = /src="(\/assets\/app-[0-9a-f]+\.js)"/.exec(html)?.[1];
      expect(script, html).toBeTruthy();
      const bundle = await fetch(`${base}${script}`);
      expect(bundle.status).toBe(200);
      expect((await bundle.text()).length).toBeGreaterThan(10_000);

      const status = await fetch(`${base}/status`);
      expect(status.status).toBe(200);
      expect(await status.text()).toMatch(/Docent/);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    } finally {
      p.child.kill('SIGTERM');
      const { code } = await p.exited;
      expect(code, p.log.slice(-2000)).toBe(0);
    }
  }, 150_000);
});
