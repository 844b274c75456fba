/** The real @huggingface/inference client streaming chat completions from a loopback fake of the router and endpoints. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../../src/core/errors.js';
import { createHfChatGenerator } from '../../../src/providers/generators/hf-chat-generator.js';
import { script } from '../../fakes/chat-script.js';
import { sendJson, startFakeHfServer, type FakeHfServer } from '../../fakes/fake-hf-server.js';
import { chatGeneratorContract, collect } from './chat-generator-contract.js';

const MODEL = 'meta-llama/Llama-3.1-8B-Instruct';

let fake: FakeHfServer;
beforeEach(async () => {
  fake = await startFakeHfServer();
});
afterEach(async () => {
  await fake.close();
});

chatGeneratorContract('hf (router)', {
  fake: () => fake,
  make: (o) => createHfChatGenerator({ model: MODEL, token: 'hf_test_token', fetch: fake.hubFetch, ...o }),
  // The router host is hard-coded in the client: rewrite it to a dead port.
  makeUnreachable: (url) =>
    createHfChatGenerator({
      model: MODEL,
      token: 'hf_test_token',
      fetch: (input, init) => fetch(String(input instanceof Request ? input.url : input).replace(/^https:\/\/router\.huggingface\.co/, url), init),
    }),
  authorization: 'Bearer hf_test_token',
  authHint: /HF_TOKEN/,
});

chatGeneratorContract('hf (dedicated endpoint)', {
  fake: () => fake,
  make: (o) => createHfChatGenerator({ model: MODEL, token: 'endpoint-key', endpointUrl: `${fake.url}/endpoints/llama`, ...o }),
  makeUnreachable: (url) => createHfChatGenerator({ model: MODEL, token: 'endpoint-key', endpointUrl: url }),
  authorization: 'Bearer endpoint-key',
  authHint: /HF_TOKEN/,
});

describe('createHfChatGenerator', () => {
  it('is named hf:<model> and posts to the router path the real client uses', async () => {
    const gen = createHfChatGenerator({ model: MODEL, token: 'hf_x', fetch: fake.hubFetch });
    expect(gen.id).toBe(`hf:${MODEL}`);
    fake.chat.enqueue(script({ tokens: ['ok'] }));
    expect((await collect(gen)).deltas).toEqual(['ok']);
    expect(fake.chat.requests[0]).toMatchObject({ path: '/v1/chat/completions', model: MODEL });
    // provider `auto` needs no hub look-up
    expect(fake.requests.filter((r) => r.method === 'GET')).toEqual([]);
  });

  it('with a named provider, resolves the mapping on the hub, then streams from the router under that provider', async () => {
    const providerId = 'meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo';
    fake.route(
      'GET',
      /^\/api\/models\/(.+)$/,
      (_req, res, m) => sendJson(res, 200, { id: m[1], inferenceProviderMapping: { together: { status: 'live', providerId, task: 'conversational' } } }),
      { failable: false },
    );
    fake.chat.enqueue(script({ tokens: ['ok', '!'] }));
    const { deltas, error } = await collect(createHfChatGenerator({ model: MODEL, token: 'hf_x', provider: 'together', fetch: fake.hubFetch }));
    expect(error).toBeUndefined();
    expect(deltas).toEqual(['ok', '!']);
    expect(fake.chat.requests[0]).toMatchObject({ path: '/together/v1/chat/completions', model: providerId });
  });

  it('appends /v1/chat/completions to an endpoint URL, or only /chat/completions when it ends in /v1', async () => {
    fake.chat.enqueue(script({ tokens: ['a'] }), script({ tokens: ['b'] }));
    await collect(createHfChatGenerator({ model: MODEL, token: 'k', endpointUrl: fake.url }));
    await collect(createHfChatGenerator({ model: MODEL, token: 'k', endpointUrl: `${fake.url}/tgi/v1/` }));
    expect(fake.chat.requests.map((r) => r.path)).toEqual(['/v1/chat/completions', '/tgi/v1/chat/completions']);
  });

  it('reports a 503 (model loading) once, as transient, instead of retrying forever', async () => {
    fake.chat.enqueue(script({ tokens: [], status: 503, errorBody: { error: 'Model is currently loading', estimated_time: 20 } }));
    const { error } = await collect(createHfChatGenerator({ model: MODEL, token: 'hf_x', fetch: fake.hubFetch }));
    expect((error as ProviderError).transient).toBe(true);
    expect((error as ProviderError).message).toMatch(/503.*loading/);
    expect(fake.chat.requests).toHaveLength(1);
  });

  it('treats an error event in the middle of the stream as a broken stream', { timeout: 5_000 }, async () => {
    fake.route('POST', '/v1/chat/completions', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'Par' } }] })}\n\n`);
      res.end(`data: ${JSON.stringify({ error: 'Input validation error: too many tokens' })}\n\n`);
    });
    const { deltas, error } = await collect(createHfChatGenerator({ model: MODEL, token: 'hf_x', fetch: fake.hubFetch }));
    expect(deltas).toEqual(['Par']);
    expect((error as ProviderError).transient).toBe(true);
    expect((error as ProviderError).message).toMatch(/stream broke.*too many tokens/);
  });

  it('refuses impossible options before any request', () => {
    expect(() => createHfChatGenerator({ model: MODEL, token: 'not-an-hf-token' })).toThrow(/needs a Hugging Face token/);
    expect(() => createHfChatGenerator({ model: MODEL, token: 'hf_x', endpointUrl: fake.url, provider: 'together' })).toThrow(ProviderError);
    // an endpoint key need not be an hf_ token
    expect(createHfChatGenerator({ model: MODEL, token: 'sk-endpoint', endpointUrl: fake.url }).id).toBe(`hf:${MODEL}`);
  });
});
