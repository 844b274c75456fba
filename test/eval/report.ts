/**
 * The Markdown `npm run eval` prints (and `npm run bench` pastes into BENCHMARKS.md): one table per corpus with
 * every retriever beside the reference BM25, then one summary over the corpora whose headline is each
 * retriever's worst corpus relative to the reference — an average would let a strong corpus hide a weak one.
 */
import { show, type Spread } from '../bench/stats.js';
import { delta, fmt, type Metrics } from './metrics.js';

export interface RunResult {
  name: string;
  isDefault: boolean;
  isReference: boolean;
  all: Metrics;
  tuning: Metrics;
  heldOut: Metrics;
  user: Metrics;
  record: Metrics;
  p50ms: Spread;
  /** Question id → rank of the first relevant result in the top 10, or null. */
  ranks: Record<string, number | null>;
}

export interface CorpusResult {
  corpus: string;
  source: string;
  embedder: string;
  reranker: string | null;
  questions: number;
  heldOut: string[];
  styles: boolean;
  /** Documents the reference ranked (from the loaders) and what Docent's index reported. */
  documents: number;
  indexedDocuments: number;
  chunks: number;
  /** Gold entries (`id:key`) that name no document of the corpus: a labelling error or a loader change. */
  unknownGold: string[];
  rows: RunResult[];
  gate: { onTopic: number; falseRefusals: number; offTopic: number; offTopicAnswered: number; offTopicAnsweredIds: string[]; thresholds: { minVectorScore: number; minCoverage: number; k: number } } | null;
}

const reference = (c: CorpusResult) => c.rows.find((r) => r.isReference)!;
const byDefault = (c: CorpusResult) => c.rows.find((r) => r.isDefault)!;
const label = (r: RunResult) => (r.isDefault ? `**${r.name}** (default)` : r.name);
const inTop = (rank: number | null | undefined, k: number) => rank != null && rank <= k;

export function printCorpus(c: CorpusResult, latencyRounds: number): void {
  const ref = reference(c);
  const def = byDefault(c);
  const styles = c.styles ? ` (${c.rows[0]!.user.n} in users' own words, ${c.rows[0]!.record.n} in the records' words)` : '';
  console.log(`### ${c.corpus}: ${c.questions} questions${styles} over \`${c.source}\``);
  console.log('');
  console.log(`${c.documents} documents (the reference ranks them whole), ${c.chunks} chunks in Docent's index; embedder ${c.embedder}; ` +
    `p50 latency per query, in process, warm, median of ${latencyRounds} round(s) with the spread.`);
  console.log('');
  const extra = c.styles ? ' user R@5 | record R@5 |' : '';
  console.log(`| retriever | R@1 | R@5 | R@10 | MRR@10 | Δ MRR@10 vs reference | p50 latency |${extra}`);
  console.log(`|---|---|---|---|---|---|---|${c.styles ? '---|---|' : ''}`);
  for (const r of c.rows) {
    const d = r.isReference ? 'reference' : delta(r.all.mrr10, ref.all.mrr10);
    const s = c.styles ? ` ${fmt(r.user.r5)} | ${fmt(r.record.r5)} |` : '';
    console.log(`| ${label(r)} | ${fmt(r.all.r1)} | ${fmt(r.all.r5)} | ${fmt(r.all.r10)} | ${fmt(r.all.mrr10)} | ${d} | ${show(r.p50ms, 'ms')} |${s}`);
  }
  console.log('');
  const h = (r: RunResult) => `R@5 ${fmt(r.heldOut.r5)}, MRR@10 ${fmt(r.heldOut.mrr10)}`;
  if (c.heldOut.length) {
    console.log(`Held out of tuning (${c.heldOut.length}): default ${h(def)} vs reference ${h(ref)} ` +
      `(tuning questions: default MRR@10 ${fmt(def.tuning.mrr10)} vs reference ${fmt(ref.tuning.mrr10)}); ids: ${c.heldOut.join(' ')}.`);
  } else console.log('Held out of tuning: none marked.');
  const ids = Object.keys(def.ranks);
  const defMiss = ids.filter((id) => !inTop(def.ranks[id], 5));
  const refOnly = defMiss.filter((id) => inTop(ref.ranks[id], 5));
  const defOnly = ids.filter((id) => inTop(def.ranks[id], 5) && !inTop(ref.ranks[id], 5));
  console.log(`Default missed in the top 5: ${defMiss.join(' ') || 'none'}; the reference found ${refOnly.length} of them (${refOnly.join(' ') || '–'}), ` +
    `and missed ${defOnly.length} the default found.`);
  if (c.unknownGold.length) console.log(`Gold entries naming no document of the corpus (${c.unknownGold.length}): ${c.unknownGold.slice(0, 12).join(' ')}${c.unknownGold.length > 12 ? ' …' : ''}`);
  if (c.indexedDocuments !== c.documents) console.log(`Note: Docent's index reports ${c.indexedDocuments} documents, the loaders gave the reference ${c.documents}.`);
  if (c.gate) {
    const g = c.gate;
    console.log(`Not-found gate (minVectorScore ${g.thresholds.minVectorScore}, minCoverage ${g.thresholds.minCoverage}, top ${g.thresholds.k}): ` +
      `catalog questions wrongly refused ${g.falseRefusals}/${g.onTopic}; off-topic questions answered anyway ${g.offTopicAnswered}/${g.offTopic} ` +
      `(${g.offTopicAnsweredIds.join('; ') || 'none'}).`);
  }
  console.log('');
}

export interface SummaryRow {
  name: string;
  isDefault: boolean;
  isReference: boolean;
  perCorpus: Record<string, { r5: number; mrr10: number } | undefined>;
  /** The corpus where this retriever trails the reference most, by R@5 and by MRR@10 (each its own worst). */
  worstR5: { corpus: string; delta: number } | null;
  worstMrr10: { corpus: string; delta: number } | null;
}

export interface Summary {
  corpora: string[];
  rows: SummaryRow[];
  /** Default ≥ reference on R@5 and on MRR@10 on every corpus evaluated. */
  defaultAtLeastReference: boolean | null;
  defaultShortfalls: Array<{ corpus: string; r5: number; mrr10: number }>;
}

export function summarise(results: CorpusResult[]): Summary {
  const names: string[] = [];
  for (const c of results) for (const r of c.rows) if (!names.includes(r.name)) names.push(r.name);
  const rows = names.map((name): SummaryRow => {
    const per = results.map((c) => ({ c, r: c.rows.find((r) => r.name === name), ref: reference(c) }));
    const worst = (pick: (m: Metrics) => number) =>
      per.filter((p) => p.r).map((p) => ({ corpus: p.c.corpus, delta: pick(p.r!.all) - pick(p.ref.all) }))
        .reduce<{ corpus: string; delta: number } | null>((w, x) => (w === null || x.delta < w.delta ? x : w), null);
    const any = per.find((p) => p.r)!.r!;
    return {
      name, isDefault: results.every((c) => byDefault(c).name === name), isReference: any.isReference,
      perCorpus: Object.fromEntries(per.map((p) => [p.c.corpus, p.r ? { r5: p.r.all.r5, mrr10: p.r.all.mrr10 } : undefined])),
      worstR5: worst((m) => m.r5), worstMrr10: worst((m) => m.mrr10),
    };
  });
  const defaultShortfalls = results
    .map((c) => ({ corpus: c.corpus, r5: byDefault(c).all.r5 - reference(c).all.r5, mrr10: byDefault(c).all.mrr10 - reference(c).all.mrr10 }))
    .filter((s) => s.r5 < 0 || s.mrr10 < 0);
  return { corpora: results.map((c) => c.corpus), rows, defaultAtLeastReference: results.length ? defaultShortfalls.length === 0 : null, defaultShortfalls };
}

export function printSummary(results: CorpusResult[], s: Summary): void {
  console.log(`### All corpora: R@5 / MRR@10, and the worst corpus vs reference`);
  console.log('');
  const worst = (w: { corpus: string; delta: number } | null) => (w ? `${delta(w.delta, 0)} (${w.corpus})` : '–');
  console.log(`| retriever | ${s.corpora.join(' | ')} | worst corpus vs reference: Δ R@5 | Δ MRR@10 |`);
  console.log(`|---|${s.corpora.map(() => '---|').join('')}---|---|`);
  for (const r of s.rows) {
    const cells = s.corpora.map((c) => { const m = r.perCorpus[c]; return m ? `${fmt(m.r5)} / ${fmt(m.mrr10)}` : '–'; });
    const tail = r.isReference ? 'baseline | baseline' : `${worst(r.worstR5)} | ${worst(r.worstMrr10)}`;
    console.log(`| ${r.isDefault ? `**${r.name}** (default)` : r.name} | ${cells.join(' | ')} | ${tail} |`);
  }
  console.log('');
  const def = results[0] ? byDefault(results[0]).name : 'default';
  const verdict = s.defaultAtLeastReference
    ? 'yes'
    : `no — below it on ${s.defaultShortfalls.map((x) => `${x.corpus} (Δ R@5 ${delta(x.r5, 0)}, Δ MRR@10 ${delta(x.mrr10, 0)})`).join(', ')}`;
  console.log(`Default retriever (${def}) at or above the reference BM25 on R@5 and MRR@10 on every corpus evaluated (${s.corpora.join(', ')}): ${verdict}.`);
  const heldOut = results.filter((c) => c.heldOut.length).map((c) => `${c.corpus} ${c.heldOut.length}/${c.questions}`);
  if (heldOut.length) console.log(`Questions held out of tuning: ${heldOut.join(', ')} (ids above, per corpus).`);
}
