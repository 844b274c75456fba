/**
 * The search half of `npm run bench`, run in its own process the way `docent search` and a chat bot serving an
 * index run: opens the serving index (through CHROMA_URL, the bench's Chroma server), warms up, then, `rounds`
 * times over the questions:
 *  - times Docent's whole retrieval (query embedding, BM25, vector search, fusion, dedup, rerank);
 *  - times a bare chromadb client query for the same question's precomputed vector, asking for the same number
 *    of candidates the retriever asks for, ids and distances only (what Docent asks for: chunk text comes from
 *    the keyword index): the floor no retriever on Chroma can beat. Rounds alternate the two so machine load hits both alike.
 * Prints one JSON line: {rounds: [{docent: ms[], floor: ms[]}], peakRss, reranker, candidates}.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/load-config.js';
import { readManifest } from '../../src/indexing/index-files.js';
import { createLogger } from '../../src/logging/logger.js';
import { resolveEmbedder } from '../../src/runtime/embedder-factory.js';
import { createReranker } from '../../src/runtime/reranker-factory.js';
import { openSearchService } from '../../src/runtime/search-service.js';
import { openVectorStores } from '../../src/runtime/vector-stores.js';
import { createChromaClient } from '../../src/stores/chroma-store.js';
import { rssBytes } from './memory.js';
import { repoRoot } from './repo-root.js';

const [dataDir, chromaUrl, embedderName, roundsArg, questionsArg] = process.argv.slice(2) as [string, string, string, string, string | undefined];
const repo = repoRoot(import.meta.dirname);
const config = loadConfig({ env: { EMBEDDER: embedderName, CHROMA_URL: chromaUrl }, overrides: { dataDir } });
const logger = createLogger({ level: 'warn', pretty: 'never' });
let peakRss = 0;
const timer = setInterval(() => (peakRss = Math.max(peakRss, rssBytes(process.pid))), 50);
const stores = await openVectorStores(config, logger);
try {
  const embedder = await resolveEmbedder(config, readManifest(dataDir), logger);
  const reranker = await createReranker(config, logger, embedder.embedder.id);
  const { retriever, manifest } = await openSearchService(config, { stores, embedder, reranker, logger });
  const questions = (JSON.parse(readFileSync(path.join(repo, 'test/eval/usfs-questions.json'), 'utf8')) as Array<{ question: string }>).map((q) => q.question);
  questions.push('how do I put several plots side by side in one picture', 'set the label of the x axis', 'solve a system of linear equations in C++');
  // Quick mode asks an even sample of the questions (both styles), to stay within its time budget.
  const limit = Number(questionsArg ?? questions.length);
  const sampled = limit < questions.length;
  if (sampled) questions.splice(0, questions.length, ...questions.filter((_, i) => i % Math.ceil(questions.length / limit) === 0));

  // A bare chromadb client (no Docent store code in the way) on the serving collection.
  const collection = await createChromaClient({ url: chromaUrl }).getCollection({ name: manifest.collection });
  const vectors = await Promise.all(questions.map((q) => embedder.embedder.embedQuery(q)));
  const k = 8;
  const candidates = Math.max(config.retrieval.candidates, k);
  const floorQuery = (v: number[]) => collection.query({ queryEmbeddings: [v], nResults: candidates, include: ['distances'] });

  for (const [i, q] of questions.slice(0, sampled ? 20 : questions.length).entries()) { // warm-up, both paths
    await retriever.retrieve(q, { k });
    await floorQuery(vectors[i]!);
  }
  const rounds: Array<{ docent: number[]; floor: number[] }> = [];
  for (let r = 0; r < Number(roundsArg); r++) {
    const docent: number[] = [];
    const floor: number[] = [];
    for (const [i, q] of questions.entries()) {
      let s = performance.now();
      await retriever.retrieve(q, { k });
      docent.push(performance.now() - s);
      s = performance.now();
      await floorQuery(vectors[i]!);
      floor.push(performance.now() - s);
    }
    rounds.push({ docent, floor });
  }
  peakRss = Math.max(peakRss, rssBytes(process.pid));
  process.stdout.write(`${JSON.stringify({ rounds, peakRss, reranker: reranker?.id ?? 'none', candidates })}\n`);
} finally {
  clearInterval(timer);
  await stores.close();
}
