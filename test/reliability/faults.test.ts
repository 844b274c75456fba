/**
 * Reliability under faults, on the real runtime (embedded Chroma, word-vector embedder) with the real HF
 * client pointed at the scripted loopback fake: every question ends with a `finish` or exactly one `error`
 * part — never silence — whatever the LLM does (HTTP 500, no first token, a stall mid-stream, a malformed
 * chunk); the circuit breaker opens after repeated failures and closes after a successful trial; and a
 * SIGKILLed Chroma server is restarted by the supervisor with the index intact.
 *
 * Each case records what it observed (`observe`, before asserting) for the generated report; cases.ts lists them.
 */
import { observe } from './observe.js';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { politeError } from '../../src/adapters/shared/polite-error.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { AnswerPart, FinishInfo } from '../../src/core/answer/types.js';
import { openRuntime, type OpenedRuntime } from '../../src/runtime/docent-runtime.js';
import { script } from '../fakes/chat-script.js';
import { startFakeHfServer, type FakeHfServer } from '../fakes/fake-hf-server.js';
import { drainWithin } from '../helpers/answers.js';

const repo = path.resolve(import.meta.dirname, '../..');
const work = mkdtempSync(path.join(os.tmpdir(), 'docent-faults-'));
const docs = path.join(work, 'docs');
const QUESTION = 'where should I install a temperature logger in a stream?';
const HF_ID = 'hf:test/model';
const COOLDOWN_MS = 2_500;
let hf: FakeHfServer;
let rt: OpenedRuntime;

const report = (c: string, observed: string): void => observe(`faults/${c}`, observed);

interface Outcome {
  parts: AnswerPart[];
  /** 'finish', 'error', 'silence' (no terminal part within the limit) or 'malformed' (anything else). */
  end: 'finish' | 'error' | 'silence' | 'malformed';
  finish?: FinishInfo;
  text: string;
  ms: number;
}

/** Drains an answer with a deadline: silence is a result, not a hung test. */
async function ask(text: string, limitMs = 20_000): Promise<Outcome> {
  const t0 = performance.now();
  const { parts, timedOut, text: text2 } = await drainWithin(rt.services.ask({ text, history: [] }).parts, limitMs);
  const ms = Math.round(performance.now() - t0);
  if (timedOut) return { parts, end: 'silence', text: text2, ms };
  const terminal = parts.filter((p) => p.type === 'finish' || p.type === 'error');
  const last = parts.at(-1);
  if (last === undefined || terminal.length !== 1 || last !== terminal[0] || (last.type !== 'finish' && last.type !== 'error')) return { parts, end: 'malformed', text: text2, ms };
  return last.type === 'finish' ? { parts, end: 'finish', finish: last.info, text: text2, ms } : { parts, end: 'error', text: text2, ms };
}

function errorPart(o: Outcome) {
  const p = o.parts.at(-1);
  return p?.type === 'error' ? p.error : undefined;
}

const POLITE = new Set([
  'Sorry — a service Docent depends on is not answering right now. Please try again in a minute.',
  'Sorry — something went wrong while answering. Please try again.',
  'Sorry — Docent is not configured correctly for that; an administrator has the details in the log.',
]);

beforeAll(async () => {
  hf = await startFakeHfServer();
  cpSync(path.join(repo, 'data/sample'), docs, { recursive: true });
  const config = loadConfig({
    env: {
      EMBEDDER: 'word-vectors', LLM_CHAIN: 'hf,extractive', HF_ENDPOINT_URL: hf.url, HF_TOKEN: 'hf_testtoken',
      HF_CHAT_MODEL: 'test/model', ANSWER_CACHE_TTL_SECONDS: '0', LLM_FIRST_TOKEN_TIMEOUT_MS: '1500', LLM_TOTAL_TIMEOUT_MS: '4000',
    },
    overrides: {
      dataDir: path.join(work, 'data'), sources: [docs],
      // One attempt per question keeps the scripted fake in step; three failures open the circuit.
      'answer.retries': 0, 'answer.breakerFailures': 3, 'answer.breakerCooldownMs': COOLDOWN_MS,
    },
  });
  rt = await openRuntime(config, pino({ level: 'silent' }), { indexIfEmpty: true });
});
afterAll(async () => {
  await rt?.close();
  await hf?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('LLM faults', () => {
  it('answers through the model when it works (baseline)', async () => {
    hf.chat.enqueue(script({ tokens: ['Put it in the main current ', 'where the water is mixed [1].'], delayMs: 10 }));
    const o = await ask(QUESTION);
    report('llm-ok-baseline', `${o.end} by ${o.finish?.backend}, ${o.finish?.citations.length} citations`);
    expect(o.end).toBe('finish');
    expect(o.finish!.backend).toBe(HF_ID);
    expect(o.finish!.citations.length).toBeGreaterThan(0);
  });

  it('a malformed chunk mid-stream ends with a finish (model text or fallback), never silence', async () => {
    hf.chat.enqueue(script({ tokens: ['Put the logger ', 'in the main current [1]', ' where it is shaded.'], delayMs: 10, malformedAfter: 1 }));
    const o = await ask(QUESTION);
    report('llm-malformed-chunk', `${o.end} by ${o.finish?.backend} in ${o.ms} ms`);
    expect(o.end).toBe('finish');
    expect(o.finish!.citations.length).toBeGreaterThan(0);
    if (o.finish!.backend === 'extractive') expect(o.text).toMatch(/stopped mid-answer|was unavailable/);
    else expect(o.finish!.backend).toBe(HF_ID);
    // Make the breaker count start from zero whatever the malformed chunk did.
    hf.chat.enqueue(script({ tokens: ['Shaded main current [1].'] }));
    expect((await ask(QUESTION)).finish?.backend).toBe(HF_ID);
  });

  it('HTTP 500 before any token falls back to the excerpts with a note', async () => {
    hf.chat.enqueue(script({ tokens: [], status: 500 }));
    const o = await ask(QUESTION);
    report('llm-http-500', `${o.end} by ${o.finish?.backend}, note ${/_Note: hf:test\/model was unavailable/.test(o.text) ? 'present' : 'MISSING'}`);
    expect(o.end).toBe('finish');
    expect(o.finish!.backend).toBe('extractive');
    expect(o.finish!.fallbacks[0]!.backend).toBe(HF_ID);
    expect(o.text).toMatch(/_Note: hf:test\/model was unavailable \(.*500.*\); answered by excerpts from the catalog\._$/);
    expect(o.finish!.citations.length).toBeGreaterThan(0);
  });

  it('no first token within LLM_FIRST_TOKEN_TIMEOUT_MS falls back with a note', async () => {
    hf.chat.enqueue(script({ tokens: ['too late'], firstTokenDelayMs: 5_000 }));
    const o = await ask(QUESTION);
    report('llm-first-token-timeout', `${o.end} by ${o.finish?.backend} in ${o.ms} ms`);
    expect(o.end).toBe('finish');
    expect(o.finish!.backend).toBe('extractive');
    expect(o.text).toMatch(/_Note: hf:test\/model was unavailable \(timed out waiting for the first token \(1\.5 s\)\)/);
    expect(o.ms).toBeLessThan(4_000);
  });

  it('a stall mid-stream keeps the partial text, says why, and finishes with the excerpts', async () => {
    hf.chat.enqueue(script({ tokens: ['Put the logger ', 'in the main current [1]', ' and never more'], delayMs: 10, stallAfter: 2 }));
    const o = await ask(QUESTION);
    report('llm-stall-mid-stream', `${o.end} by ${o.finish?.backend} in ${o.ms} ms; partial text ${o.text.startsWith('Put the logger in the main current [1]') ? 'kept' : 'LOST'}`);
    expect(o.end).toBe('finish');
    expect(o.finish!.backend).toBe('extractive');
    expect(o.text.startsWith('Put the logger in the main current [1]\n\n_(hf:test/model stopped mid-answer:')).toBe(true);
    expect(o.text).toMatch(/Continuing with excerpts from the catalog\.\)_/);
  });

  it('the breaker opens after three failures in a row, skips the model, then closes after a successful trial', async () => {
    // 500, first-token timeout and stall above were three failures in a row.
    const st = rt.chain.status().find((b) => b.backend === HF_ID);
    const before = hf.chat.requests.length;
    const skipped = await ask(QUESTION);
    report('breaker-opens', `state ${st?.state}, ${hf.chat.requests.length - before} model calls, finish by ${skipped.finish?.backend}`);
    expect(st?.state).toBe('open');
    expect((await rt.services.status()).backends[0]).toMatchObject({ id: HF_ID, healthy: false });
    expect(skipped.end).toBe('finish');
    expect(skipped.finish!.backend).toBe('extractive');
    expect(skipped.text).toMatch(/paused after 3 failures/);
    expect(hf.chat.requests.length).toBe(before); // the model was not called

    await new Promise((r) => setTimeout(r, COOLDOWN_MS + 200));
    const cooled = rt.chain.status()[0]!.state;
    hf.chat.enqueue(script({ tokens: ['Shaded, well mixed main current [1].'] }));
    const trial = await ask(QUESTION);
    const after = rt.chain.status()[0]!;
    report('breaker-closes', `${cooled} after the cool-down; trial answered by ${trial.finish?.backend}; then state ${after.state}`);
    expect(cooled).toBe('half-open');
    expect(trial.end).toBe('finish');
    expect(trial.finish!.backend).toBe(HF_ID);
    expect(after).toMatchObject({ state: 'closed', failures: 0 });
  });
});

describe('Chroma killed while questions are asked', () => {
  it('in-flight questions end with a finish or one polite error; the supervisor restarts Chroma; the index is intact', async () => {
    const version = rt.search.manifest.version;
    const probe = 'temperature logger installation';
    const before = (await rt.search.retriever.retrieve(probe, { k: 5 })).map((h) => h.id);
    expect(before.length).toBeGreaterThan(0);
    const pid = rt.stores.serverPid!()!;
    expect(pid).toBeGreaterThan(0);

    const inFlight = [0, 1, 2].map((i) => ask(`${QUESTION} (${i})`));
    process.kill(pid, 'SIGKILL');
    const during = [3, 4, 5].map((i) => ask(`${QUESTION} (${i})`));
    const outcomes = await Promise.all([...inFlight, ...during]);
    report('chroma-sigkill-in-flight', outcomes.map((o) => o.end).join(','));
    for (const o of outcomes) {
      expect(['finish', 'error']).toContain(o.end);
      if (o.end === 'error') {
        expect(o.parts.filter((p) => p.type === 'error')).toHaveLength(1);
        expect(POLITE.has(politeError(errorPart(o)!))).toBe(true);
      }
    }

    // The supervisor restarts the server (new pid); poll until a question is answered with citations.
    const deadline = Date.now() + 15_000;
    let answered: Outcome | undefined;
    while (Date.now() < deadline) {
      const now = rt.stores.serverPid!();
      if (now !== undefined && now !== pid) {
        const o = await ask(QUESTION);
        if (o.end === 'finish' && !o.finish!.notFound && o.finish!.citations.length > 0) {
          answered = o;
          break;
        }
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const newPid = rt.stores.serverPid!();
    report('chroma-restarted', `pid ${pid} -> ${newPid}; ${answered ? `${answered.finish!.citations.length} citations` : 'no answer with citations within 15 s'}`);
    expect(answered).toBeDefined();
    expect(newPid).not.toBe(pid);

    const after = (await rt.search.retriever.retrieve(probe, { k: 5 })).map((h) => h.id);
    report('index-intact-after-restart', `manifest v${version} -> v${rt.search.manifest.version}; top-5 ${after.length === before.length && after.every((id, i) => id === before[i]) ? 'identical' : 'differ'}`);
    expect(rt.search.manifest.version).toBe(version);
    expect(after).toEqual(before);
  });
});
