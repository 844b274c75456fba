/** The real `ollama` client streaming NDJSON chat from a loopback fake Ollama server. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../../src/core/errors.js';
import { createOllamaChatGenerator } from '../../../src/providers/generators/ollama-chat-generator.js';
import { script } from '../../fakes/chat-script.js';
import { startFakeOllamaServer, type FakeOllamaServer } from '../../fakes/fake-ollama-server.js';
import { chatGeneratorContract, collect } from './chat-generator-contract.js';

let fake: FakeOllamaServer;
beforeEach(async () => {
  fake = await startFakeOllamaServer();
});
afterEach(async () => {
  await fake.close();
});

chatGeneratorContract('ollama', {
  fake: () => fake,
  make: (o) => createOllamaChatGenerator({ host: fake.url, ...o }),
  makeUnreachable: (url) => createOllamaChatGenerator({ host: url }),
  // Ollama has no auth; the client sends none.
  authorization: undefined,
  authHint: /auth/,
});

describe('createOllamaChatGenerator', () => {
  it('defaults to llama3.2:3b and sends temperature and num_predict as options', async () => {
    const gen = createOllamaChatGenerator({ host: fake.url });
    expect(gen.id).toBe('ollama:llama3.2:3b');
    fake.chat.enqueue(script({ tokens: ['Hi'] }));
    expect((await collect(gen)).deltas).toEqual(['Hi']);
    const [req] = fake.chat.requests;
    expect(req).toMatchObject({ path: '/api/chat', model: 'llama3.2:3b', stream: true });
    expect((req!.raw as { options?: unknown }).options).toEqual({ temperature: 0.2, num_predict: 321 });
  });

  it('reads done_reason from the done message: load is other, and a server without done_reason finished normally', async () => {
    fake.chat.enqueue(script({ tokens: ['a'], finishReason: 'load' }), script({ tokens: ['b'], finishReason: null }));
    const gen = createOllamaChatGenerator({ host: fake.url });
    expect(await collect(gen)).toEqual({ deltas: ['a'], finish: 'other', error: undefined });
    expect(await collect(gen)).toEqual({ deltas: ['b'], finish: 'stop', error: undefined });
  });

  it('reports a model that was never pulled as permanent, with the pull command', async () => {
    const { error } = await collect(createOllamaChatGenerator({ host: fake.url, model: 'mistral:7b' }));
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).transient).toBe(false);
    expect((error as ProviderError).message).toMatch(/404.*mistral:7b.*not found/);
    expect((error as ProviderError).hint).toContain('ollama pull mistral:7b');
  });

  it('treats an error line in the middle of the stream as a broken stream', { timeout: 5_000 }, async () => {
    fake.route('POST', '/api/chat', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write(`${JSON.stringify({ model: 'llama3.2:3b', message: { role: 'assistant', content: 'Par' }, done: false })}\n`);
      res.end(`${JSON.stringify({ error: 'an error was encountered while running the model: out of memory' })}\n`);
    });
    const { deltas, error } = await collect(createOllamaChatGenerator({ host: fake.url }));
    expect(deltas).toEqual(['Par']);
    expect((error as ProviderError).transient).toBe(true);
    expect((error as ProviderError).message).toMatch(/stream broke.*out of memory/);
  });
});
