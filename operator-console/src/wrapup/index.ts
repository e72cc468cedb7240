import { getLanguage, t, type MessageKey } from '../i18n';
import {
  WRAP_UP_DISPOSITIONS,
  isWrapUp,
  isWrapUpDisposition,
  type OperatorHub,
  type WrapUp,
  type WrapUpDisposition,
} from '../shared/contract';
import { el } from '../shared/dom';
import { hubErrorMessage } from '../shared/hub';
import { formatCountdown, timeElement } from '../shared/time';
import type { ChatWorkspace, WorkspaceChat } from '../shared/workspace';
import { wrapUpRequest } from './model';

export interface WrapUpOptions {
  /** Clock, for tests. */
  now?: () => number;
  /** How often the auto-complete countdown is updated. */
  tickMs?: number;
}

const dispositionKey: Record<WrapUpDisposition, MessageKey> = {
  resolved: 'wrapup.resolved',
  unresolved: 'wrapup.unresolved',
  follow_up: 'wrapup.followUp',
};

export function dispositionLabel(value: string): string {
  return isWrapUpDisposition(value) ? t(dispositionKey[value]) : value;
}

interface FormView {
  form: HTMLFormElement;
  disposition: HTMLSelectElement;
  notes: HTMLTextAreaElement;
  tags: HTMLInputElement;
  submit: HTMLButtonElement;
  error: HTMLElement;
  due: HTMLElement;
  busy: boolean;
}

/** The recorded wrap-up of a chat, if any (the newest of summary and detail). */
function recordedWrapUp(chat: WorkspaceChat): WrapUp | null {
  const fromDetail = chat.detail?.wrapUp;
  if (isWrapUp(fromDetail)) return fromDetail;
  const fromSummary = chat.summary.wrapUp;
  return isWrapUp(fromSummary) ? fromSummary : null;
}

function dueAt(chat: WorkspaceChat): string | null {
  return chat.detail?.wrapUpDueAt ?? chat.summary.wrapUpDueAt ?? null;
}

/**
 * Wrap-up after a chat ends: its owner sees the form (disposition, notes, tags) with a countdown to the
 * automatic completion (wrapUpDueAt), submits CompleteWrapUp, then sees the recorded wrap-up read-only.
 */
export function createWrapUp(hub: OperatorHub, workspace: ChatWorkspace, options: WrapUpOptions = {}): { dispose(): void } {
  const now = options.now ?? (() => Date.now());
  const completedHere = new Map<string, WrapUp>();
  const forms = new Map<string, FormView>();
  const reloadedAtDue = new Set<string>();
  const container = el('div', { className: 'wrapup' });
  workspace.slots.beforeComposer.append(container);
  let shown: { id: string; view: FormView } | null = null;

  const createForm = (id: string): FormView => {
    const disposition = el(
      'select',
      { attrs: { name: 'disposition', id: `wrapup-disposition-${id}`, required: '' } },
      ...WRAP_UP_DISPOSITIONS.map((value) => el('option', { text: t(dispositionKey[value]), attrs: { value } })),
    );
    const notes = el('textarea', { attrs: { name: 'notes', rows: '3', id: `wrapup-notes-${id}`, maxlength: '4000' } });
    const tags = el('input', { attrs: { name: 'tags', id: `wrapup-tags-${id}`, placeholder: t('wrapup.tagsPlaceholder'), autocomplete: 'off' } });
    const submit = el('button', { testId: 'wrapup-submit', text: t('wrapup.submit'), attrs: { type: 'submit' } });
    const error = el('p', { className: 'form-error', testId: 'wrapup-error', attrs: { role: 'alert' } });
    error.hidden = true;
    const due = el('p', { className: 'wrapup-due', testId: 'wrapup-due', attrs: { role: 'timer' } });
    const form = el(
      'form',
      { className: 'wrapup-form', testId: 'wrapup-form', attrs: { 'aria-labelledby': `wrapup-title-${id}`, 'data-conversation-id': id } },
      el('h3', { className: 'wrapup-title', text: t('wrapup.title'), attrs: { id: `wrapup-title-${id}` } }),
      due,
      el('label', { className: 'field', attrs: { for: disposition.id } }, el('span', { text: t('wrapup.disposition') })),
      disposition,
      el('label', { className: 'field', attrs: { for: notes.id } }, el('span', { text: t('wrapup.notes') })),
      notes,
      el('label', { className: 'field', attrs: { for: tags.id } }, el('span', { text: t('wrapup.tags') })),
      tags,
      error,
      el('div', { className: 'form-actions' }, submit),
    );
    const view: FormView = { form, disposition, notes, tags, submit, error, due, busy: false };
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void submitForm(id, view);
    });
    return view;
  };

  const submitForm = async (id: string, view: FormView) => {
    if (view.busy) return;
    const value = view.disposition.value;
    if (!isWrapUpDisposition(value)) {
      view.error.textContent = t('wrapup.chooseDisposition');
      view.error.hidden = false;
      return;
    }
    const request = wrapUpRequest(value, view.notes.value, view.tags.value);
    view.busy = true;
    view.submit.disabled = true;
    view.error.hidden = true;
    try {
      await hub.invoke('CompleteWrapUp', id, request);
      completedHere.set(id, {
        disposition: request.disposition,
        notes: request.notes ?? null,
        tags: request.tags ?? [],
        completedAt: new Date(now()).toISOString(),
        auto: false,
      });
      forms.delete(id);
      render();
      void workspace.reloadDetail(id); // the server's record (completedAt…)
    } catch (error) {
      view.error.textContent = hubErrorMessage(error) ?? t('wrapup.failed');
      view.error.hidden = false;
      void workspace.reloadDetail(id); // e.g. completed automatically meanwhile
    } finally {
      view.busy = false;
      view.submit.disabled = false;
    }
  };

  const renderDone = (wrap: WrapUp): HTMLElement => {
    const rows: [string, Node | string][] = [
      [t('wrapup.disposition'), dispositionLabel(wrap.disposition)],
      [t('wrapup.notes'), wrap.notes && wrap.notes.trim() !== '' ? wrap.notes : t('chat.notProvided')],
      [t('wrapup.tags'), wrap.tags && wrap.tags.length > 0 ? wrap.tags.join(', ') : t('chat.notProvided')],
      [t('wrapup.completedAt'), timeElement(wrap.completedAt, getLanguage())],
    ];
    return el(
      'section',
      { className: 'wrapup-done', testId: 'wrapup-done', attrs: { 'data-disposition': wrap.disposition } },
      el('h3', { className: 'wrapup-title', text: wrap.auto ? t('wrapup.doneAuto') : t('wrapup.done') }),
      el('dl', { className: 'wrapup-summary' }, ...rows.flatMap(([label, value]) => [el('dt', { text: label }), el('dd', {}, value)])),
    );
  };

  const updateCountdown = () => {
    if (!shown) return;
    const chat = workspace.chat(shown.id);
    const due = chat ? dueAt(chat) : null;
    const dueMs = due ? Date.parse(due) : Number.NaN;
    if (Number.isNaN(dueMs)) {
      shown.view.due.hidden = true;
      return;
    }
    const left = dueMs - now();
    shown.view.due.hidden = false;
    shown.view.due.dataset.secondsLeft = String(Math.max(0, Math.ceil(left / 1000)));
    shown.view.due.textContent = left > 0 ? t('wrapup.due', { time: formatCountdown(left) }) : t('wrapup.dueNow');
    shown.view.due.classList.toggle('urgent', left <= 60_000);
    if (left <= 0 && !reloadedAtDue.has(shown.id)) {
      reloadedAtDue.add(shown.id);
      void workspace.reloadDetail(shown.id); // the server completes it automatically
    }
  };

  function render() {
    const id = workspace.activeId();
    const chat = id ? workspace.chat(id) : null;
    shown = null;
    if (!id || !chat || !chat.ended || chat.closed !== null || chat.role !== 'owner') {
      container.replaceChildren();
      container.hidden = true;
      return;
    }
    const wrap = recordedWrapUp(chat) ?? completedHere.get(id) ?? null;
    container.hidden = false;
    if (wrap) {
      forms.delete(id);
      container.replaceChildren(renderDone(wrap));
      return;
    }
    let view = forms.get(id);
    if (!view) {
      view = createForm(id);
      forms.set(id, view);
    }
    shown = { id, view };
    if (container.firstChild !== view.form || container.childNodes.length !== 1) container.replaceChildren(view.form);
    updateCountdown();
  }

  workspace.onChange(render);
  workspace.addItemDecorator((chat, item) => {
    if (!chat.ended || chat.closed !== null || chat.role !== 'owner') return;
    if (completedHere.has(chat.conversationId) || recordedWrapUp(chat)) return;
    (item.querySelector('.chat-item-top') ?? item).append(
      el('span', { className: 'wrapup-badge', testId: 'wrapup-pending', text: t('wrapup.pending') }),
    );
  });
  const timer = setInterval(updateCountdown, options.tickMs ?? 1000);
  render();

  return {
    dispose() {
      clearInterval(timer);
    },
  };
}
