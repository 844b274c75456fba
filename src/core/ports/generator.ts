import type { FinishReason, Passage, Turn } from '../answer/types.js';

/** A chat message in the OpenAI/HF/Ollama sense. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/**
 * What a generator is asked to do. LLM backends send `messages` (built by the prompt builder, passages
 * numbered inside); the extractive generator reads `question` and `passages` directly.
 */
export interface GenerationRequest {
  messages: ChatMessage[];
  question: string;
  passages: Passage[];
  history: Turn[];
  /** A follow-up's new words ("winter" in "and in winter?"): the extractive answer leads with them. '' otherwise. */
  focus?: string;
  /** Upper bound on generated tokens (LLM backends). */
  maxTokens: number;
  temperature: number;
}

/**
 * What a generator streams: text as it is written, then one `finish` with the reason the model stopped (the
 * last part; nothing follows it). A stream that ends without a `finish` was cut: the server closed it without
 * saying the answer was complete, so the text may stop mid-sentence. (Shaped after vercel/ai's stream parts.)
 */
export type GenerationPart = { type: 'text'; text: string } | { type: 'finish'; reason: FinishReason };

/**
 * The generator port: streams answer parts as they are written. Implementations throw ProviderError
 * (transient for 429/5xx/network/timeouts) and must stop promptly when `signal` aborts.
 */
export interface Generator {
  /** e.g. `hf:meta-llama/Llama-3.1-8B-Instruct`, `openai:gpt-4o-mini@https://gw.example`, `ollama:llama3.2:3b`, `extractive`. */
  readonly id: string;
  stream(request: GenerationRequest, signal: AbortSignal): AsyncIterable<GenerationPart>;
}
