/**
 * Socket Mode, as @slack/socket-mode speaks it: apps.connections.open hands out a one-time
 * `ws://…/link/?ticket=…&app_id=…` URL; on connect the server sends `hello`; envelopes
 * `{ envelope_id, type, payload, accepts_response_payload, retry_attempt, retry_reason }` follow; the client
 * acks each with `{ envelope_id, payload }` (the client answers our pings; the ws server answers its pings).
 * `disconnect` messages and dropped sockets make the client fetch a new URL and reconnect. Envelopes sent
 * while no socket is open wait for the next connection, as Slack holds them for a reconnecting app.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { newEnvelopeId } from './events.js';
import { now, type ConnectionRecord, type EnvelopeRecord, type FakeSlackState, type Wire } from './state.js';

export const SOCKET_PATH = '/link/';

export interface SocketModeOptions {
  appId: string;
  /** Slack's ack deadline (3 s): later acks are marked late, and unacked events may be retried. */
  ackDeadlineMs: number;
  /** Redeliver an unacked events_api envelope after the deadline, like Slack (retry_reason `timeout`, at most 3). */
  retryUnackedEvents: boolean;
  /** Send a WebSocket ping this often (off when undefined); Slack pings its clients periodically. */
  pingIntervalMs?: number;
}

export class FakeSocketMode {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Set<string>();
  private readonly sockets = new Map<number, WebSocket>();
  private readonly queue: EnvelopeRecord[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Sockets the fake itself ended, so their close is recorded as the server's doing. */
  private readonly serverClosed = new WeakSet<WebSocket>();
  private closing = false;

  constructor(
    private readonly state: FakeSlackState,
    private readonly opts: SocketModeOptions,
    /** Called for every ack of a known envelope (e.g. to show a slash command's ack body as an ephemeral). */
    private readonly onAck: (envelope: EnvelopeRecord, payload: Wire) => void,
  ) {}

  /** A one-time URL for apps.connections.open. */
  issueUrl(baseWsUrl: string): string {
    const ticket = randomUUID();
    this.tickets.add(ticket);
    return `${baseWsUrl}${SOCKET_PATH}?ticket=${ticket}&app_id=${this.opts.appId}`;
  }

  /** Takes an HTTP upgrade when it is ours; false leaves the socket to the caller. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (url.pathname !== SOCKET_PATH) return false;
    const ticket = url.searchParams.get('ticket') ?? '';
    if (this.closing || !this.tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return true;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, ticket));
    return true;
  }

  private onConnection(ws: WebSocket, ticket: string): void {
    const record: ConnectionRecord = { id: this.state.connections.length + 1, ticket, openedAt: now() };
    this.state.connections.push(record);
    this.sockets.set(record.id, ws);
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.onFrame(record, data.toString());
    });
    ws.on('error', () => undefined);
    ws.on('close', (code) => {
      Object.assign(record, { closedAt: now(), closeCode: code, closedBy: this.serverClosed.has(ws) ? 'server' : 'client' });
      this.sockets.delete(record.id);
    });
    if (this.opts.pingIntervalMs) {
      const t = setInterval(() => ws.ping(), this.opts.pingIntervalMs);
      this.timers.add(t);
      ws.on('close', () => (clearInterval(t), this.timers.delete(t)));
    }
    ws.send(JSON.stringify({
      type: 'hello', num_connections: this.sockets.size,
      debug_info: { host: 'applink-fake-1', build_number: 1, approximate_connection_time: 18060 },
      connection_info: { app_id: this.opts.appId },
    }));
    record.helloAt = now();
    for (const env of this.queue.splice(0)) this.transmit(env);
  }

  private onFrame(conn: ConnectionRecord, text: string): void {
    let frame: Wire;
    try {
      frame = JSON.parse(text) as Wire;
    } catch {
      return;
    }
    const envelopeId = typeof frame['envelope_id'] === 'string' ? frame['envelope_id'] : undefined;
    if (!envelopeId) return;
    const payload = frame['payload'] && typeof frame['payload'] === 'object' ? (frame['payload'] as Wire) : {};
    const env = this.state.envelope(envelopeId);
    const at = now();
    const latencyMs = env?.sentAt !== undefined ? at - env.sentAt : undefined;
    this.state.acks.push({
      at, envelopeId, payload, connectionId: conn.id, known: env !== undefined,
      ...(latencyMs !== undefined ? { latencyMs } : {}), late: latencyMs !== undefined && latencyMs > this.opts.ackDeadlineMs,
    });
    this.state.outgoing.push({ at, kind: 'ack', method: `ack:${env?.type ?? 'unknown'}`, body: frame });
    if (env && env.ackedAt === undefined) {
      env.ackedAt = at;
      env.ackPayload = payload;
      this.onAck(env, payload);
    }
  }

  /** The newest socket that got its hello. */
  private liveSocket(): [number, WebSocket] | undefined {
    const open = [...this.sockets.entries()].filter(([, ws]) => ws.readyState === ws.OPEN);
    return open.at(-1);
  }

  /** Sends an envelope now, or queues it for the next connection. */
  push(env: EnvelopeRecord): EnvelopeRecord {
    this.state.envelopes.push(env);
    this.transmit(env);
    return env;
  }

  private transmit(env: EnvelopeRecord): void {
    const live = this.liveSocket();
    if (!live) {
      this.queue.push(env);
      return;
    }
    const [id, ws] = live;
    // Slack lets the ack carry a response only where one means something: commands, view submissions, options.
    const acceptsResponse = env.type === 'slash_commands' || ['view_submission', 'block_suggestion'].includes(String(env.payload['type']));
    const frame: Wire = { envelope_id: env.envelopeId, payload: env.payload, type: env.type, accepts_response_payload: acceptsResponse };
    if (env.type === 'events_api') Object.assign(frame, { retry_attempt: env.retryAttempt, retry_reason: env.retryReason });
    ws.send(JSON.stringify(frame));
    env.sentAt = now();
    env.connectionId = id;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (env.ackedAt !== undefined) return;
      env.timedOutAt = now();
      if (this.opts.retryUnackedEvents && env.type === 'events_api' && env.retryAttempt < 3) this.retry(env, 'timeout');
    }, this.opts.ackDeadlineMs);
    this.timers.add(timer);
  }

  /** Redelivers an event envelope as Slack's retry: same payload and event_id, new envelope id. */
  retry(env: EnvelopeRecord, reason = 'timeout'): EnvelopeRecord {
    const { envelopeId: _old, sentAt: _s, connectionId: _c, ackedAt: _a, ackPayload: _p, timedOutAt: _t, ...same } = env;
    return this.push({ ...same, envelopeId: newEnvelopeId(), retryAttempt: env.retryAttempt + 1, retryReason: reason, createdAt: now() });
  }

  /** Kills every open socket without a close frame (a network drop); returns how many. */
  dropSocket(): number {
    const open = [...this.sockets.values()];
    for (const ws of open) {
      this.serverClosed.add(ws);
      ws.terminate();
    }
    return open.length;
  }

  /** Sends `{ type: 'disconnect', reason }` on every open socket; the client closes and reconnects. */
  sendDisconnect(reason: 'refresh_requested' | 'warning' | 'link_disabled' | string = 'refresh_requested'): number {
    const open = [...this.sockets.values()];
    for (const ws of open) ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-fake-1' } }));
    return open.length;
  }

  queued(): number {
    return this.queue.length;
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.dropSocket();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
