// Throttle for the visitor's Typing(draft) hub calls (docs/contract.md, "Typing"):
// at most one call per interval while typing, with a trailing call so the last
// draft is always sent, and "" at once when the composer is cleared or sent.

export const TYPING_THROTTLE_MS = 300;

export class TypingThrottle {
  /** Last draft handed to `send` ("" = not typing, also the initial state). */
  private lastSent = '';
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private pending: string | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly send: (draft: string) => void,
    private readonly intervalMs = TYPING_THROTTLE_MS,
  ) {}

  /** The composer's content changed. An empty (or blank) draft means "stopped typing". */
  update(draft: string): void {
    if (draft.trim() === '') {
      this.clear();
      return;
    }
    if (this.timer !== null) {
      this.pending = draft; // the trailing call sends the latest state
      return;
    }
    if (draft === this.lastSent) return;
    const wait = this.lastSentAt + this.intervalMs - Date.now();
    if (wait <= 0) {
      this.emit(draft);
      return;
    }
    this.pending = draft;
    this.timer = setTimeout(() => this.flushPending(), wait);
  }

  /**
   * Stops typing: drops any trailing call and sends "" — only when a draft was
   * sent before, unless `force` (e.g. right after a message was sent).
   */
  clear(force = false): void {
    this.dropPending();
    if (force || this.lastSent !== '') this.emit('');
  }

  /** Forgets everything without sending (conversation ended or changed). */
  reset(): void {
    this.dropPending();
    this.lastSent = '';
    this.lastSentAt = Number.NEGATIVE_INFINITY;
  }

  private flushPending(): void {
    this.timer = null;
    const draft = this.pending;
    this.pending = null;
    if (draft !== null && draft !== this.lastSent) this.emit(draft);
  }

  private dropPending(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
  }

  private emit(draft: string): void {
    this.lastSent = draft;
    this.lastSentAt = Date.now();
    this.send(draft);
  }
}
