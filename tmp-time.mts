import { listSourceItems, loadSourceItem } from './src/indexing/sources.ts';
const skips: any[] = [];
const ctx = { maxFileBytes: 50 * 1024 * 1024, fetchTimeoutMs: 10000, onSkip: (s: any) => skips.push(s) };
const t0 = performance.now();
const counts: Record<string, number> = {};
const all: any[] = [];
for (const src of ['/work/shared/catalogs/usfs/fsgeodata', '/work/shared/catalogs/usfs/gdd/gdd_metadata.json', '/work/shared/pdfs/gnuplot.pdf', '/work/shared/pdfs/liboctave.pdf']) {
  const t = performance.now();
  const items = await listSourceItems(src, ctx);
  let n = 0;
  for (const it of items) { const docs = await loadSourceItem(it, ctx); n += docs.length; all.push(...docs); }
  counts[src] = n;
  console.log(src, items.length, 'items', n, 'docs', Math.round(performance.now() - t), 'ms');
}
console.log('total', Math.round(performance.now() - t0), 'ms', 'skips', skips);
const th = all.find(d => d.sourceId.endsWith('Actv_TimberHarvest.xml'));
console.log(JSON.stringify(th, null, 1));
console.log(JSON.stringify(all.find(d => d.kind === 'dcat' && d.title.startsWith('Timber Harvests')), null, 1));
console.log(JSON.stringify(all.find(d => d.sourceId.includes('ForestsToFaucets')), null, 1));
console.log(JSON.stringify(all.find(d => d.sourceId.includes('Fire_FPA_FOD_6th')), null, 1));
const byRel = all.filter(d=>d.kind==='fgdc'); console.log('no url', byRel.filter(d=>!d.url).length, 'no modified', byRel.filter(d=>!d.modified).length, 'no kw', byRel.filter(d=>!d.keywords.length).length);
const dc = all.filter(d=>d.kind==='dcat'); console.log('dcat with <', dc.filter(d=>/<[a-z\/][^>]*>/i.test(d.text)).length, dc.filter(d=>/&[a-z]+;/.test(d.text)).length);
