/** The Slack adapter's public surface. */
export { createSlackAdapter, type SlackAdapter, type SlackAdapterDeps } from './slack-adapter.js';
export { toMrkdwn, toStreamMarkdown, fromMrkdwn } from './mrkdwn.js';
export { formatSourceList } from './blocks.js';
