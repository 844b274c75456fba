// Its own file so blocks.ts and card-blocks.ts (which blocks.ts calls) share the type without importing each other.

/** A Block Kit block, loosely typed (the Web API's `Block` shape plus whatever fields its type has). */
export interface Block {
  type: string;
  block_id?: string;
  [field: string]: unknown;
}
