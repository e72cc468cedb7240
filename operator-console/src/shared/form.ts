import { el } from './dom';
import type { Problem } from './http';

/** An input, select or textarea that a field error can point at. */
export type FieldInput = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

let counter = 0;

/**
 * Errors shown next to the fields of a form, keyed by the API's field names (`email`, `topics[1].labelFr`),
 * as the server's problem+json `errors` map names them. Each error is linked to its input (aria-describedby,
 * aria-invalid) so a screen reader announces it with the field.
 */
export interface FieldErrors {
  /** The error line for a field (`data-testid="field-error-{field}"`), hidden until set; put it right after the input. */
  slot(field: string, input?: FieldInput): HTMLElement;
  /** Forget the slots whose field starts with this prefix (rows of a list that is drawn again). */
  drop(prefix: string): void;
  set(field: string, message: string | null): void;
  /**
   * Shows the problem's field errors; returns the messages that have no field on this form (for the form's
   * alert). A key with no slot of its own falls back to its parent (`topics[2].label` -> `topics[2]` -> `topics`).
   */
  show(problem: Problem): string[];
  /** Moves the focus to the first field showing an error; false when none does. */
  focusFirst(): boolean;
  clear(): void;
  hasErrors(): boolean;
}

export function createFieldErrors(): FieldErrors {
  const slots = new Map<string, { error: HTMLElement; input: FieldInput | undefined }>();
  const find = (field: string) => {
    let key = field;
    for (;;) {
      const exact = slots.get(key) ?? [...slots.entries()].find(([name]) => name.toLowerCase() === key.toLowerCase())?.[1];
      if (exact) return exact;
      const parent = key.replace(/(\[\d+\]|\.[^.[\]]+)$/, '');
      if (parent === key || parent === '') return undefined;
      key = parent;
    }
  };
  const set = (field: string, message: string | null) => {
    const slot = slots.get(field);
    if (!slot) return;
    slot.error.textContent = message ?? '';
    slot.error.hidden = message === null;
    if (message === null) slot.input?.removeAttribute('aria-invalid');
    else slot.input?.setAttribute('aria-invalid', 'true');
  };
  const errors: FieldErrors = {
    slot(field, input) {
      counter += 1;
      const id = `field-error-${counter}`;
      const error = el('p', { className: 'field-error', testId: `field-error-${field}`, attrs: { id } });
      error.hidden = true;
      if (input) input.setAttribute('aria-describedby', [input.getAttribute('aria-describedby'), id].filter(Boolean).join(' '));
      slots.set(field, { error, input });
      return error;
    },
    drop(prefix) {
      for (const field of [...slots.keys()]) if (field.startsWith(prefix)) slots.delete(field);
    },
    set,
    show(problem) {
      const unplaced: string[] = [];
      const shown = new Map<HTMLElement, string[]>();
      for (const [field, messages] of Object.entries(problem.fields)) {
        const slot = find(field);
        if (!slot) {
          unplaced.push(...messages);
          continue;
        }
        shown.set(slot.error, [...(shown.get(slot.error) ?? []), ...messages]);
        slot.input?.setAttribute('aria-invalid', 'true');
      }
      for (const [error, messages] of shown) {
        error.textContent = messages.join(' ');
        error.hidden = false;
      }
      return unplaced;
    },
    focusFirst() {
      // The first in the page, whatever the order the slots were made in.
      const inputs = [...slots.values()].flatMap((slot) => (!slot.error.hidden && slot.input ? [slot.input] : []));
      inputs.sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
      inputs[0]?.focus();
      return inputs.length > 0;
    },
    clear() {
      for (const field of slots.keys()) set(field, null);
    },
    hasErrors: () => [...slots.values()].some((slot) => !slot.error.hidden),
  };
  return errors;
}

/** A labelled field: label (for=), input, optional hint, then the error line (outside the label, so it is not read as the name). */
export function labelled(label: string, input: FieldInput, error?: HTMLElement, hint?: string): HTMLElement {
  if (!input.id) {
    counter += 1;
    input.id = `field-${counter}`;
  }
  const field = el('div', { className: 'field' }, el('label', { text: label, attrs: { for: input.id } }), input);
  if (hint) {
    counter += 1;
    const hintNode = el('span', { className: 'field-hint', text: hint, attrs: { id: `field-hint-${counter}` } });
    input.setAttribute('aria-describedby', [input.getAttribute('aria-describedby'), hintNode.id].filter(Boolean).join(' '));
    field.append(hintNode);
  }
  if (error) field.append(error);
  return field;
}

/** A status line (role=status) for "Saved" and similar; `text` null hides it. */
export function showStatus(node: HTMLElement, text: string | null, kind: 'ok' | 'error' = 'ok'): void {
  node.textContent = text ?? '';
  node.hidden = text === null;
  node.dataset.kind = kind;
}

/** Puts the text on the clipboard; where that is not allowed, selects it so the user can press Ctrl+C. */
export async function copyText(text: string, selectable: HTMLInputElement | HTMLTextAreaElement | HTMLElement): Promise<boolean> {
  try {
    if (!navigator.clipboard) throw new Error('no clipboard');
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (selectable instanceof HTMLInputElement || selectable instanceof HTMLTextAreaElement) {
      selectable.focus();
      selectable.select();
    } else {
      const range = document.createRange();
      range.selectNodeContents(selectable);
      const selection = window.getSelection();
      selection?.removeAllRanges();
      selection?.addRange(range);
    }
    return false;
  }
}
