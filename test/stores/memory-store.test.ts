import { describe } from 'vitest';
import { createMemoryStoreFactory } from '../../src/stores/memory-store.js';
import type { VectorStoreFactory } from '../../src/core/ports/vector-store.js';
import { vectorStoreContract } from './vector-store-contract.js';

describe('memory vector store (contract)', () => {
  const factory: VectorStoreFactory = createMemoryStoreFactory();
  vectorStoreContract(() => factory);
});
