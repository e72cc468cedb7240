// Pure message merge/ordering logic (no DOM), implementing the contract's
// "Resume rule":
//  - server messages are keyed by `sequence`; a sequence already known is ignored;
//  - the highest sequence seen is kept (for GetMessagesAfter on reconnect);
//  - own messages are shown at once as pending and replaced by the server DTO
//    carrying the same clientMessageId;
//  - display order: confirmed messages by sequence, then pending ones in the
//    order they were written.

import type { AuthorKind, MessageDto, SharedFile } from './protocol';

export type DeliveryState = 'sent' | 'sending' | 'failed';

export interface DisplayMessage {
  /** Stable key for rendering: the same for a pending message and its confirmed DTO. */
  key: string;
  sequence: number | null;
  clientMessageId: string;
  authorKind: AuthorKind;
  authorName: string | null;
  text: string;
  sentAt: string | null;
  state: DeliveryState;
  error: string | null;
  /** The file the message shares (null for text). */
  file: SharedFile | null;
}

interface PendingMessage {
  clientMessageId: string;
  text: string;
  state: 'sending' | 'failed';
  error: string | null;
}

export class MessageStore {
  private readonly confirmed = new Map<number, MessageDto>();
  private readonly confirmedClientIds = new Set<string>();
  private readonly pending = new Map<string, PendingMessage>();
  private highest = 0;

  /** When set, DTOs of other conversations are ignored. */
  constructor(readonly conversationId: string | null = null) {}

  /** Highest sequence seen so far (0 when none): the argument for GetMessagesAfter. */
  get lastSequence(): number {
    return this.highest;
  }

  get size(): number {
    return this.confirmed.size + this.pending.size;
  }

  hasSequence(sequence: number): boolean {
    return this.confirmed.has(sequence);
  }

  /**
   * Merges server messages. Returns the DTOs that were actually new (in
   * sequence order); duplicates and foreign conversations are ignored.
   */
  merge(messages: readonly MessageDto[]): MessageDto[] {
    const added: MessageDto[] = [];
    const sorted = [...messages].sort((a, b) => a.sequence - b.sequence);
    for (const dto of sorted) {
      if (!Number.isInteger(dto.sequence) || dto.sequence < 1) continue;
      if (this.conversationId !== null && dto.conversationId !== this.conversationId) continue;
      if (dto.clientMessageId) this.pending.delete(dto.clientMessageId);
      if (this.confirmed.has(dto.sequence)) continue;
      this.confirmed.set(dto.sequence, dto);
      if (dto.clientMessageId) this.confirmedClientIds.add(dto.clientMessageId);
      if (dto.sequence > this.highest) this.highest = dto.sequence;
      added.push(dto);
    }
    return added;
  }

  /** Adds an own message shown at once as "sending". No-op if already confirmed. */
  addPending(clientMessageId: string, text: string): void {
    if (this.confirmedClientIds.has(clientMessageId)) return;
    this.pending.set(clientMessageId, { clientMessageId, text, state: 'sending', error: null });
  }

  /** Marks a pending message as being (re)sent. Returns false if it is not pending any more. */
  markSending(clientMessageId: string): boolean {
    const p = this.pending.get(clientMessageId);
    if (!p) return false;
    p.state = 'sending';
    p.error = null;
    return true;
  }

  markFailed(clientMessageId: string, error: string): void {
    const p = this.pending.get(clientMessageId);
    if (!p) return;
    p.state = 'failed';
    p.error = error;
  }

  removePending(clientMessageId: string): void {
    this.pending.delete(clientMessageId);
  }

  getPendingText(clientMessageId: string): string | null {
    return this.pending.get(clientMessageId)?.text ?? null;
  }

  isConfirmed(clientMessageId: string): boolean {
    return this.confirmedClientIds.has(clientMessageId);
  }

  /** Messages in display order. */
  list(): DisplayMessage[] {
    const out: DisplayMessage[] = [];
    const usedKeys = new Set<string>();
    const sequences = [...this.confirmed.keys()].sort((a, b) => a - b);
    for (const seq of sequences) {
      const dto = this.confirmed.get(seq);
      if (!dto) continue;
      let key = dto.clientMessageId ? `c:${dto.clientMessageId}` : `s:${seq}`;
      if (usedKeys.has(key)) key = `s:${seq}`;
      usedKeys.add(key);
      out.push({
        key,
        sequence: dto.sequence,
        clientMessageId: dto.clientMessageId,
        authorKind: dto.authorKind,
        authorName: dto.authorName,
        text: dto.text,
        sentAt: dto.sentAt || null,
        state: 'sent',
        error: null,
        file: dto.file,
      });
    }
    for (const p of this.pending.values()) {
      const key = `c:${p.clientMessageId}`;
      if (usedKeys.has(key)) continue;
      usedKeys.add(key);
      out.push({
        key,
        sequence: null,
        clientMessageId: p.clientMessageId,
        authorKind: 'visitor',
        authorName: null,
        text: p.text,
        sentAt: null,
        state: p.state,
        error: p.error,
        file: null,
      });
    }
    return out;
  }
}
