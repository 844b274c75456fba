import { describe, expect, it } from 'vitest';
import { commandList } from '../../../commands/index.js';
import type { CommandDefinition } from '../../../commands/types.js';
import { toApplicationCommand, toApplicationCommands } from '../../../src/adapters/discord/command-json.js';

const def = (over: Partial<CommandDefinition>): CommandDefinition => ({
  name: 'x', description: 'd', options: [], access: 'everyone', run: async () => ({ type: 'text', markdown: '', ephemeral: true }), ...over,
});

describe('toApplicationCommand', () => {
  it('maps option types and puts required options first', () => {
    const json = toApplicationCommand(def({
      options: [
        { name: 'count', description: 'n', type: 'integer', required: false },
        { name: 'q', description: 'question', type: 'string', required: true },
        { name: 'flag', description: 'f', type: 'boolean', required: false },
      ],
    }));
    expect(json.options).toEqual([
      { type: 3, name: 'q', description: 'question', required: true },
      { type: 4, name: 'count', description: 'n', required: false },
      { type: 5, name: 'flag', description: 'f', required: false },
    ]);
    expect(json.type).toBe(1);
    expect(json.contexts).toEqual([0]);
    expect(json.default_member_permissions).toBeNull();
  });

  it('hides admin commands with default_member_permissions "0"', () => {
    expect(toApplicationCommand(def({ access: 'admin' })).default_member_permissions).toBe('0');
  });

  it('clips long descriptions and rejects invalid names and duplicates', () => {
    expect(toApplicationCommand(def({ description: 'a'.repeat(150) })).description).toHaveLength(100);
    expect(() => toApplicationCommand(def({ name: 'Ask Me' }))).toThrow(/lower-case/);
    expect(() => toApplicationCommands([def({}), def({})])).toThrow(/twice/);
  });

  it('accepts every shipped command', () => {
    const json = toApplicationCommands(commandList);
    expect(json.map((c) => c.name)).toContain('ask');
    expect(json.find((c) => c.name === 'reindex')?.default_member_permissions).toBe('0');
  });
});
