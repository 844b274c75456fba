import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config/load-config.js';
import { DocentError } from '../core/errors.js';
import { hasUrlSecrets, redactUrl } from '../core/redact-url.js';
import { indexPaths, writeJsonAtomic, type IndexManifest } from '../indexing/index-files.js';

/**
 * Which sources a reindex reads. `docent index --source pgdocs` followed by a plain `docent index` (or
 * `:reindex`, or the schedule) used to rebuild the configured sample catalog and silently drop pgdocs' 1,169
 * documents. Now the sources of the last successful run are remembered in `<dataDir>/index/sources.json`, with
 * the configured sources of that moment:
 *
 * 1. `--source` given → exactly those (the user named them);
 * 2. SOURCES set in the environment → those (an operator or a shell said so, as the issue asks);
 * 3. else, if config/*.yaml still says what it said at the last run → the remembered sources (a plain reindex
 *    repeats the last one);
 * 4. else → the configured sources (an operator changed them).
 *
 * Whatever the plan, `removed` lists the indexed sources it leaves out, so the caller can say so or refuse.
 * Like the manifest, the file holds redacted URLs only: a source whose URL carried credentials is matched back
 * to the configured one that carries them, or must be given again.
 */
export interface SourcePlan {
  sources: string[];
  origin: 'command line' | 'last index' | 'configuration';
  /** Indexed sources (by the manifest) that this plan does not read, with their document counts. */
  removed: Array<{ source: string; documents: number }>;
}

interface SourcesFile {
  /** As given (redacted); relative paths are relative to `cwd`. */
  sources: Array<{ source: string; hadSecret: boolean }>;
  configured: string[];
  cwd: string;
  savedAt: string;
}

function sourcesFile(dataDir: string): string {
  return path.join(indexPaths(dataDir).indexDir, 'sources.json');
}

function readSaved(dataDir: string): SourcesFile | undefined {
  try {
    const file = sourcesFile(dataDir);
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SourcesFile) : undefined;
  } catch {
    return undefined;
  }
}

const isUrl = (s: string) => /^https?:\/\//i.test(s);

/** The identity of a source for comparing lists: the redacted URL, or the absolute path. */
function sourceKey(s: string, cwd: string): string {
  return isUrl(s) ? redactUrl(s) : path.resolve(cwd, s);
}

export function planSources(o: { dataDir: string; configured: string[]; manifest: IndexManifest | null; requested?: string[] | undefined; fromEnv?: boolean }): SourcePlan {
  const fromEnv = o.fromEnv ?? Boolean(process.env.SOURCES?.trim());
  const saved = readSaved(o.dataDir);
  let plan: Omit<SourcePlan, 'removed'>;
  if (o.requested?.length) plan = { sources: o.requested, origin: 'command line' };
  else if (!fromEnv && saved && sameList(saved.configured, o.configured.map(redactUrl))) plan = { sources: saved.sources.map((s) => restore(s, saved.cwd, o.configured)), origin: 'last index' };
  else plan = { sources: o.configured, origin: 'configuration' };
  // The manifest's keys are the sources as they were given, relative to where that run started.
  const indexedCwd = saved?.cwd ?? process.cwd();
  const wanted = new Set(plan.sources.map((s) => sourceKey(s, process.cwd())));
  const removed = Object.entries(o.manifest?.perSource ?? {})
    .filter(([root, n]) => n.documents > 0 && !wanted.has(sourceKey(root, indexedCwd)))
    .map(([source, n]) => ({ source, documents: n.documents }));
  return { ...plan, removed };
}

/**
 * After a successful run: what it read, and what config/*.yaml said then. With SOURCES set, `configured` (the
 * loaded config's sources) is the environment's list, not the files': saving it would make the next plain run
 * (SOURCES unset) see the files as changed and refuse to reindex what it just built, so the files' own value is
 * read again without SOURCES.
 */
export function rememberSources(dataDir: string, sources: string[], configured: string[]): void {
  const fromFiles = process.env.SOURCES?.trim() ? configuredInFiles() ?? readSaved(dataDir)?.configured ?? configured : configured;
  const file: SourcesFile = {
    sources: sources.map((s) => ({ source: redactUrl(s), hadSecret: isUrl(s) && hasUrlSecrets(s) })),
    configured: fromFiles.map(redactUrl),
    cwd: process.cwd(),
    savedAt: new Date().toISOString(),
  };
  writeJsonAtomic(sourcesFile(dataDir), file);
}

/** "pgdocs (1169 documents), data/sample (16 documents)". */
export function describeRemoved(removed: SourcePlan['removed']): string {
  return removed.map((r) => `${redactUrl(r.source)} (${r.documents} documents)`).join(', ');
}

/** The refusal a plain `docent index` gets when its sources would drop indexed ones. */
export function sourcesChangedError(plan: SourcePlan): DocentError {
  const keep = [...plan.sources, ...plan.removed.map((r) => r.source)].map((s) => `--source ${redactUrl(s)}`).join(' ');
  return new DocentError('index_sources_removed', 'user', `this would remove ${describeRemoved(plan.removed)} from the index: the configured sources (${plan.sources.map(redactUrl).join(', ')}) do not include ${plan.removed.length > 1 ? 'them' : 'it'}`, {
    hint: `Run \`docent index --replace\` (or --yes) to drop ${plan.removed.length > 1 ? 'them' : 'it'}, or \`docent index ${keep}\` to keep everything.`,
  });
}

/** The sources config/*.yaml (and the profile) give, without the SOURCES environment variable. */
function configuredInFiles(): string[] | undefined {
  try {
    return loadConfig({ env: { ...process.env, SOURCES: undefined } }).sources;
  } catch {
    return undefined;
  }
}

function restore(s: SourcesFile['sources'][number], cwd: string, configured: string[]): string {
  if (s.hadSecret) {
    // The credentials were never written down; the configuration may still hold them.
    const match = configured.find((c) => redactUrl(c) === s.source);
    if (match) return match;
    throw new DocentError('source_credentials', 'user', `the last index read ${s.source} with credentials, which Docent does not keep`, {
      hint: 'Give it again with --source (or in SOURCES).',
    });
  }
  return isUrl(s.source) || path.isAbsolute(s.source) || cwd === process.cwd() ? s.source : path.resolve(cwd, s.source);
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
