/**
 * Slack's message limits, enforced the way the Web API reports them, so an adapter that would fail against
 * real Slack fails here too: `msg_too_long` for text, `invalid_blocks` (with Slack-style `errors` pointers)
 * for Block Kit over its size rules, `no_text` for an empty message. Numbers from docs.slack.dev (Block Kit
 * reference, chat.postMessage, chat.*Stream).
 */
import type { Wire } from './state.js';

export const LIMITS = {
  /** chat.postMessage truncates at 40k and answers msg_too_long above it. */
  textChars: 40_000,
  /** "Up to 50 blocks in each message" (https://docs.slack.dev/reference/block-kit/blocks/); chat.stopStream's `blocks` too. */
  blocks: 50,
  /** https://docs.slack.dev/reference/block-kit/blocks/section-block/: text up to 3000, fields 10 × 2000. */
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  /** Cumulative over all markdown blocks of one message. */
  markdownBlockText: 12_000,
  contextElements: 10,
  /** Any text object (https://docs.slack.dev/reference/block-kit/composition-objects/text-object): 1 to 3000 characters. */
  textObject: 3000,
  actionsElements: 25,
  blockId: 255,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  /** chat.startStream / appendStream / stopStream `markdown_text`, and each markdown_text chunk. */
  streamMarkdown: 12_000,
} as const;

export interface SlackError {
  error: string;
  /** Extra fields of the error answer, e.g. `errors: ['must be less than 3001 characters [json-pointer:/blocks/0/text/text]']`. */
  extra?: Wire;
}

const blockError = (message: string, pointer: string): SlackError => ({
  error: 'invalid_blocks',
  extra: { errors: [`${message} [json-pointer:${pointer}]`], response_metadata: { messages: [`[ERROR] ${message} [json-pointer:${pointer}]`] } },
});

const textLen = (t: unknown): number => (t && typeof t === 'object' && typeof (t as Wire)['text'] === 'string' ? ((t as Wire)['text'] as string).length : 0);

/** Validates a Block Kit array; returns the first violation as Slack would report it. */
export function validateBlocks(blocks: unknown): SlackError | undefined {
  if (!Array.isArray(blocks)) return { error: 'invalid_blocks_format' };
  if (blocks.length > LIMITS.blocks) return blockError(`no more than ${LIMITS.blocks} items allowed`, '/blocks');
  let markdownTotal = 0;
  for (const [i, raw] of blocks.entries()) {
    const at = `/blocks/${i}`;
    if (!raw || typeof raw !== 'object' || typeof (raw as Wire)['type'] !== 'string') return blockError('missing required field: type', at);
    const b = raw as Wire;
    if (typeof b['block_id'] === 'string' && b['block_id'].length > LIMITS.blockId) return blockError(`must be less than ${LIMITS.blockId + 1} characters`, `${at}/block_id`);
    switch (b['type']) {
      case 'section': {
        const fields = b['fields'] as unknown[] | undefined;
        if (b['text'] === undefined && fields === undefined && b['expand'] === undefined) return blockError('must provide either text or fields', at);
        if (textLen(b['text']) > LIMITS.sectionText) return blockError(`must be less than ${LIMITS.sectionText + 1} characters`, `${at}/text/text`);
        if (b['text'] !== undefined && textLen(b['text']) === 0) return blockError('must be more than 0 characters', `${at}/text/text`);
        if (fields && fields.length > LIMITS.sectionFields) return blockError(`must be less than ${LIMITS.sectionFields + 1} items`, `${at}/fields`);
        for (const [j, f] of (fields ?? []).entries())
          if (textLen(f) > LIMITS.sectionFieldText) return blockError(`must be less than ${LIMITS.sectionFieldText + 1} characters`, `${at}/fields/${j}/text`);
        break;
      }
      case 'header':
        if (textLen(b['text']) > LIMITS.headerText) return blockError(`must be less than ${LIMITS.headerText + 1} characters`, `${at}/text/text`);
        break;
      case 'markdown':
        if (typeof b['text'] !== 'string') return blockError('missing required field: text', at);
        markdownTotal += b['text'].length;
        if (markdownTotal > LIMITS.markdownBlockText) return blockError(`cumulative markdown text must be less than ${LIMITS.markdownBlockText + 1} characters`, `${at}/text`);
        break;
      case 'context': {
        const elements = (b['elements'] as Wire[] | undefined) ?? [];
        if (elements.length === 0) return blockError('must provide at least 1 items', `${at}/elements`);
        if (elements.length > LIMITS.contextElements) return blockError(`must be less than ${LIMITS.contextElements + 1} items`, `${at}/elements`);
        for (const [j, e] of elements.entries()) {
          if (e['type'] !== 'mrkdwn' && e['type'] !== 'plain_text') continue;
          const len = typeof e['text'] === 'string' ? e['text'].length : 0;
          if (len === 0) return blockError('must be more than 0 characters', `${at}/elements/${j}/text`);
          if (len > LIMITS.textObject) return blockError(`must be less than ${LIMITS.textObject + 1} characters`, `${at}/elements/${j}/text`);
        }
        break;
      }
      case 'actions': {
        const elements = (b['elements'] as Wire[] | undefined) ?? [];
        if (elements.length > LIMITS.actionsElements) return blockError(`must be less than ${LIMITS.actionsElements + 1} items`, `${at}/elements`);
        for (const [j, e] of elements.entries()) {
          const ep = `${at}/elements/${j}`;
          if (e['type'] === 'button' && textLen(e['text']) > LIMITS.buttonText) return blockError(`must be less than ${LIMITS.buttonText + 1} characters`, `${ep}/text/text`);
          if (typeof e['value'] === 'string' && e['value'].length > LIMITS.buttonValue) return blockError(`must be less than ${LIMITS.buttonValue + 1} characters`, `${ep}/value`);
          if (typeof e['action_id'] === 'string' && e['action_id'].length > LIMITS.actionId) return blockError(`must be less than ${LIMITS.actionId + 1} characters`, `${ep}/action_id`);
        }
        break;
      }
      default:
        break;
    }
  }
  return undefined;
}

/** Validates message content for chat.postMessage / postEphemeral / update and response_url bodies. */
export function validateMessage(args: Wire, o: { maxTextChars: number; requireContent: boolean }): SlackError | undefined {
  const text = args['text'];
  const hasBlocks = Array.isArray(args['blocks']) && args['blocks'].length > 0;
  const hasAttachments = Array.isArray(args['attachments']) && args['attachments'].length > 0;
  if (o.requireContent && (typeof text !== 'string' || text === '') && !hasBlocks && !hasAttachments) return { error: 'no_text' };
  if (typeof text === 'string' && text.length > o.maxTextChars) return { error: 'msg_too_long' };
  if (args['blocks'] !== undefined) return validateBlocks(args['blocks']);
  return undefined;
}

/**
 * The markdown a chat.*Stream call adds: `markdown_text`, or the `markdown_text` chunks. Slack refuses both
 * at once and limits each piece to 12k characters.
 */
export function streamContent(args: Wire): { text: string; chunks: Wire[] } | SlackError {
  const md = args['markdown_text'];
  const chunks = args['chunks'];
  if (md !== undefined && chunks !== undefined) return { error: 'cannot_provide_both_markdown_text_and_chunks' };
  if (md !== undefined) {
    if (typeof md !== 'string') return { error: 'invalid_arguments' };
    if (md.length > LIMITS.streamMarkdown) return { error: 'msg_too_long' };
    return { text: md, chunks: [{ type: 'markdown_text', text: md }] };
  }
  if (chunks === undefined) return { text: '', chunks: [] };
  if (!Array.isArray(chunks)) return { error: 'invalid_chunks' };
  let text = '';
  for (const c of chunks as Wire[]) {
    if (!c || typeof c !== 'object' || typeof c['type'] !== 'string') return { error: 'invalid_chunks' };
    if (c['type'] === 'markdown_text') {
      if (typeof c['text'] !== 'string') return { error: 'invalid_chunks' };
      if (c['text'].length > LIMITS.streamMarkdown) return { error: 'msg_too_long' };
      text += c['text'];
    } else if (c['type'] === 'blocks') {
      const bad = validateBlocks(c['blocks']);
      if (bad) return bad;
    }
  }
  return { text, chunks: chunks as Wire[] };
}
