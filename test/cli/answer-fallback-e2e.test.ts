/**
 * "With the fake HF server killed mid-answer, the user sees the partial text, a note, and the extractive
 * fallback": the real `docent ask` (real @huggingface/inference client, real chain) against a loopback server
 * speaking HF's SSE chat protocol, which drops the connection after three tokens. Then with an HTTP 500 before
 * any token, and with the HF backend working.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docentCli } from '../helpers/docent-cli.js';
import { script } from '../fakes/chat-script.js';
import { startFakeHfServer, type FakeHfServer } from '../fakes/fake-hf-server.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'docent-fallback-'));
const dataDir = path.join(work, 'data');
let hf: FakeHfServer;

const docent = docentCli(work, dataDir);

const withHf = () => ({ HF_TOKEN: 'hf_testtoken', HF_ENDPOINT_URL: hf.url, LLM_CHAIN: 'hf,extractive', HF_CHAT_MODEL: 'test/model', ANSWER_CACHE_TTL_SECONDS: '0' });
const QUESTION = 'where should I install a temperature logger in a stream?';

interface AskJson {
  answer: string;
  finishReason: string;
  backend: string;
  fallbacks: Array<{ backend: string; reason: string }>;
  citations: Array<{ n: number; title: string }>;
}

describe('answer fallback through the real CLI and HF client', () => {
  beforeAll(async () => {
    hf = await startFakeHfServer();
    await docent(['index']);
  });
  afterAll(async () => {
    await hf.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('keeps the partial text, adds a note, and finishes with excerpts when the server dies mid-answer', async () => {
    hf.chat.enqueue(script({ tokens: ['Put the logger ', 'in the main current ', 'where water is mixed [1]', ' and shaded'], delayMs: 20, cutAfter: 3 }));
    const out = JSON.parse((await docent(['ask', QUESTION, '--json'], withHf())).stdout) as AskJson;
    expect(out.answer.startsWith('Put the logger in the main current where water is mixed [1]\n\n_(hf:test/model stopped mid-answer:')).toBe(true);
    expect(out.answer).toMatch(/Continuing with excerpts from the catalog\.\)_\n\nExcerpts from the catalog \(no language model was used\):\n\n> .+\[\d\]/);
    expect(out.answer).not.toContain('mixed [1] and shaded'); // the token after the cut never arrives
    expect(out.backend).toBe('extractive');
    expect(out.fallbacks[0]!.backend).toBe('hf:test/model');
    expect(out.citations.length).toBeGreaterThan(0);
    // The model saw the question and numbered passages, with the token, and was asked to stream.
    const req = hf.chat.requests.at(-1)!;
    expect(req.stream).toBe(true);
    expect(req.authorization).toBe('Bearer hf_testtoken');
    expect(JSON.stringify(req.messages)).toMatch(/<passage n=\\"1\\"/);
  });

  it('falls back before any token on HTTP 500 and ends with a note', async () => {
    // 500 twice: the first attempt and its one retry.
    hf.chat.enqueue(script({ tokens: [], status: 500 }));
    hf.chat.enqueue(script({ tokens: [], status: 500 }));
    const out = JSON.parse((await docent(['ask', QUESTION, '--json'], withHf())).stdout) as AskJson;
    expect(out.answer).toMatch(/^Excerpts from the catalog/);
    expect(out.answer).toMatch(/_Note: hf:test\/model was unavailable \(.*500.*\); answered by excerpts from the catalog\._$/);
    expect(out.backend).toBe('extractive');
  });

  it('prints the notes on a terminal as words, without the chat italics marks', async () => {
    hf.chat.enqueue(script({ tokens: ['Put the logger ', 'in the main current [1]', ' and shaded'], delayMs: 20, cutAfter: 2 }));
    const mid = (await docent(['ask', QUESTION], withHf())).stdout;
    expect(mid).toMatch(/\n\(hf:test\/model stopped mid-answer: .*Continuing with excerpts from the catalog\.\)\n/);
    hf.chat.enqueue(script({ tokens: [], status: 500 }));
    hf.chat.enqueue(script({ tokens: [], status: 500 }));
    const down = (await docent(['ask', QUESTION], withHf())).stdout;
    expect(down).toMatch(/\nNote: hf:test\/model was unavailable \(.*500.*\); answered by excerpts from the catalog\.\n/);
    expect(mid + down).not.toMatch(/(^|\n)_|_(\n|$)/);
  });

  it('shows an answer cut at max_tokens as cut, with finishReason length in --json', async () => {
    hf.chat.enqueue(script({ tokens: ['Choose a shaded spot ', 'in the main current [1] where'], finishReason: 'length' }));
    const out = JSON.parse((await docent(['ask', QUESTION, '--json'], withHf())).stdout) as AskJson;
    expect(out.answer).toBe('Choose a shaded spot in the main current [1] where\n\n(cut at the length limit)');
    expect(out.finishReason).toBe('length');
    expect(out.backend).toBe('hf:test/model');
    expect(out.fallbacks).toEqual([]);
  });

  it('streams the model answer with its valid citations when HF works', async () => {
    hf.chat.enqueue(script({ tokens: ['Choose a shaded spot ', 'in the main current [1]', ' (see also [42]).'], delayMs: 10 }));
    const r = await docent(['ask', QUESTION], withHf());
    expect(r.stdout).toMatch(/^Choose a shaded spot in the main current \[1\] \(see also\)\.\n\nSources:\n\s+\[1\] /);
    expect(r.stdout).toMatch(/\(answered by hf:test\/model · \d+ ms\)/);
  });
});
