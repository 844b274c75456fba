/**
 * Which sources a chat channel may search (CHANNEL_SOURCES). Fails closed: once any channel is scoped, a channel
 * that is not listed — and every DM — gets the `default` entry, and without one nothing at all; it never falls
 * back to the whole catalog.
 *
 * A scope is `undefined` (the whole catalog), a list of sources (each a source root as configured, or a full
 * source id `root/path`, see fullSourceId in src/core/filter.ts), or `[]`: no catalog here (the question gets a
 * polite answer saying so and nothing is searched).
 */

/** The key in CHANNEL_SOURCES for channels and DMs not listed. */
export const DEFAULT_SCOPE_KEY = 'default';
/** An entry that grants the whole catalog (e.g. `"default": ["*"]`). */
export const WHOLE_CATALOG = '*';

/**
 * The scope of `channelId`. `undefined` channel: not a chat channel (the operator's terminal chat), which always
 * sees the whole catalog. Without CHANNEL_SOURCES every channel sees the whole catalog, as before.
 */
export function resolveChannelScope(channelSources: Readonly<Record<string, readonly string[]>>, channelId: string | undefined): string[] | undefined {
  if (channelId === undefined || Object.keys(channelSources).length === 0) return undefined;
  const entry = Object.hasOwn(channelSources, channelId) && channelId !== DEFAULT_SCOPE_KEY ? channelSources[channelId] : channelSources[DEFAULT_SCOPE_KEY];
  if (!entry) return [];
  if (entry.includes(WHOLE_CATALOG)) return undefined;
  return [...new Set(entry)];
}

/**
 * Scope entries that can never match a document: neither a configured source nor a path inside one (a bare file
 * name, a typo). Logged at start so an operator learns why a channel finds nothing.
 */
export function unmatchedScopeEntries(channelSources: Readonly<Record<string, readonly string[]>>, sources: readonly string[]): string[] {
  const roots = sources.map((s) => s.replace(/\/+$/, ''));
  const matches = (e: string): boolean => e === WHOLE_CATALOG || sources.includes(e) || roots.some((r) => e.length > r.length + 1 && e.startsWith(`${r}/`));
  return [...new Set(Object.values(channelSources).flat())].filter((e) => !matches(e));
}
