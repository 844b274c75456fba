import type { DocentError } from '../errors.js';
import type { Degradation, DocumentKind } from '../types.js';

/**
 * The answer pipeline's vocabulary. Adapters (Discord, Slack, console) turn a platform event into a
 * `Question` and render the `AnswerPart` stream; they never see retrieval or generators.
 */

/** One earlier turn of the conversation (a thread's recent messages), oldest first. */
export interface Turn {
  role: 'user' | 'assistant';
  text: string;
}

export interface Question {
  text: string;
  /** Prior turns of the thread, oldest first; empty for a new conversation. */
  history: Turn[];
  /**
   * Per-channel scoping: only these sources (source roots, or full source ids `root/path`; see Filter.sources).
   * Undefined: the whole catalog; `[]`: no catalog (the question is refused politely, nothing is searched).
   */
  sources?: string[];
  /** Platform user id of whoever asked (for per-user limits); undefined for the console. */
  askerId?: string;
}

/** A retrieved passage as shown to the model and to the user, numbered from 1 in prompt order. */
export interface Passage {
  /** 1-based number used in the prompt and in [n] citation markers. */
  n: number;
  chunkId: string;
  sourceId: string;
  title: string;
  url: string | null;
  path: string | null;
  page: number | null;
  kind: DocumentKind;
  text: string;
}

/** A passage the answer actually cited, for the source list under the answer. */
export interface Citation {
  /** The number shown in the answer text and the source list (1, 2, 3 in order of first citation). */
  n: number;
  /** The passage it points at (`Passage.n`, the number in the prompt and in the `sources` part). */
  passage: number;
  title: string;
  sourceId: string;
  /** Link when the record has one, else null (then `path` says which file). */
  url: string | null;
  path: string | null;
  page: number | null;
}

export interface Timings {
  /** Query rewrite (follow-ups) + retrieval, ms. */
  retrievalMs: number;
  /** From the start of generation to the first text-delta, ms (null for a cache hit or a refusal). */
  firstTokenMs: number | null;
  /** Whole answer, ms. */
  totalMs: number;
}

/**
 * Why the model stopped writing, as its server said (vercel/ai's finish reasons, trimmed to the ones Docent acts
 * on): `stop` a natural end, `length` the token limit (`maxTokens`) cut it, `content-filter` the provider's
 * filter stopped it, `other` anything else (tool calls, a model unloading, a name we don't know).
 */
export type FinishReason = 'stop' | 'length' | 'content-filter' | 'other';

/** How an answer ended: the generator's reason, or `cut` when its stream ended without giving one. */
export type AnswerFinishReason = FinishReason | 'cut';

// Catalog answers (src/core/answer/catalog-answer.ts, dataset-cards.ts): their types live here, with the rest of
// the answer's vocabulary, so those modules and this one do not import each other.

/** One form of the data and where to get it (always an http(s) URL). */
export interface DatasetDownload {
  format: string;
  url: string;
}

/** A catalog record as the answer shows it. Every string is plain text (no markup); URLs are http(s) only. */
export interface DatasetCard {
  /**
   * The number the answer cites the record by: its `[n]` in the text and the source list (`Citation.n`). A record
   * the answer did not cite is numbered after the cited ones. (Built with the passage number, `Passage.n`;
   * `numberByCitation` switches to citation numbers once the answer is written.)
   */
  n: number;
  title: string;
  /** One line (≤ SUMMARY_MAX characters) from the record's description; '' when it has none. */
  summary: string;
  /** Time period covered: "2015-01-01 to 2020-12-31", "1984 to present", "2024-12-01"; null when not stated. */
  period: string | null;
  /** Last update, an ISO day; null when unknown. */
  updated: string | null;
  publisher: string | null;
  /** Formats the data comes in (CSV, GeoJSON, GDB…). */
  formats: string[];
  /** The record's page for people. */
  landingUrl: string | null;
  downloads: DatasetDownload[];
}

/** The dates an answer filtered by, as `finish` and `ask --json` report them. */
export interface DateFilterInfo {
  /** Inclusive calendar bounds (`YYYY` or `YYYY-MM`), null when open. */
  from: string | null;
  to: string | null;
  /** The sentence the answer starts with: "Records covering 2015 or later". */
  label: string;
}

/** What `finish` carries for a catalog answer (both absent for an ordinary question). */
export interface CatalogFinish {
  /** Present when the question asked for data or named dates; empty when no catalog record matched. */
  cards?: DatasetCard[];
  dateFilter?: DateFilterInfo;
}

/** `cards` and `dateFilter` (src/core/answer/catalog-answer.ts) come with answers to questions that ask for data. */
export interface FinishInfo extends CatalogFinish {
  /**
   * How the answer ended. Anything but `stop` means the text may be incomplete: the pipeline appends a note
   * saying so and does not cache it. Answers written without a model (not found, cache hits) are `stop`.
   */
  finishReason: AnswerFinishReason;
  citations: Citation[];
  timings: Timings;
  /** The generator that wrote the answer (after fallbacks), e.g. `hf:meta-llama/…` or `extractive`. */
  backend: string;
  /** Backends that failed before `backend` answered, with why, in order. */
  fallbacks: Array<{ backend: string; reason: string }>;
  /** Parts of retrieval that failed for this question and were done without (empty when all worked). */
  degraded: Degradation[];
  /** True when the answer came from the answer cache. */
  cached: boolean;
  /** True when nothing relevant was found and Docent said so instead of answering. */
  notFound: boolean;
  /**
   * With `notFound`: the closest records the search did return (at most 3, one per record), the ones the refusal
   * names. Kept in the activity log so `docent insights` can show what the catalog had nearest to the question.
   */
  nearest?: Array<Pick<Citation, 'title' | 'sourceId' | 'url' | 'page'>>;
  /** The standalone search query used (differs from the question for rewritten follow-ups). */
  searchQuery: string;
  /** The complete answer text as streamed (after citation clean-up). */
  text: string;
}

export type AnswerPart =
  | { type: 'sources'; passages: Passage[] }
  | { type: 'text-delta'; text: string }
  | { type: 'finish'; info: FinishInfo }
  | { type: 'error'; error: DocentError };
