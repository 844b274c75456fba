/** The real `openai` client streaming from a loopback OpenAI-compatible server (the fake HF server's chat route). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../../src/core/errors.js';
import { createOpenAiChatGenerator, openAiApiRoot } from '../../../src/providers/generators/openai-chat-generator.js';
import { script } from '../../fakes/chat-script.js';
import { sendJson, startFakeHfServer, type FakeHfServer } from '../../fakes/fake-hf-server.js';
import { chatGeneratorContract, collect } from './chat-generator-contract.js';

const MODEL = 'Qwen/Qwen2.5-7B-Instruct';

let fake: FakeHfServer;
beforeEach(async () => {
  fake = await startFakeHfServer();
});
afterEach(async () => {
  await fake.close();
});

chatGeneratorContract('openai-compatible', {
  fake: () => fake,
  make: (o) => createOpenAiChatGenerator({ baseUrl: fake.url, apiKey: 'sk-test', model: MODEL, ...o }),
  makeUnreachable: (url) => createOpenAiChatGenerator({ baseUrl: url, apiKey: 'sk-test', model: MODEL }),
  authorization: 'Bearer sk-test',
  authHint: /API key/,
});

describe('createOpenAiChatGenerator', () => {
  it('is named openai:<model>@<origin>', () => {
    const gen = createOpenAiChatGenerator({ baseUrl: 'https://user:pw@gw.example/llm/v1/', model: 'gpt-4o-mini' });
    expect(gen.id).toBe('openai:gpt-4o-mini@https://gw.example');
  });

  it('adds /v1 to a bare host and keeps any other path as the API root', async () => {
    expect(openAiApiRoot('http://h:8000')).toEqual({ root: 'http://h:8000/v1', query: {} });
    expect(openAiApiRoot('http://h:8000/v1/')).toEqual({ root: 'http://h:8000/v1', query: {} });
    expect(openAiApiRoot('https://gw/openai/v1/chat/completions?api-version=2024-10-21')).toEqual({
      root: 'https://gw/openai/v1',
      query: { 'api-version': '2024-10-21' },
    });
    for (const baseUrl of [fake.url, `${fake.url}/v1`, `${fake.url}/gateway/llm?tenant=geo`]) {
      fake.chat.enqueue(script({ tokens: ['ok'] }));
      expect((await collect(createOpenAiChatGenerator({ baseUrl, apiKey: 'k', model: MODEL }))).deltas).toEqual(['ok']);
    }
    expect(fake.chat.requests.map((r) => r.path)).toEqual(['/v1/chat/completions', '/v1/chat/completions', '/gateway/llm/chat/completions?tenant=geo']);
  });

  it('sends no Authorization header without a key, extra headers always, and nothing from OPENAI_* variables', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { OPENAI_API_KEY: 'sk-from-env', OPENAI_ORG_ID: 'org-env', OPENAI_PROJECT_ID: 'proj-env', OPENAI_BASE_URL: 'http://127.0.0.1:9' });
    try {
      fake.chat.enqueue(script({ tokens: ['a'] }));
      const gen = createOpenAiChatGenerator({ baseUrl: fake.url, model: MODEL, headers: { 'x-tenant': 'geo-library' } });
      expect((await collect(gen)).error).toBeUndefined();
    } finally {
      process.env = saved;
    }
    const [req] = fake.requests.filter((r) => r.method === 'POST');
    expect(req!.headers.authorization).toBeUndefined();
    expect(req!.headers['x-tenant']).toBe('geo-library');
    expect(req!.headers['openai-organization']).toBeUndefined();
    expect(req!.headers['openai-project']).toBeUndefined();
  });

  it('maps each server finish_reason, and reads one that arrives with the last text', async () => {
    // content_filter (OpenAI, Azure), eos_token (TGI), tool_calls, and [DONE] with no finish_reason at all.
    const cases: Array<[string | null, string | undefined]> = [['content_filter', 'content-filter'], ['eos_token', 'stop'], ['tool_calls', 'other'], [null, undefined]];
    for (const [finishReason] of cases) fake.chat.enqueue(script({ tokens: ['a', 'b'], finishReason }));
    const gen = createOpenAiChatGenerator({ baseUrl: fake.url, model: MODEL });
    for (const [, expected] of cases) expect(await collect(gen)).toEqual({ deltas: ['a', 'b'], finish: expected, error: undefined });

    fake.route('POST', '/v1/chat/completions', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'Cut ' } }] })}\n\n`);
      res.end(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'here' }, finish_reason: 'length' }] })}\n\ndata: [DONE]\n\n`);
    });
    expect(await collect(gen)).toEqual({ deltas: ['Cut ', 'here'], finish: 'length', error: undefined });
  });

  it('reports a server that ignores stream: true as a permanent failure', async () => {
    fake.route('POST', '/v1/chat/completions', (_req, res) =>
      sendJson(res, 200, { id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'All at once.' }, finish_reason: 'stop' }] }),
    );
    const { error } = await collect(createOpenAiChatGenerator({ baseUrl: fake.url, model: MODEL }));
    expect((error as ProviderError).transient).toBe(false);
    expect((error as ProviderError).message).toMatch(/application\/json, not an event stream/);
  });

  it('reports 404 (unknown model or wrong path) as permanent with a hint naming the URL', async () => {
    fake.chat.enqueue(script({ tokens: [], status: 404, errorBody: { error: { message: 'The model `x` does not exist.', type: 'NotFoundError' } } }));
    const { error } = await collect(createOpenAiChatGenerator({ baseUrl: fake.url, apiKey: 'k', model: 'x' }));
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).transient).toBe(false);
    expect((error as ProviderError).message).toMatch(/404.*does not exist/);
    expect((error as ProviderError).hint).toContain(`${fake.url}/v1`);
  });
});
