/**
 * Blocks as the engine carries them (encoded values): each decoded once, as the engine asks a
 * block's id often; and the blocks of the current and next height by id, so that the WAL record
 * of an own proposal carries its whole block.
 */
import type { ConsensusEvent, Hex } from '../consensus/index.ts';
import { blockId as headerBlockId, decodeBlock, toHex } from '../ledger/index.ts';
import type { Block } from '../ledger/index.ts';

export interface DecodedValue {
  readonly block: Block;
  readonly id: Hex;
}

export class BlockValues {
  /** null: the value does not decode. */
  private readonly decoded = new WeakMap<Uint8Array, DecodedValue | null>();
  private readonly byId = new Map<Hex, { height: number; value: Uint8Array }>();

  decode(value: Uint8Array): DecodedValue | undefined {
    const known = this.decoded.get(value);
    if (known !== undefined) return known ?? undefined;
    try {
      const block = decodeBlock(value);
      const entry = { block, id: toHex(headerBlockId(block.header)) };
      this.decoded.set(value, entry);
      return entry;
    } catch {
      this.decoded.set(value, null);
      return undefined;
    }
  }

  /** A block this node made and encoded itself. */
  remember(value: Uint8Array, block: Block): void {
    this.decoded.set(value, { block, id: toHex(headerBlockId(block.header)) });
  }

  /** Keeps the block an input brings (an own value, a peer's proposal); a new height drops older ones. */
  noteInput(e: ConsensusEvent): void {
    if (e.type === 'value-ready') {
      const id = this.decode(e.value)?.id;
      if (id !== undefined) this.byId.set(id, { height: e.height, value: e.value });
    } else if (e.type === 'proposal' && this.decode(e.proposal.value)?.id === e.proposal.blockId) {
      this.byId.set(e.proposal.blockId, { height: e.proposal.height, value: e.proposal.value });
    } else if (e.type === 'start-height') {
      // Proposals of the new height may have come (and wait in the engine) before it started.
      for (const [id, v] of this.byId) if (v.height < e.height) this.byId.delete(id);
    }
  }

  valueOf(id: Hex): Uint8Array | undefined {
    return this.byId.get(id)?.value;
  }
}
