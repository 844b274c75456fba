/**
 * The search half of `npm run bench`, run in its own process the way `docent search` and a chat bot serving an
 * index run: opens the serving index (through CHROMA_URL, the bench's Chroma server), warms up, then times
 * every question `rounds` times. Prints one JSON line: {times, peakRss, reranker}.
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
import { rssBytes } from './memory.js';
import { repoRoot } from './repo-root.js';

const [dataDir, chromaUrl, embedderName, roundsArg] = process.argv.slice(2) as [string, string, string, string];
const repo = repoRoot(import.meta.dirname);
const config = loadConfig({ env: { EMBEDDER: embedderName, CHROMA_URL: chromaUrl }, overrides: { dataDir } });
const logger = createLogger({ level: 'warn', pretty: 'never' });
let peakRss = 0;
const timer = setInterval(() => (peakRss = Math.max(peakRss, rssBytes(process.pid))), 50);
const stores = await openVectorStores(config, logger);
try {
  const embedder = await resolveEmbedder(config, readManifest(dataDir), logger);
  const reranker = await createReranker(config, logger, embedder.embedder.id);
  const { retriever } = await openSearchService(config, { stores, embedder, reranker, logger });
  const questions = (JSON.parse(readFileSync(path.join(repo, 'test/eval/usfs-questions.json'), 'utf8')) as Array<{ question: string }>).map((q) => q.question);
  questions.push('how do I put several plots side by side in one picture', 'set the label of the x axis', 'solve a system of linear equations in C++');
  for (const q of questions) await retriever.retrieve(q, { k: 8 }); // warm-up
  const times: number[] = [];
  for (let r = 0; r < Number(roundsArg); r++) {
    for (const q of questions) {
      const s = performance.now();
      await retriever.retrieve(q, { k: 8 });
      times.push(performance.now() - s);
    }
  }
  peakRss = Math.max(peakRss, rssBytes(process.pid));
  process.stdout.write(`${JSON.stringify({ times, peakRss, reranker: reranker?.id ?? 'none' })}\n`);
} finally {
  clearInterval(timer);
  await stores.close();
}
