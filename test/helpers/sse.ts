/** Reads a `text/event-stream` response into its `data:` payloads (JSON-parsed), in order; `:` comments skipped. */
export async function readSse(res: Response, onEvent?: (e: Record<string, unknown>) => boolean | void): Promise<Array<Record<string, unknown>>> {
  const events: Array<Record<string, unknown>> = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return events;
    buf += value;
    let i: number;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).replace(/^ /, '')).join('\n');
      if (!data) continue;
      const e = JSON.parse(data) as Record<string, unknown>;
      events.push(e);
      // The callback returns true to stop reading (the caller then aborts the request).
      if (onEvent?.(e) === true) {
        await reader.cancel().catch(() => undefined);
        return events;
      }
    }
  }
}
