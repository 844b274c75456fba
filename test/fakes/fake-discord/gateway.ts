/**
 * The fake Discord gateway: HELLO → IDENTIFY → READY + GUILD_CREATE, heartbeats, sequence numbers, and
 * sessions that survive a dropped socket so a RESUME (on the READY's `resume_gateway_url`) replays every
 * dispatch the client missed before RESUMED — the same contract @discordjs/ws relies on.
 *
 * Dispatches made while the socket is down are kept in the session and delivered on RESUME; a fresh
 * IDENTIFY starts a new session and, as on Discord, the old session's unsent events are lost.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { WebSocketServer, WebSocket } from 'ws';
import { Intent, type Wire } from './payloads.js';
import type { DispatchRecord, FakeDiscordState } from './state.js';

/** Gateway opcodes (https://discord.com/developers/docs/topics/opcodes-and-status-codes). */
export const Op = {
  Dispatch: 0, Heartbeat: 1, Identify: 2, PresenceUpdate: 3, VoiceStateUpdate: 4, Resume: 6, Reconnect: 7,
  RequestGuildMembers: 8, InvalidSession: 9, Hello: 10, HeartbeatAck: 11,
} as const;

export const GATEWAY_PATH = '/gateway';
export const RESUME_PATH = '/resume-gateway';

export interface GatewayOptions {
  heartbeatIntervalMs: number;
  /** When set, IDENTIFY/RESUME with another token closes with 4004 (authentication failed). */
  expectedToken?: string;
  /** When false, IDENTIFY asking for MESSAGE_CONTENT closes with 4014 (disallowed intents), as for an unapproved app. */
  allowMessageContent: boolean;
  /** Base URL for `resume_gateway_url` (ws://host:port). */
  baseWsUrl: string;
  readyData(): Wire;
  guildCreateData(): Wire;
  members(): Wire[];
  guildId: string;
}

interface Session {
  id: string;
  seq: number;
  events: DispatchRecord[];
  socket: WebSocket | null;
  intents: number;
  token: string;
}

export class FakeGateway {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, Session>();
  private current: Session | undefined;
  private readonly sockets = new Set<WebSocket>();

  constructor(private readonly state: FakeDiscordState, private readonly opts: GatewayOptions) {}

  /** Takes over an HTTP upgrade on the gateway paths; returns false for any other path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== GATEWAY_PATH && url.pathname !== RESUME_PATH) return false;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, url));
    return true;
  }

  /** Whether a client has identified at least once (dispatches have a session to go to). */
  hasSession(): boolean {
    return this.current !== undefined;
  }

  /**
   * Sends (or, while disconnected, buffers) one dispatch on the current session. Returns undefined when
   * the session's intents exclude the event (Discord would not send it) or no client ever identified.
   */
  dispatch(t: string, d: Wire, intent?: number): DispatchRecord | undefined {
    const session = this.current;
    if (!session) return undefined;
    if (intent !== undefined && (session.intents & intent) === 0) return undefined;
    const record: DispatchRecord = { t, s: ++session.seq, d, createdAt: performance.now(), replayedAt: [] };
    session.events.push(record);
    this.state.gateway.dispatches.push(record);
    if (session.socket && session.socket.readyState === WebSocket.OPEN) this.write(session.socket, record, false);
    return record;
  }

  /** Intents of the current session (0 before the first IDENTIFY). */
  /** Whether the app may use MESSAGE_CONTENT at all (the portal toggle); REST reads follow this, not a session's intents. */
  messageContentAllowed(): boolean {
    return this.opts.allowMessageContent;
  }

  intents(): number {
    return this.current?.intents ?? 0;
  }

  /**
   * Drops the current connection: a close frame with `code` (4000 = resumable unknown error, 1000 makes
   * @discordjs/ws start over with IDENTIFY), or with `networkDrop` the TCP socket dies without a close frame.
   * Resolves once the server side has closed.
   */
  async disconnect(o: { code?: number; networkDrop?: boolean } = {}): Promise<void> {
    const socket = this.current?.socket;
    if (!socket) return;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    if (this.current) this.current.socket = null;
    this.state.gateway.connected = false;
    const code = o.networkDrop ? 1006 : (o.code ?? 4000);
    this.state.gateway.closes.push({ at: performance.now(), code, by: 'server' });
    if (o.networkDrop) socket.terminate();
    else socket.close(code, 'fake-discord disconnect');
    await closed;
  }

  /** Sends op 7 RECONNECT: the client should drop the socket and RESUME. */
  requestReconnect(): void {
    const socket = this.current?.socket;
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ op: Op.Reconnect, d: null, s: null, t: null }));
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private onConnection(ws: WebSocket, url: URL): void {
    this.sockets.add(ws);
    this.state.gateway.connections.push({ at: performance.now(), path: url.pathname, query: url.searchParams.toString() });
    let session: Session | undefined;
    ws.on('close', (code) => {
      this.sockets.delete(ws);
      if (session?.socket === ws) {
        session.socket = null;
        this.state.gateway.connected = false;
        this.state.gateway.closes.push({ at: performance.now(), code, by: 'client' });
      }
    });
    ws.on('message', (raw, isBinary) => {
      if (isBinary) return ws.close(4002, 'Decode error');
      let payload: { op?: number; d?: unknown };
      try {
        payload = JSON.parse(raw.toString()) as { op?: number; d?: unknown };
      } catch {
        return ws.close(4002, 'Decode error');
      }
      const d = (payload.d ?? {}) as Wire;
      switch (payload.op) {
        case Op.Heartbeat:
          this.state.gateway.heartbeats++;
          return ws.send(JSON.stringify({ op: Op.HeartbeatAck, d: null, s: null, t: null }));
        case Op.Identify:
          if (session) return ws.close(4005, 'Already authenticated');
          session = this.identify(ws, d);
          return;
        case Op.Resume:
          if (session) return ws.close(4005, 'Already authenticated');
          session = this.resume(ws, d);
          return;
        case Op.RequestGuildMembers:
          if (!session) return ws.close(4003, 'Not authenticated');
          return this.membersChunk(d);
        case Op.PresenceUpdate:
        case Op.VoiceStateUpdate:
          if (!session) return ws.close(4003, 'Not authenticated');
          return;
        default:
          return ws.close(4001, 'Unknown opcode');
      }
    });
    ws.send(JSON.stringify({ op: Op.Hello, d: { heartbeat_interval: this.opts.heartbeatIntervalMs }, s: null, t: null }));
  }

  private identify(ws: WebSocket, d: Wire): Session | undefined {
    const token = String(d['token'] ?? '');
    const intents = Number(d['intents'] ?? 0);
    const g = this.state.gateway;
    g.identifies++;
    g.identifyPayloads.push({ at: performance.now(), token, intents, properties: d['properties'], shard: d['shard'] });
    g.token = token;
    g.intents = intents;
    if (this.opts.expectedToken !== undefined && token !== this.opts.expectedToken) {
      this.refuse(ws, 4004, 'Authentication failed');
      return undefined;
    }
    if ((intents & Intent.MessageContent) !== 0 && !this.opts.allowMessageContent) {
      this.refuse(ws, 4014, 'Disallowed intent(s)');
      return undefined;
    }
    const session: Session = { id: randomBytes(16).toString('hex'), seq: 0, events: [], socket: ws, intents, token };
    this.sessions.set(session.id, session);
    this.current = session;
    g.sessionId = session.id;
    g.connected = true;
    this.dispatch('READY', { ...this.opts.readyData(), session_id: session.id, resume_gateway_url: `${this.opts.baseWsUrl}${RESUME_PATH}` });
    this.dispatch('GUILD_CREATE', this.opts.guildCreateData(), Intent.Guilds);
    return session;
  }

  /** Closes a socket that never became a session (a refused IDENTIFY), recording it in `closes` as the server's. */
  private refuse(ws: WebSocket, code: number, reason: string): void {
    this.state.gateway.closes.push({ at: performance.now(), code, by: 'server' });
    ws.close(code, reason);
  }

  private resume(ws: WebSocket, d: Wire): Session | undefined {
    const g = this.state.gateway;
    const token = String(d['token'] ?? '');
    const sessionId = String(d['session_id'] ?? '');
    const seq = d['seq'] === null || d['seq'] === undefined ? null : Number(d['seq']);
    g.resumePayloads.push({ at: performance.now(), token, sessionId, seq });
    const session = this.sessions.get(sessionId);
    if (!session || session.token !== token || session !== this.current) {
      g.invalidSessions++;
      ws.send(JSON.stringify({ op: Op.InvalidSession, d: false, s: null, t: null }));
      return undefined;
    }
    g.resumes++;
    g.connected = true;
    session.socket = ws;
    for (const event of session.events) if (event.s > (seq ?? 0)) this.write(ws, event, true);
    this.dispatch('RESUMED', {});
    return session;
  }

  private membersChunk(d: Wire): void {
    const wanted = Array.isArray(d['user_ids']) ? (d['user_ids'] as string[]) : typeof d['user_ids'] === 'string' ? [d['user_ids']] : undefined;
    const members = this.opts.members().filter((m) => !wanted || wanted.includes(String((m['user'] as Wire)['id'])));
    const found = new Set(members.map((m) => String((m['user'] as Wire)['id'])));
    this.dispatch('GUILD_MEMBERS_CHUNK', {
      guild_id: this.opts.guildId,
      members,
      chunk_index: 0,
      chunk_count: 1,
      not_found: (wanted ?? []).filter((id) => !found.has(id)),
      ...(d['nonce'] !== undefined ? { nonce: d['nonce'] } : {}),
    });
  }

  private write(ws: WebSocket, record: DispatchRecord, replay: boolean): void {
    ws.send(JSON.stringify({ op: Op.Dispatch, t: record.t, s: record.s, d: record.d }));
    const now = performance.now();
    if (record.sentAt === undefined) record.sentAt = now;
    if (replay) record.replayedAt.push(now);
  }
}
