/**
 * The closest bare baseline for a Socket Mode ack: a `ws` server on 127.0.0.1 pushes `n` envelope-sized JSON
 * frames at once to a bare `ws` client, which parses each and answers `{ envelope_id }` — what Slack and a
 * Socket Mode app do, minus Bolt, the socket-mode client and the adapter. Timed like the fake times acks:
 * from just after the server's send to the answer arriving at the server.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

/** About the size of an app_mention envelope as the fake sends it. */
const ENVELOPE_BYTES = 1000;

/** Round trips (ms) of `rounds` bursts of `n` frames of about `bytes` each (one after another), after a warm-up burst. */
export async function wsEcho(n: number, rounds = 1, bytes = ENVELOPE_BYTES): Promise<number[]> {
  const server = createServer();
  const wss = new WebSocketServer({ server });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  // The client plays the app: parse the envelope, answer with its id.
  client.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as { envelope_id: string };
    client.send(JSON.stringify({ envelope_id: frame.envelope_id }));
  });
  const peer = await new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
  await new Promise<void>((r) => (client.readyState === WebSocket.OPEN ? r() : client.once('open', () => r())));
  const sentAt = new Map<string, number>();
  const rtt = new Map<string, number>();
  let done: (() => void) | undefined;
  peer.on('message', (data) => {
    const id = (JSON.parse(data.toString()) as { envelope_id: string }).envelope_id;
    rtt.set(id, performance.now() - sentAt.get(id)!);
    if (rtt.size === sentAt.size) done?.();
  });
  const padding = 'x'.repeat(Math.max(0, bytes - 120));
  const burst = async (tag: string): Promise<number[]> => {
    sentAt.clear();
    rtt.clear();
    const finished = new Promise<void>((r) => (done = r));
    for (let i = 0; i < n; i++) {
      const id = `${tag}-${i}`;
      peer.send(JSON.stringify({ envelope_id: id, type: 'events_api', payload: { event: { type: 'app_mention', text: padding } }, accepts_response_payload: false }));
      sentAt.set(id, performance.now());
    }
    await finished;
    return [...rtt.values()];
  };
  try {
    await burst('warm-up');
    const out: number[] = [];
    for (let i = 0; i < rounds; i++) out.push(...(await burst(`round ${i}`)));
    return out;
  } finally {
    client.terminate();
    await new Promise((r) => wss.close(r));
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}
