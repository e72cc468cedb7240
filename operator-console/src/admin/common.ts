import { t, type MessageKey } from '../i18n';
import { createDialog } from '../shared/dialog';
import { el } from '../shared/dom';
import type { Problem } from '../shared/http';
import type { UiLanguage } from './api';

/** Keys of sites and skills: 1..64 of [a-z0-9-], not starting with a dash (as the server checks them). */
export const KEY_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

export const LANGUAGE_LABEL: Record<UiLanguage, MessageKey> = { en: 'admin.language.en', fr: 'admin.language.fr' };

/** What the admin pages share: one confirmation dialog for destructive actions. */
export interface AdminContext {
  confirm: Confirm;
}

/** A page of the admin area: its element, and `show` each time it comes on screen (pages refresh then). */
export interface AdminPage {
  element: HTMLElement;
  show(route: string): void;
}

/** Problem -> one readable line (the server's title/detail, else what the status means). */
export function problemText(problem: Problem | null): string {
  if (problem === null) return t('admin.network');
  if (problem.status === 401) return t('admin.signedOut');
  if (problem.status === 403) return t('admin.forbidden');
  const parts: string[] = [];
  if (problem.title) parts.push(problem.title);
  if (problem.detail && problem.detail !== problem.title) parts.push(problem.detail);
  if (parts.length > 0) return parts.join(' — ');
  return t('admin.failed', { status: problem.status });
}

/** Sets an alert/status line; null hides it. */
export function showText(node: HTMLElement, text: string | null): void {
  node.textContent = text ?? '';
  node.hidden = text === null;
}

export const alertLine = (testId: string) => {
  const node = el('p', { className: 'form-error', testId, attrs: { role: 'alert' } });
  node.hidden = true;
  return node;
};

export const statusLine = (testId: string) => {
  const node = el('p', { className: 'save-status', testId, attrs: { role: 'status' } });
  node.hidden = true;
  return node;
};

export const button = (text: string, testId: string, secondary = true, type: 'button' | 'submit' = 'button') =>
  el('button', { className: secondary ? 'secondary' : '', testId, text, attrs: { type } });

/** While a request runs the button is disabled and says so; restored afterwards. */
export async function busy<T>(target: HTMLButtonElement, busyText: string, work: () => Promise<T>): Promise<T> {
  const idle = target.textContent ?? '';
  target.disabled = true;
  target.textContent = busyText;
  try {
    return await work();
  } finally {
    target.disabled = false;
    target.textContent = idle;
  }
}

export interface Confirm {
  element: HTMLElement;
  /** Asks before a destructive action; `action` runs on "OK" (its failure is shown in the dialog). */
  ask(options: { title: string; text: string; confirmText: MessageKey; opener: HTMLElement; action: () => Promise<string | null> }): void;
}

/**
 * One confirmation dialog for the whole area (shared/dialog.ts): `confirm-ok` / `confirm-cancel`.
 * The action returns null when done (the dialog closes) or an error to show in the dialog.
 */
export function createConfirm(): Confirm {
  let pending: (() => Promise<string | null>) | null = null;
  const text = el('p', { testId: 'confirm-text' });
  const dialog = createDialog({
    testId: 'confirm',
    title: '',
    confirmTestId: 'confirm-ok',
    confirmText: t('admin.confirm'),
    cancelText: t('admin.cancel'),
    onConfirm: () => {
      const action = pending;
      if (!action || dialog.confirm.disabled) return;
      dialog.showError(null);
      void busy(dialog.confirm, t('admin.working'), action).then((error) => {
        if (error === null) {
          pending = null;
          dialog.close();
        } else {
          dialog.showError(error);
        }
      });
    },
  });
  dialog.body.append(text);
  const title = dialog.element.querySelector('.dialog-title');
  return {
    element: dialog.element,
    ask(options) {
      pending = options.action;
      if (title) title.textContent = options.title;
      text.textContent = options.text;
      dialog.confirm.textContent = t(options.confirmText);
      dialog.showError(null);
      dialog.open(options.opener);
    },
  };
}

/** A small badge (disabled, invitation pending, retired…). */
export const badge = (text: string, testId: string, kind = '') => el('span', { className: `badge ${kind}`.trim(), testId, text });

/** An empty-state line that says what to do first, with an optional link to where it is done. */
export function emptyState(text: string, link?: { href: string; text: string }): HTMLElement {
  const node = el('p', { className: 'panel-empty admin-empty' }, text);
  if (link) node.append(' ', el('a', { text: link.text, attrs: { href: link.href } }));
  return node;
}
