import type { Turn } from '../../core/answer/types.js';

/**
 * Helpers for turning a platform thread into conversation history, shared by the chat adapters.
 */

/**
 * Joins consecutive turns of the same side: an answer split over several messages, or a user who wrote two
 * messages in a row, is one turn for the model.
 */
export function mergeTurns(turns: Turn[]): Turn[] {
  const out: Turn[] = [];
  for (const t of turns) {
    const last = out[out.length - 1];
    if (last && last.role === t.role) last.text = `${last.text}\n\n${t.text}`;
    else out.push({ ...t });
  }
  return out;
}
