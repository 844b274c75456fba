import type { Passage, Turn } from '../../core/answer/types.js';

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
  /** Upper bound on generated tokens (LLM backends). */
  maxTokens: number;
  temperature: number;
}

/**
 * The generator port: streams answer text as it is written. Implementations throw ProviderError
 * (transient for 429/5xx/network/timeouts) and must stop promptly when `signal` aborts.
 */
export interface Generator {
  /** e.g. `hf:meta-llama/Llama-3.1-8B-Instruct`, `openai:gpt-4o-mini@https://gw.example`, `ollama:llama3.2:3b`, `extractive`. */
  readonly id: string;
  stream(request: GenerationRequest, signal: AbortSignal): AsyncIterable<string>;
}
