/**
 * The catalog-cards fixture (test/fixtures/catalog-cards: a DCAT-US feed, two FGDC records, a Markdown note)
 * plus one planted DCAT record, indexed and answered by the real code — loaders, chunker, the no-download
 * word-vector embedder, the keyword index, hybrid retrieval, the answer pipeline with the extractive generator
 * — with an in-memory vector store instead of a Chroma server, for the adapter tests of issue 14 part 4:
 * "is there data on elk since 2015?" comes back with dataset cards (`finish.info.cards`) for the platforms to
 * render natively.
 *
 * The planted record is about elk and covers 2018–2020, so it is one of the cards; its title is the Markdown
 * link `[click](http://evil.example)`, its publisher a link too and its description carries a bare URL to evil.
 * Its landing page and download are real https URLs: those may be links, nothing else may.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { DocentServices } from '../../commands/services.js';
import { loadConfig } from '../../src/config/load-config.js';
import { AnswerCache } from '../../src/core/answer/answer-cache.js';
import { createAnswerPipeline } from '../../src/core/answer/answer-pipeline.js';
import { createFallbackChain } from '../../src/core/answer/fallback-chain.js';
import type { Question } from '../../src/core/answer/types.js';
import { indexPaths, readManifest } from '../../src/indexing/index-files.js';
import { runIndex } from '../../src/indexing/indexer.js';
import { createWordVectorEmbedder } from '../../src/providers/embedders/word-vector-embedder.js';
import { createExtractiveGenerator } from '../../src/providers/generators/extractive-generator.js';
import { HybridRetriever } from '../../src/rag/hybrid-retriever.js';
import { retrieverSettings } from '../../src/runtime/search-service.js';
import { createMemoryStoreFactory } from '../../src/stores/memory-store.js';
import { openKeywordIndex } from '../../src/stores/sqlite-keyword-index.js';
import { sharedWordVectorCacheDir } from '../helpers/word-vector-cache.js';

export const CARDS_QUESTION = 'is there data on elk since 2015?';
export const HOSTILE_CARD_TITLE = '[click](http://evil.example)';
export const HOSTILE_LANDING = 'https://records.example.org/elk-sightings';
export const HOSTILE_DOWNLOAD = 'https://records.example.org/elk-sightings.csv';
/** The cards "is there data on elk since 2015?" must show (the fixture's three, and the planted one). */
export const EXPECTED_TITLES = ['Elk Calving Areas', 'Elk GPS Collar Locations, Blue Mountains', 'Elk Winter Range', HOSTILE_CARD_TITLE];

const repo = path.resolve(import.meta.dirname, '../..');
const fixtures = path.join(repo, 'test/fixtures/catalog-cards');

const HOSTILE_FEED = {
  conformsTo: 'https://project-open-data.cio.gov/v1.1/schema',
  dataset: [{
    identifier: 'elk-sightings',
    title: HOSTILE_CARD_TITLE,
    description: 'Elk sighting data reported by hunters in northeast Oregon, mirrored at https://evil.example/raw each week.',
    keyword: ['elk', 'sightings'],
    temporal: '2018-01-01/2020-12-31',
    modified: '2021-02-01',
    publisher: { name: '[pub](http://evil.example/pub)' },
    landingPage: HOSTILE_LANDING,
    distribution: [{ title: 'CSV', format: 'CSV', mediaType: 'text/csv', downloadURL: HOSTILE_DOWNLOAD }],
  }],
};

export interface CatalogCardsServices {
  services: DocentServices;
  asked: Question[];
  close(): void;
}

/** Indexes the fixture and the planted record, and returns services whose `ask` runs the real pipeline over them. */
export async function catalogCardsServices(): Promise<CatalogCardsServices> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'docent-adapter-cards-'));
  const planted = path.join(work, 'planted');
  mkdirSync(planted);
  writeFileSync(path.join(planted, 'data.json'), JSON.stringify(HOSTILE_FEED, null, 2));
  const dataDir = path.join(work, 'data');
  const config = loadConfig({ env: { EMBEDDER: 'word-vectors' }, overrides: { dataDir, sources: [fixtures, planted] } });
  const logger = pino({ level: 'silent' });
  const embedder = await createWordVectorEmbedder({ cacheDir: sharedWordVectorCacheDir });
  const stores = createMemoryStoreFactory();
  await runIndex({
    dataDir, sources: config.sources, chunking: config.chunking, embedder, batchSize: 32, stores, logger,
    loader: { maxFileBytes: config.loader.maxFileMb * 2 ** 20, fetchTimeoutMs: 1000 },
  });
  const manifest = readManifest(dataDir)!;
  const store = await stores.open(manifest.collection, { embedderId: manifest.embedder.id, dimension: manifest.embedder.dimension });
  const keyword = openKeywordIndex(indexPaths(dataDir).keywordFile(manifest.version));
  const retriever = new HybridRetriever({ keyword, store, embedder, settings: retrieverSettings(config, embedder.id) });
  const chain = createFallbackChain({
    backends: [{ generator: createExtractiveGenerator(), firstTokenTimeoutMs: 5000, totalTimeoutMs: 10_000, retries: 0 }],
    breaker: { failureThreshold: 3, cooldownMs: 60_000 },
    backoff: { baseMs: 1, maxMs: 2 },
  });
  const a = config.answer;
  const pipeline = createAnswerPipeline({
    retriever, chain, cache: new AnswerCache(60_000, 100), indexVersion: () => manifest.version,
    settings: {
      k: a.k, catalogName: a.catalogName, historyTurns: a.historyTurns, maxPassageChars: a.maxPassageChars, maxTokens: a.maxTokens,
      temperature: a.temperature, rewriteTimeoutMs: a.rewriteTimeoutMs, minVectorScore: a.minVectorScore, minCoverage: a.minCoverage, minWeightedCoverage: a.minWeightedCoverage,
    },
  });
  const asked: Question[] = [];
  let answers = 0;
  const services = {
    ask(question: Question) {
      asked.push(question);
      return { answerId: `cards-${++answers}`, parts: pipeline.answer(question) };
    },
    status: async () => { throw new Error('not used'); },
    sources: async () => ({ sources: [] }),
    reindex: async () => { throw new Error('not used'); },
    isAdmin: () => false,
    scopeFor: () => undefined,
    recordFeedback: async () => undefined,
  } as unknown as DocentServices;
  return {
    services, asked,
    close: () => {
      retriever.close();
      rmSync(work, { recursive: true, force: true });
    },
  };
}
