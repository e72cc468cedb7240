// Co-browse recorder: records the host page with rrweb while the visitor co-browses, with
// passwords, payment fields and site-marked fields masked. Built as its own script
// (cobrowse.js), loaded by the loader only when a co-browse starts, so widget.js stays small.

import { record } from 'rrweb';

/** Batches are sent at most this often: a quiet page sends a change at once, a busy one in batches. */
export const BATCH_MS = 50;

/** Sites mark any other field or text to hide with data-chatdesk-mask or the chatdesk-mask class. */
export const MASK_SELECTOR = '[data-chatdesk-mask], .chatdesk-mask';

/** Password, payment (autocomplete cc-*) and site-marked fields never leave the page in clear. */
export function isSensitiveField(element: HTMLElement): boolean {
  if (element instanceof HTMLInputElement && element.type.toLowerCase() === 'password') return true;
  if (element.hasAttribute('data-rr-is-password')) return true;
  const autocomplete = (element.getAttribute('autocomplete') ?? '').toLowerCase();
  if (autocomplete.split(/\s+/).some((token) => token.startsWith('cc-'))) return true;
  return element.closest(MASK_SELECTOR) !== null;
}

export function maskValue(text: string, element: HTMLElement): string {
  return isSensitiveField(element) ? '*'.repeat(text.length) : text;
}

/**
 * Starts recording; `emit` receives batches as JSON text (an array of rrweb events).
 * Returns the function that stops recording (and sends what is left).
 */
export function startRecording(emit: (batch: string) => void, blockSelector: string): () => void {
  let buffer: unknown[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastFlush = 0;
  const flush = (): void => {
    timer = undefined;
    lastFlush = Date.now();
    if (buffer.length === 0) return;
    const batch = JSON.stringify(buffer);
    buffer = [];
    emit(batch);
  };
  const stop = record({
    emit(event) {
      buffer.push(event);
      // Leading edge: what happens in this task goes together, at once unless a batch just left.
      timer ??= setTimeout(flush, Math.max(0, lastFlush + BATCH_MS - Date.now()));
    },
    // Every input goes through maskValue, which hides only the sensitive ones.
    maskAllInputs: true,
    maskInputFn: maskValue,
    maskTextSelector: MASK_SELECTOR,
    blockSelector,
    sampling: { mousemove: 50, scroll: 100, input: 'last' },
  });
  return () => {
    stop?.();
    if (timer !== undefined) clearTimeout(timer);
    flush();
  };
}
