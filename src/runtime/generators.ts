import type { DocentConfig } from '../../config/schema.js';
import { ConfigError } from '../core/errors.js';
import { createExtractiveGenerator } from '../providers/generators/extractive-generator.js';
import type { Generator } from '../core/ports/generator.js';

type BackendName = 'hf' | 'openai' | 'ollama' | 'extractive';

/**
 * The answer backends in chain order. `auto` takes every LLM that is configured, then the extractive answer;
 * an explicit chain always ends with extractive too, so a question is never left without an answer.
 */
export async function buildGenerators(config: DocentConfig): Promise<Generator[]> {
  const names = resolveChain(config);
  const out: Generator[] = [];
  for (const name of names) out.push(await build(name, config));
  return out;
}

export function resolveChain(config: DocentConfig): BackendName[] {
  const { llm } = config;
  const chosen: BackendName[] =
    config.answer.chain === 'auto'
      ? [
          ...(config.hf.token || llm.hfEndpointUrl ? (['hf'] as const) : []),
          ...(llm.openaiBaseUrl ? (['openai'] as const) : []),
          ...(config.ollama.host ? (['ollama'] as const) : []),
        ]
      : config.answer.chain.filter((n) => n !== 'extractive');
  return [...new Set(chosen), 'extractive'];
}

async function build(name: BackendName, config: DocentConfig): Promise<Generator> {
  const { llm } = config;
  switch (name) {
    case 'extractive':
      return createExtractiveGenerator();
    case 'hf': {
      if (!config.hf.token && !llm.hfEndpointUrl) throw new ConfigError('HF_TOKEN', 'the hf answer backend needs a Hugging Face token', 'set HF_TOKEN or remove hf from LLM_CHAIN');
      const { createHfChatGenerator } = await import('../providers/generators/hf-chat-generator.js');
      return createHfChatGenerator({
        model: llm.hfModel,
        token: config.hf.token,
        ...(llm.hfEndpointUrl ? { endpointUrl: llm.hfEndpointUrl } : {}),
        ...(llm.hfProvider ? { provider: llm.hfProvider } : {}),
      });
    }
    case 'openai': {
      if (!llm.openaiBaseUrl || !llm.openaiModel) {
        throw new ConfigError('OPENAI_BASE_URL', 'the openai answer backend needs OPENAI_BASE_URL and OPENAI_MODEL', 'set both or remove openai from LLM_CHAIN');
      }
      const { createOpenAiChatGenerator } = await import('../providers/generators/openai-chat-generator.js');
      return createOpenAiChatGenerator({ baseUrl: llm.openaiBaseUrl, model: llm.openaiModel, ...(llm.openaiApiKey ? { apiKey: llm.openaiApiKey } : {}) });
    }
    case 'ollama': {
      const { createOllamaChatGenerator } = await import('../providers/generators/ollama-chat-generator.js');
      return createOllamaChatGenerator({ host: config.ollama.host || 'http://127.0.0.1:11434', model: llm.ollamaModel });
    }
  }
}
