import { el } from './dom';

export interface DialogOptions {
  testId: string;
  title: string;
  confirmTestId: string;
  confirmText: string;
  cancelText: string;
  onConfirm(): void;
}

export interface Dialog {
  element: HTMLElement;
  /** Where the feature puts its content. */
  body: HTMLElement;
  confirm: HTMLButtonElement;
  showError(text: string | null): void;
  open(opener?: HTMLElement): void;
  close(): void;
  isOpen(): boolean;
}

let counter = 0;

/** A small modal dialog (overlay, role="dialog"): Escape or Cancel closes it, the focus returns to the opener. */
export function createDialog(options: DialogOptions): Dialog {
  counter += 1;
  const titleId = `dialog-title-${counter}`;
  const body = el('div', { className: 'dialog-body' });
  const error = el('p', { className: 'form-error dialog-error', testId: `${options.testId.replace(/-dialog$/, '')}-error`, attrs: { role: 'alert' } });
  error.hidden = true;
  const confirm = el('button', { testId: options.confirmTestId, text: options.confirmText, attrs: { type: 'button' } });
  const cancel = el('button', { className: 'secondary', testId: `${options.testId}-cancel`, text: options.cancelText, attrs: { type: 'button' } });
  const box = el(
    'div',
    { className: 'dialog', testId: options.testId, attrs: { role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': titleId } },
    el('h2', { className: 'dialog-title', text: options.title, attrs: { id: titleId } }),
    body,
    error,
    el('div', { className: 'dialog-actions' }, confirm, cancel),
  );
  const element = el('div', { className: 'dialog-backdrop' }, box);
  element.hidden = true;
  let opener: HTMLElement | undefined;

  const close = () => {
    if (element.hidden) return;
    element.hidden = true;
    opener?.focus();
  };
  confirm.addEventListener('click', () => options.onConfirm());
  cancel.addEventListener('click', close);
  element.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      close();
    }
  });
  element.addEventListener('click', (event) => {
    if (event.target === element) close(); // click on the backdrop
  });

  return {
    element,
    body,
    confirm,
    showError(text) {
      error.textContent = text ?? '';
      error.hidden = text === null;
    },
    open(from) {
      opener = from;
      element.hidden = false;
      confirm.focus();
    },
    close,
    isOpen: () => !element.hidden,
  };
}
