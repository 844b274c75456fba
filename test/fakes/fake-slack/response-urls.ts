/**
 * response_url endpoints, as Slack hands them out with slash commands (`/commands/…`) and interactions
 * (`/actions/…`). Bolt's `respond()` POSTs JSON there; the fake applies it like Slack does — ephemeral to
 * the invoking user by default, `in_channel` as a visible bot message, `replace_original` /
 * `delete_original` on the message a button sat on — and allows 5 uses within 30 minutes.
 */
import { randomBytes } from 'node:crypto';
import { validateMessage } from './limits.js';
import { now, type ResponseUrlRecord, type Wire } from './state.js';
import type { WebApiContext } from './web-api-methods.js';

export const RESPONSE_URL_MAX_USES = 5;
export const RESPONSE_URL_LIFETIME_MS = 30 * 60_000;

interface Target {
  kind: 'commands' | 'actions';
  channel: string;
  user: string;
  /** The message an interaction came from (actions only). */
  messageTs?: string;
  threadTs?: string;
  issuedAt: number;
  uses: number;
}

export class ResponseUrls {
  private readonly targets = new Map<string, Target>();

  constructor(private readonly baseUrl: string, private readonly ctx: WebApiContext) {}

  /** A fresh response_url for an envelope, shaped like `https://hooks.slack.com/commands/T…/1234/secret`. */
  issue(kind: Target['kind'], t: Omit<Target, 'kind' | 'issuedAt' | 'uses'>): string {
    const path = `/${kind}/${this.ctx.ids.teamId}/${Date.now()}${this.targets.size}/${randomBytes(12).toString('hex')}`;
    this.targets.set(path, { kind, ...t, issuedAt: now(), uses: 0 });
    return `${this.baseUrl}${path}`;
  }

  /** True when `path` is a response_url route (whether or not it is still valid). */
  matches(path: string): boolean {
    return /^\/(commands|actions)\//.test(path);
  }

  handle(path: string, body: Wire): { status: number; body: Wire } {
    const { state } = this.ctx;
    const target = this.targets.get(path);
    const kind = path.startsWith('/actions/') ? 'actions' : 'commands';
    const record = (status: number, effect: ResponseUrlRecord['effect']) => {
      state.responses.push({ at: now(), url: `${this.baseUrl}${path}`, kind, body, status, effect });
      state.outgoing.push({ at: now(), kind: 'response_url', method: 'response_url', body });
    };
    const reject = (status: number, error: string) => {
      record(status, 'rejected');
      return { status, body: { ok: false, error } };
    };
    if (!target) return reject(404, 'expired_url');
    if (now() - target.issuedAt > RESPONSE_URL_LIFETIME_MS) return reject(404, 'expired_url');
    if (target.uses >= RESPONSE_URL_MAX_USES) return reject(404, 'used_url');
    target.uses++;

    const original = target.messageTs ? state.message(target.channel, target.messageTs) : undefined;
    if (body['delete_original'] === true || body['delete_original'] === 'true') {
      if (!original || original.deletedAt !== undefined) return reject(404, 'message_not_found');
      original.deletedAt = now();
      record(200, 'delete_original');
      return { status: 200, body: { ok: true } };
    }
    const bad = validateMessage(body, { maxTextChars: this.ctx.maxTextChars, requireContent: true });
    if (bad) return reject(400, bad.error);
    const text = typeof body['text'] === 'string' ? body['text'] : '';
    const blocks = Array.isArray(body['blocks']) ? (body['blocks'] as Wire[]) : undefined;
    const threadTs = typeof body['thread_ts'] === 'string' ? body['thread_ts'] : target.threadTs;

    if ((body['replace_original'] === true || body['replace_original'] === 'true') && original && original.deletedAt === undefined) {
      original.text = text;
      if (blocks) original.blocks = blocks;
      original.updates.push({ at: now(), via: 'response_url', editTs: this.ctx.clock.next(), text, ...(blocks ? { blocks } : {}) });
      record(200, 'replace_original');
    } else if (body['response_type'] === 'in_channel') {
      const m = state.put({
        channel: target.channel, ts: this.ctx.clock.next(), user: this.ctx.ids.botUserId, bot_id: this.ctx.ids.botId, app_id: this.ctx.ids.appId,
        byBot: true, text, via: 'response_url', ...(blocks ? { blocks } : {}), ...(threadTs ? { thread_ts: threadTs } : {}),
      });
      this.ctx.onBotMessage(m);
      record(200, 'in_channel');
    } else {
      state.ephemerals.push({
        at: now(), channel: target.channel, user: target.user, text, via: 'response_url', message_ts: this.ctx.clock.next(),
        ...(blocks ? { blocks } : {}), ...(threadTs ? { thread_ts: threadTs } : {}),
      });
      record(200, 'ephemeral');
    }
    return { status: 200, body: { ok: true } };
  }
}
