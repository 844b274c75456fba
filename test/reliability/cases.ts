/**
 * Every row of RELIABILITY.md: which test decides it and what it should show. `npm run reliability`
 * (write-report.ts) runs the files named here plus all of test/reliability, and fills each row from the run:
 * the result is the test's own outcome as the runner saw it (passed → ✅; failed, skipped, missing or not run →
 * ❌ with the reason), and "observed" is what the test recorded with observe() — so a failing case shows as ❌
 * with its detail, and a renamed or deleted test shows as ❌ too instead of vanishing.
 *
 * Adding a row is one line: [id, expected, file, test title]. The id is what the test passes to observe()
 * (`suite/case`); a test that records nothing still gets its row, with its outcome. A row's result is its
 * test's result: cases that share a test fail together.
 */

export type Case = readonly [id: string, expected: string, file: string, test: string];

const FAULTS = 'test/reliability/faults.test.ts';
const BURST = 'test/reliability/burst.test.ts';
const SECRETS = 'test/reliability/secrets.test.ts';
const QUESTIONS = 'test/reliability/hostile-questions.test.ts';
const BAD_INPUT = 'test/reliability/bad-input.test.ts';
const TERMINAL = 'test/reliability/terminal-escapes.test.ts';
const URL_CREDENTIALS = 'test/reliability/url-credentials.test.ts';
const ACTIVITY_E2E = 'test/reliability/activity-e2e.test.ts';
const CONFINED = 'test/indexing/confined-sources.test.ts';
const PARSE_LIMITS = 'test/indexing/parse-limits.test.ts';
const FETCH_POLICY = 'test/indexing/fetch-policy.test.ts';
const KILLED_REINDEX = 'test/indexing/killed-reindex.test.ts';
const SERVICES = 'test/runtime/docent-services.test.ts';
const ACTIVITY = 'test/runtime/activity-log.test.ts';
const ADMISSION = 'test/core/answer/admission.test.ts';
const PROMPT = 'test/core/answer/prompt-tags.test.ts';
const EXPOSURE = 'test/server/exposure.test.ts';
const SLACK_REPLAY = 'test/adapters/slack/slack-replay.test.ts';
const SLACK = 'test/adapters/slack/slack-e2e.test.ts';
const DISCORD = 'test/adapters/discord/discord-e2e.test.ts';
const DISCORD_INTENT = 'test/adapters/discord/intent-refused.test.ts';
const DISCORD_PARSE = 'test/adapters/discord/parse-during-commands.test.ts';
const CLI_FALLBACK = 'test/cli/answer-fallback-e2e.test.ts';

const HOSTILE_QUESTION = (name: string) => `${name}: ends with a finish or one polite error, no exception`;
const INJECTED = 'changes neither citations nor the index, triggers no reindex, and not-found is unchanged';
const BREAKER = 'the breaker opens after three failures in a row, skips the model, then closes after a successful trial';
const CHROMA_KILL = 'in-flight questions end with a finish or one polite error; the supervisor restarts Chroma; the index is intact';

export const CASES: readonly Case[] = [
  // LLM and Chroma faults on the real runtime
  ['faults/llm-ok-baseline', 'finish by the HF model with citations', FAULTS, 'answers through the model when it works (baseline)'],
  ['faults/llm-malformed-chunk', 'finish (model text, or excerpts with a note)', FAULTS, 'a malformed chunk mid-stream ends with a finish (model text or fallback), never silence'],
  ['faults/llm-http-500', 'finish by the excerpts, with a note', FAULTS, 'HTTP 500 before any token falls back to the excerpts with a note'],
  ['faults/llm-first-token-timeout', 'finish by the excerpts with a note within ~1.5 s', FAULTS, 'no first token within LLM_FIRST_TOKEN_TIMEOUT_MS falls back with a note'],
  ['faults/llm-stall-mid-stream', 'finish: partial text + note + excerpts', FAULTS, 'a stall mid-stream keeps the partial text, says why, and finishes with the excerpts'],
  ['faults/breaker-opens', "state 'open' after 3 failures; model skipped", FAULTS, BREAKER],
  ['faults/breaker-closes', "half-open after the cool-down; 'closed' after a successful trial", FAULTS, BREAKER],
  ['faults/chroma-sigkill-in-flight', 'each question: finish or exactly one polite error', FAULTS, CHROMA_KILL],
  ['faults/chroma-restarted', 'new Chroma pid; a question answered with citations within 15 s', FAULTS, CHROMA_KILL],
  ['faults/index-intact-after-restart', 'same manifest version; same top-5 records', FAULTS, CHROMA_KILL],
  ['cli/llm-fallback-real-hf-client', 'the real CLI and HF client: partial text kept, a note, excerpts', CLI_FALLBACK, 'keeps the partial text, adds a note, and finishes with excerpts when the server dies mid-answer'],
  ['indexing/reindex-sigkill', 'the old version keeps serving; the next run succeeds and cleans up', KILLED_REINDEX, 'leaves the old version serving, and the next run succeeds and cleans up'],
  // Load and admission
  ['load/200-questions-at-once', 'each answered or told "busy, try again in N s"; none dropped; memory bounded', BURST, 'answers what fits, tells the rest to try again quickly, and drops none'],
  ['admission/queue-bounds', 'at most maxConcurrent run; the rest queue in order; refused beyond the queue', ADMISSION, 'runs at most maxConcurrent at once, queues the rest in order, and refuses beyond the queue'],
  ['admission/per-user-share', 'one user limited to their share, freed as answers finish', ADMISSION, 'limits one user to their share, and frees it as their answers finish'],
  ['admission/abandoned-waiter', 'an abandoned waiter leaves the queue at once, freeing its place', ADMISSION, 'a waiter abandoned by its signal leaves the queue at once and frees its place and its share'],
  ['admission/abandoned-question', 'a queued question abandoned by its asker ends its stream and frees its place', SERVICES, 'a queued question abandoned by its asker leaves the queue: its stream ends and its place is free again'],
  ['admission/max-wait', 'a question queued past maxWaitMs is told "busy, try again"', ADMISSION, 'refuses a question that waited longer than maxWaitMs with "busy, try again", freeing its place'],
  // Secrets and exposure
  ['secrets/token-in-use', 'the fake HF server receives the real token', SECRETS, 'the chat request really carries the HF token (so the check below is meaningful)'],
  ['secrets/llm-error-echoes-token', 'answers carry the failure note but not the token', SECRETS, 'an LLM error whose body echoes the token does not reach the answer, the error part or the log'],
  ['secrets/no-secret-anywhere', 'no secret (incl. STATUS_TOKEN) in logs, /, /metrics, /readyz, /healthz, status, answers, data dir', SECRETS, 'no secret appears in logs, HTTP pages, metrics, readiness, status Markdown or the data dir'],
  ['secrets/config-error-no-echo', 'a ConfigError next to secrets names the key, not the secrets', SECRETS, 'ConfigError messages next to secrets do not echo them'],
  ['exposure/default-bind', 'binds 127.0.0.1 unless configured (0.0.0.0 only under the Space profile)', EXPOSURE, 'binds 127.0.0.1 by default: another address of this host is refused'],
  ['exposure/metrics-token', 'with STATUS_TOKEN, /metrics is 401 without the exact bearer token', EXPOSURE, '/metrics needs the bearer token'],
  ['exposure/status-page-token', 'with STATUS_TOKEN, the page shows only ok / not ready without it', EXPOSURE, 'the status page says only ok / not ready without the token, and everything with it'],
  // Credentials in URLs, internal hosts
  ['url-credentials/index-fetch', 'Basic auth and ?api_key= reach the feed; output shows only redacted URLs', URL_CREDENTIALS, 'docent index fetches with Basic auth and the key, refuses the redirect to loopback, and prints only redacted URLs'],
  ['url-credentials/redirect-to-loopback', 'a feed redirecting to a loopback service is skipped; the service receives nothing', URL_CREDENTIALS, 'docent index fetches with Basic auth and the key, refuses the redirect to loopback, and prints only redacted URLs'],
  ['url-credentials/docent-status', 'sources and skips redacted in status text and JSON', URL_CREDENTIALS, 'docent status (text and --json) shows the redacted sources and skip list'],
  ['url-credentials/reindex-reply', 'the skip list in the chat reply is redacted', URL_CREDENTIALS, 'the admin reindex reply posted in the channel, /sources and status show redacted URLs'],
  ['url-credentials/status-page-and-answer', 'status page and quoted records show redacted URLs', URL_CREDENTIALS, 'the public status page, /metrics and an answer quoting the feed carry no credential'],
  ['url-credentials/no-secret-anywhere', 'no credential in any output, log or data file', URL_CREDENTIALS, 'no secret anywhere: outputs, the trace-level log, or any file in the data dir'],
  ['fetch/internal-redirect', 'a redirect to a loopback "internal" server is refused; it receives nothing', FETCH_POLICY, 're-checks a redirect: one to a loopback "internal" server is refused and that server receives nothing'],
  ['fetch/dns-rebinding', 'a name resolving public then loopback is resolved once; loopback never reached', FETCH_POLICY, 'DNS rebinding: a name that answers public first and loopback afterwards is resolved once, and loopback is never reached'],
  // Hostile questions and documents
  ['hostile-questions/empty', 'finish or one polite error part', QUESTIONS, HOSTILE_QUESTION('empty')],
  ['hostile-questions/whitespace-only', 'finish or one polite error part', QUESTIONS, HOSTILE_QUESTION('whitespace-only')],
  ['hostile-questions/10000-chars', 'finish or one polite error part', QUESTIONS, HOSTILE_QUESTION('10000-chars')],
  ['hostile-questions/10000-chars-one-word', 'finish or one polite error part', QUESTIONS, HOSTILE_QUESTION('10000-chars-one-word')],
  ['hostile-questions/control-characters', 'finish or one polite error part; no control characters in the answer', QUESTIONS, HOSTILE_QUESTION('control-characters')],
  ['hostile-questions/mention-markdown-injection', 'answer quotes documents; no @everyone, <!channel>, <@&, javascript: from the question', QUESTIONS, 'mention and Markdown injection in the question is never echoed into the answer'],
  ['hostile-questions/mention-injection-off-topic', 'not-found reply, nothing echoed', QUESTIONS, 'an off-topic question carrying mentions gets the not-found reply without echoing them'],
  ['hostile-questions/injected-doc-citations', 'citations only among retrieved passages; [9] never shown', QUESTIONS, INJECTED],
  ['hostile-questions/injected-doc-no-reindex', 'lastRuns unchanged; no reindex running; same index version', QUESTIONS, INJECTED],
  ['hostile-questions/injected-doc-not-found-unchanged', 'off-topic still not found, no citations', QUESTIONS, INJECTED],
  ['hostile-questions/injected-doc-unrelated-citations', 'an unrelated question cites the same records as before', QUESTIONS, INJECTED],
  ['prompt/passage-tags', 'no </PASSAGE>, </Passage >, <passage n="9"> spelling opens or closes a tag', PROMPT, 'no casing, spacing or invisible character lets a passage close its tag or open another'],
  ['terminal/ask', 'docent ask: no control characters from titles, text or file names', TERMINAL, 'docent ask prints the answer, titles and file names without control characters'],
  ['terminal/search', 'docent search: no control characters', TERMINAL, 'docent search prints hits without control characters'],
  ['terminal/json', '--json: exact data, every control character escaped', TERMINAL, '--json keeps the exact text but prints every control character escaped'],
  ['terminal/status', 'docent status: no control characters', TERMINAL, 'docent status prints without control characters'],
  ['terminal/index', 'docent index: skipped file names without control characters', TERMINAL, 'docent index names skipped files without control characters'],
  // Hostile files
  ['bad-input/good-files-beside-hostile', 'all 5 good files indexed', BAD_INPUT, 'still loads every good file'],
  ['bad-input/xml-billion-laughs', 'not expanded (skipped or left literal)', BAD_INPUT, '1a. XML billion laughs: not expanded'],
  ['bad-input/xml-quadratic-blowup', 'skipped: expansion limit', BAD_INPUT, '1b. XML quadratic blowup: stopped by the expansion limit'],
  ['bad-input/xml-xxe-file', 'skipped; /etc/passwd not read', BAD_INPUT, '1c. XML external entities: neither a local file nor a URL is read'],
  ['bad-input/xml-xxe-http', 'skipped; loopback URL not fetched', BAD_INPUT, '1c. XML external entities: neither a local file nor a URL is read'],
  ['bad-input/json-deep-10000', 'skipped with a reason, no crash', BAD_INPUT, '2a. JSON nested 10,000 deep: skipped, no stack overflow'],
  ['bad-input/dcat-wrong-types', 'valid datasets load; bad ones skipped with reasons', BAD_INPUT, '2b. DCAT with missing fields and wrong types: valid datasets load, the rest are skipped with reasons'],
  ['bad-input/pdf-3000-empty-pages', 'skipped: no extractable text', BAD_INPUT, '3a. PDF with 3000 empty pages: skipped quickly as having no text'],
  ['bad-input/pdf-truncated', 'skipped: corrupt PDF', BAD_INPUT, '3b. truncated PDF: skipped as corrupt'],
  ['bad-input/invalid-utf8-txt', 'loaded (Windows-1252 fallback); no crash', BAD_INPUT, '4. invalid UTF-8 in .txt and .md: loaded, decoded as Windows-1252 (no crash, no skip)'],
  ['bad-input/invalid-utf8-md', 'loaded (Windows-1252 fallback); no crash', BAD_INPUT, '4. invalid UTF-8 in .txt and .md: loaded, decoded as Windows-1252 (no crash, no skip)'],
  ['bad-input/http-hanging-body', 'skipped: could not fetch: timed out', BAD_INPUT, '5. an HTTP body that never finishes: skipped after the fetch timeout'],
  ['bad-input/oversize-file', 'skipped: over the size limit', BAD_INPUT, '6. a file over the size limit: skipped with the limit named'],
  ['bad-input/memory', 'peak RSS growth < 300 MB; no unexpected errors', BAD_INPUT, 'nothing surfaced as an unexpected error, and memory growth stayed bounded'],
  ['confined/links-out', 'nothing read from outside the folder (symlinks out, hidden files)', CONFINED, 'reads nothing from outside the folder, nor its hidden files'],
  ['confined/skips-named', 'every skipped link and special file named with its reason', CONFINED, 'names every skipped link and special file with the reason'],
  ['confined/fifo-swap', 'a file swapped for a named pipe is skipped, not waited for', CONFINED, 'is skipped, not waited for, when it became a named pipe'],
  ['confined/symlink-swap', 'a file swapped for a link out of the folder is skipped', CONFINED, 'is skipped when it became a link out of the folder'],
  ['confined/fifo-source', 'a configured source that is a named pipe is reported, not opened', CONFINED, 'a configured source that is itself a named pipe is reported, not opened'],
  ['parse/flate-bomb', '600 MB flate bomb beside links and a pipe: peak RSS < 1 GB, reasons given', PARSE_LIMITS, 'indexes what is inside with peak RSS under 1 GB, and says why the rest was skipped'],
  ['parse/pdf-page-limit', 'a PDF over the page limit is skipped before its pages are read', PARSE_LIMITS, 'skips a PDF over the page limit before reading its pages'],
  ['parse/time-limit', 'the event loop keeps answering; a long parse stops at the time limit', PARSE_LIMITS, 'keeps the event loop answering during a 10,000-page parse, and stops it at the time limit'],
  // Chat platforms
  ['slack/replay-dropped', 'an exact replay of a signed request inside 5 minutes is acknowledged and dropped', SLACK_REPLAY, 'answers a signed /docent question once when the exact request is sent again'],
  ['slack/replay-vote', 'a replayed feedback click is recorded once', SLACK_REPLAY, 'records a feedback click once when the exact request is sent again'],
  ['slack/stale-or-future-refused', 'a signed request stamped > 5 min in the past or future: 401', SLACK_REPLAY, 'refuses correctly signed requests stamped more than 5 minutes in the past or the future'],
  ['slack/bad-signature', 'bad, stale or missing signature: 401, nothing answered', SLACK, 'rejects a bad or stale signature with 401 and answers nothing'],
  ['slack/retried-event-once', 'an event delivered three times (Slack retries) is answered once', SLACK, 'answers an event delivered three times (Slack retries) exactly once'],
  ['slack/429-retry-after', 'a 429 Retry-After on appendStream is waited out; the text completes', SLACK, 'honours a 429 Retry-After on appendStream and still completes the text'],
  ['slack/non-admin-reindex', '/docent reindex refused to a non-admin, privately', SLACK, 'refuses /docent reindex to a non-admin privately and runs it for an admin with progress'],
  ['slack/channel-scope', 'questions scoped by channel', SLACK, 'scopes questions by channel'],
  ['discord/429-retry-after', 'a 429 retry_after on the @original edit is waited out; the text completes', DISCORD, '(c) honours a 429 retry_after on the @original edit and still finishes the text'],
  ['discord/non-admin-reindex', '/reindex refused to a non-admin', DISCORD, '(d) refuses /reindex to a non-admin and runs it for an admin with progress edits'],
  ['discord/acks-during-10k-page-parse', 'each command acknowledged (type 4 or 5) within 3 s while a 10,000-page PDF parses in the worker', DISCORD_PARSE, 'acknowledges /sources, /ask and /help within 3 s each while the parse runs in the worker'],
  ['discord/no-pings', 'no payload in the whole suite could ping anyone', DISCORD, '(g) never sent a payload that could ping anyone, in the whole suite'],
  ['discord/intent-refused', 'Message Content refused (4014): start resolves, one warning, reconnects without it; /ask and @mentions answered, un-mentioned follow-ups arrive blank and are ignored', DISCORD_INTENT, 'starts without the intent, warns once, and still answers /ask and @mentions'],
  ['scoping/default-entry', 'a default entry decides what unlisted channels and DMs see; "*" is the whole catalog', SERVICES, 'a default entry decides what unlisted channels and DMs see; "*" is the whole catalog'],
  ['scoping/unlisted-channel', 'with CHANNEL_SOURCES, a DM or unlisted channel gets "no catalog" and nothing is searched', SERVICES, 'once set, a DM and an unlisted channel get a polite "no catalog" answer and nothing is searched'],
  // Activity log
  ['activity/truncated answers.jsonl line at start', 'starts, warns once, answers with sources', ACTIVITY_E2E, 'starts over an answers.jsonl with a truncated last line, answers, and leaves a readable log'],
  ['activity/activity folder not writable', 'answers finish with sources and buttons; the failure is logged', ACTIVITY_E2E, 'answers with sources and feedback buttons when the activity folder cannot be written'],
  ['activity/file-modes', 'activity files created 0600', ACTIVITY, 'creates its files with mode 0600, the hash key too'],
  ['activity/hashed-user-ids', 'user ids stored as a keyed hash', ACTIVITY, 'stores a keyed hash of user ids (stable across restarts), raw ids only when hashing is off'],
  ['activity/unwritable', 'a full disk or unwritable folder is logged once, never thrown', ACTIVITY, 'never throws when it cannot write: a full disk and a folder that is not writable are logged once'],
];
