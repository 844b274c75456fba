import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createThrottledEditor } from '../../../src/adapters/shared/throttled-editor.js';

/** A fake edit call that records calls and takes `editMs` (fake time) per edit, tracking concurrency. */
function fakeEdit(editMs: number) {
  const calls: { state: string; at: number }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const apply = async (state: string) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    calls.push({ state, at: Date.now() });
    await new Promise((r) => setTimeout(r, editMs));
    inFlight--;
  };
  return { apply, calls, get maxInFlight() { return maxInFlight; } };
}

const clock = {
  now: () => Date.now(),
  setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
  clearTimeout: (h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

describe('createThrottledEditor', () => {
  beforeEach(() => void vi.useFakeTimers({ now: 0 }));
  afterEach(() => void vi.useRealTimers());

  it('shows the first state at once, then at most one edit per interval, coalescing', async () => {
    const edit = fakeEdit(50);
    const editor = createThrottledEditor({ intervalMs: 1000, apply: edit.apply, clock });
    for (let i = 1; i <= 40; i++) {
      editor.update(`t${i}`);
      await vi.advanceTimersByTimeAsync(100);
    }
    // 4 s of updates every 100 ms (t1 at 0 ms … t40 at 3900 ms) → edits at 0, 1000, 2000, 3000 and 4000 ms,
    // each showing the newest text at that moment; the states in between were coalesced away.
    expect(edit.calls.map((c) => c.state)).toEqual(['t1', 't10', 't20', 't30', 't40']);
    for (let i = 1; i < edit.calls.length; i++) expect(edit.calls[i]!.at - edit.calls[i - 1]!.at).toBeGreaterThanOrEqual(1000);
    const done = editor.finish('final');
    await vi.advanceTimersByTimeAsync(200);
    await done;
    expect(edit.calls.at(-1)!.state).toBe('final');
    expect(edit.maxInFlight).toBe(1);
  });

  it('never runs two edits at once when an edit is slower than the interval (a 429 being waited out)', async () => {
    const edit = fakeEdit(2500);
    const editor = createThrottledEditor({ intervalMs: 200, apply: edit.apply, clock });
    for (let i = 1; i <= 50; i++) {
      editor.update(`t${i}`);
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(edit.maxInFlight).toBe(1);
    // Each edit starts only when the previous one has finished (0, 2500, 5000 ms) with the newest text then.
    expect(edit.calls.map((c) => c.state)).toEqual(['t1', 't25', 't50']);
    const done = editor.finish('final');
    await vi.advanceTimersByTimeAsync(10_000);
    await done;
    expect(edit.calls.map((c) => c.state)).toEqual(['t1', 't25', 't50', 'final']);
    expect(edit.calls[3]!.at).toBe(7500);
    expect(edit.maxInFlight).toBe(1);
  });

  it('always sends the final state, even right after another edit, and ignores later updates', async () => {
    const edit = fakeEdit(10);
    const editor = createThrottledEditor({ intervalMs: 1000, apply: edit.apply, clock });
    editor.update('a');
    editor.update('b');
    const done = editor.finish('end');
    await vi.advanceTimersByTimeAsync(50);
    await done;
    editor.update('late');
    await vi.advanceTimersByTimeAsync(5000);
    expect(edit.calls.map((c) => c.state)).toEqual(['a', 'end']);
    expect(editor.edits).toBe(2);
  });

  it('keeps streaming after a failed edit and reports it', async () => {
    const errors: unknown[] = [];
    let n = 0;
    const seen: string[] = [];
    const editor = createThrottledEditor<string>({
      intervalMs: 100,
      clock,
      onError: (e) => errors.push(e),
      apply: async (s) => {
        seen.push(s);
        if (n++ === 0) throw new Error('boom');
      },
    });
    editor.update('one');
    await vi.advanceTimersByTimeAsync(10);
    editor.update('two');
    await vi.advanceTimersByTimeAsync(200);
    await editor.finish('three');
    expect(errors).toHaveLength(1);
    expect(seen).toEqual(['one', 'two', 'three']);
  });

  it('rejects finish when the final edit fails', async () => {
    const editor = createThrottledEditor<string>({ intervalMs: 100, clock, apply: async () => { throw new Error('gone'); } });
    await expect(editor.finish('x')).rejects.toThrow('gone');
  });
});
