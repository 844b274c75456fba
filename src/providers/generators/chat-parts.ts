/**
 * The finish reason of each chat protocol, and the parts of an OpenAI-style chat completion stream (the HF
 * router, TGI, vLLM, OpenAI and every compatible server). The clients parse the wire; this reads their chunks.
 */
import type { FinishReason } from '../../core/answer/types.js';
import type { GenerationPart } from '../../core/ports/generator.js';

/** A server's finish reason in Docent's terms (OpenAI `finish_reason`, Ollama `done_reason`). */
export function toFinishReason(raw: string): FinishReason {
  switch (raw) {
    case 'stop':
    // TGI's own names for a natural stop.
    case 'eos_token':
    case 'stop_sequence':
      return 'stop';
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content-filter';
    default:
      // `tool_calls`, Ollama's `load`/`unload`, and whatever a server invents.
      return 'other';
  }
}

/** One chunk of an OpenAI-style chat completion stream (HF's client and openai's share the shape). */
interface ChatCompletionChunkLike {
  choices?: Array<{ delta?: { content?: string | null } | undefined; finish_reason?: string | null } | undefined>;
}

/**
 * The parts of an OpenAI-style stream: the text of each delta, then a `finish` from the first chunk that has a
 * `finish_reason` (it may carry text too). The first chunk often carries only the role, and reasoning models
 * may send other fields: chunks without text are skipped. Returns whether a finish reason came.
 */
export async function* chatCompletionParts(chunks: AsyncIterable<ChatCompletionChunkLike>): AsyncGenerator<GenerationPart, boolean> {
  for await (const chunk of chunks) {
    const choice = chunk.choices?.[0];
    const text = choice?.delta?.content;
    if (typeof text === 'string' && text !== '') yield { type: 'text', text };
    if (choice?.finish_reason) {
      yield { type: 'finish', reason: toFinishReason(choice.finish_reason) };
      // Only a usage chunk and `[DONE]` follow; stopping here frees the request at once.
      return true;
    }
  }
  return false;
}
