/**
 * The one place that decides what of a URL is secret. Source URLs carry credentials (`user:pass@`,
 * `?api_key=`, signed links, webhook tokens in the path); everything that shows or stores a URL — logs, the
 * status page, `/sources`, `docent status`, `docent index`, reindex replies, the manifest, citations — passes
 * it through `redactUrl` (or `redactUrlsInText` for free text). Only the request itself keeps the secrets.
 *
 * The marker is a bare word, not "[redacted]": it stays a valid URL character in a path and a query, so a
 * redacted link still parses, and it cannot break Markdown link syntax in a chat reply.
 */

export const REDACTED = 'REDACTED';

/** Query (and fragment) parameter names whose value is a credential, compared without case and punctuation. */
const SECRET_PARAMS = new Set([
  'key', 'token', 'apikey', 'accesstoken', 'authtoken', 'signature', 'sig', 'password', 'passwd', 'pwd',
  'secret', 'auth', 'authorization', 'credential', 'credentials', 'session', 'sessionid', 'jwt',
]);
/** Suffixes that make any name secret: access_key, x-api-key, client_secret, refresh_token, X-Amz-Signature. */
const SECRET_SUFFIXES = ['key', 'token', 'secret', 'password', 'passwd', 'signature', 'credential'];

/** Whether a query parameter name holds a credential (`api_key`, `X-Amz-Signature`, `sig`, `client_secret`…). */
export function isSecretParam(name: string): boolean {
  const n = safeDecode(name).toLowerCase().replace(/[^a-z0-9]/g, '');
  return SECRET_PARAMS.has(n) || SECRET_SUFFIXES.some((s) => n.endsWith(s));
}

/**
 * Whether a path segment looks like a token rather than a name: a run of 20+ letters and digits, mixed (a
 * Slack or Discord webhook token, an API key, a JWT part, a hex digest), or a 40+ character base64url blob
 * with both cases and digits. Slugs ("annual-report-2023-v2"), UUIDs and dates have no such run, so catalog
 * links that use them stay readable.
 */
export function isTokenSegment(segment: string): boolean {
  const s = safeDecode(segment).replace(/\.[A-Za-z0-9]{1,5}$/, '');
  if (s.length < 20) return false;
  const mixed = (t: string) => /[0-9]/.test(t) && /[A-Za-z]/.test(t);
  if (s.split(/[-_.~+=]/).some((part) => part.length >= 20 && /^[A-Za-z0-9]+$/.test(part) && mixed(part))) return true;
  return s.length >= 40 && /^[A-Za-z0-9_\-=.]+$/.test(s) && /[a-z]/.test(s) && /[A-Z]/.test(s) && /[0-9]/.test(s);
}

/** scheme://  userinfo@  host  path  ?query  #fragment — split without normalising anything. */
const URL_PARTS = /^([a-z][a-z0-9+.-]*:\/\/)(?:([^/?#@]*)@)?([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/i;

interface UrlParts {
  scheme: string;
  userinfo: string | undefined;
  host: string;
  path: string;
  query: string | undefined;
  fragment: string | undefined;
}

function split(url: string): UrlParts | null {
  const m = URL_PARTS.exec(url);
  if (!m) return null;
  return { scheme: m[1]!, userinfo: m[2], host: m[3]!, path: m[4] ?? '', query: m[5], fragment: m[6] };
}

/** Percent-decodes; `form` also reads '+' as a space (query strings), which userinfo does not. */
function safeDecode(s: string, form = true): string {
  try {
    return decodeURIComponent(form ? s.replace(/\+/g, ' ') : s);
  } catch {
    return s;
  }
}

/** `a=1&api_key=xyz` → `a=1&api_key=REDACTED`; names and order are kept so the link still reads. */
function redactParams(params: string): string {
  return params
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      // A value already replaced by the logger's "[redacted]" stays as it is (redacting is idempotent).
      return isSecretParam(name) && value !== '' && value !== '[redacted]' ? `${name}=${REDACTED}` : pair;
    })
    .join('&');
}

/**
 * The URL as it may be shown or stored: userinfo removed (a citation link then opens the page and the
 * server asks for a login, instead of carrying the password), secret query and fragment parameters and
 * token-looking path segments replaced by REDACTED. A string with nothing secret — or that is not a URL (a
 * folder path) — comes back unchanged, byte for byte, so source names and channel scopes still match.
 */
export function redactUrl(url: string): string {
  const p = split(url);
  if (!p) return url;
  const path = p.path.split('/').map((seg) => (isTokenSegment(seg) ? REDACTED : seg)).join('/');
  const query = p.query === undefined ? '' : `?${redactParams(p.query.slice(1))}`;
  // OAuth's implicit flow puts access_token in the fragment; a plain "#section" has no '=' and is kept.
  const fragment = p.fragment === undefined ? '' : p.fragment.includes('=') ? `#${redactParams(p.fragment.slice(1))}` : p.fragment;
  const out = `${p.scheme}${p.host}${path}${query}${fragment}`;
  return p.userinfo === undefined && out === url ? url : out;
}

/** Whether `redactUrl` would change this URL (it carries something secret). */
export function hasUrlSecrets(url: string): boolean {
  return redactUrl(url) !== url;
}

const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s<>"'`]+/gi;

/** Sentence punctuation after a URL, and a closing bracket that has no opener inside it: "(see https://x/a)." */
function trailingPunctuation(url: string): number {
  let end = url.length;
  const count = (c: string) => url.slice(0, end).split(c).length - 1;
  for (;;) {
    const last = url[end - 1];
    if (last && '.,;:!?'.includes(last)) end--;
    else if (last === ')' && count('(') < count(')')) end--;
    else if (last === ']' && count('[') < count(']')) end--;
    else if (last === '}' && count('{') < count('}')) end--;
    else return url.length - end;
  }
}

/** Redacts every URL inside free text: error messages, skip reasons, log lines, run summaries. */
export function redactUrlsInText(text: string): string {
  if (!text.includes('://')) return text;
  return text.replace(URL_IN_TEXT, (match) => {
    const cut = match.length - trailingPunctuation(match);
    return redactUrl(match.slice(0, cut)) + match.slice(cut);
  });
}

/**
 * The secret values inside a URL (userinfo, secret parameter values, token segments), raw and decoded, for
 * scrubbing text a server echoed back (an error body, a feed's "next" link). Values under 8 characters are
 * left out: replacing a short word everywhere would damage ordinary text more than it protects.
 */
export function urlSecrets(url: string): string[] {
  const p = split(url);
  if (!p) return [];
  const out = new Set<string>();
  const add = (v: string | undefined) => {
    if (v === undefined) return;
    // A server may echo the value encoded, decoded, or form-decoded; each spelling is scrubbed.
    for (const x of [v, safeDecode(v, false), safeDecode(v)]) if (x.length >= 8) out.add(x);
  };
  if (p.userinfo !== undefined) {
    const colon = p.userinfo.indexOf(':');
    add(colon < 0 ? p.userinfo : p.userinfo.slice(0, colon));
    if (colon >= 0) add(p.userinfo.slice(colon + 1));
  }
  for (const params of [p.query?.slice(1), p.fragment?.slice(1)]) {
    for (const pair of params?.split('&') ?? []) {
      const eq = pair.indexOf('=');
      if (eq > 0 && isSecretParam(pair.slice(0, eq))) add(pair.slice(eq + 1));
    }
  }
  for (const seg of p.path.split('/')) if (isTokenSegment(seg)) add(seg);
  return [...out].sort((a, b) => b.length - a.length);
}

/** Replaces each of `secrets` in `text` with REDACTED (longest first, so a value never leaves a tail). */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s && out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}

/**
 * What to send for a URL with `user:pass@`: the URL without them plus an `Authorization: Basic` header.
 * Node's fetch refuses such URLs outright, and sending credentials as a header keeps them out of anything
 * that logs the request line.
 */
export function splitUserinfo(url: string): { url: string; authorization: string | null } {
  const p = split(url);
  if (!p || p.userinfo === undefined) return { url, authorization: null };
  const colon = p.userinfo.indexOf(':');
  const user = safeDecode(colon < 0 ? p.userinfo : p.userinfo.slice(0, colon), false);
  const pass = colon < 0 ? '' : safeDecode(p.userinfo.slice(colon + 1), false);
  const bare = `${p.scheme}${p.host}${p.path}${p.query ?? ''}${p.fragment ?? ''}`;
  return { url: bare, authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` };
}
