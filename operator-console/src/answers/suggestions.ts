import { t } from '../i18n';
import { isAnswerSuggestion, validItems, type AnswerSuggestion, type OperatorHub } from '../shared/contract';
import { el } from '../shared/dom';
import type { ChatWorkspace } from '../shared/workspace';
import { findAnswerToken, insertAnswer, type AnswerToken } from './token';

export interface SuggestionsOptions {
  /** Debounce of SuggestAnswers while typing. */
  debounceMs?: number;
}

export interface SuggestionsFeature {
  isOpen(): boolean;
  close(): void;
}

const PREVIEW_LENGTH = 90;

/**
 * Answer library in the composer: '#' or '/' at the start of a word opens the suggestions
 * (SuggestAnswers, debounced, the latest request wins). ArrowUp/Down move, Tab/Enter insert the selected
 * suggestion's text in place of the token (then AnswerUsed), Escape closes. Enter never sends while open.
 */
export function createAnswerSuggestions(hub: OperatorHub, workspace: ChatWorkspace, options: SuggestionsOptions = {}): SuggestionsFeature {
  const debounceMs = options.debounceMs ?? 120;
  const composer = workspace.composer;
  let items: AnswerSuggestion[] = [];
  let selected = 0;
  let open = false;
  let token: AnswerToken | null = null;
  let conversationId: string | null = null;
  let requestId = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let suppress = false;

  const list = el('ul', {
    className: 'answer-suggestions',
    testId: 'answer-suggestions',
    attrs: { role: 'listbox', id: 'answer-suggestions', 'aria-label': t('answers.suggestionsLabel') },
  });
  list.hidden = true;
  workspace.slots.composerPopup.append(list);
  composer.setAttribute('aria-autocomplete', 'list');
  composer.setAttribute('aria-controls', 'answer-suggestions');

  const render = () => {
    list.hidden = !open;
    composer.setAttribute('aria-expanded', String(open));
    if (!open) {
      list.replaceChildren();
      composer.removeAttribute('aria-activedescendant');
      return;
    }
    list.replaceChildren(
      ...items.map((item, index) => {
        const preview = item.text.length > PREVIEW_LENGTH ? `${item.text.slice(0, PREVIEW_LENGTH)}…` : item.text;
        const option = el(
          'li',
          {
            className: 'answer-suggestion',
            testId: 'answer-suggestion',
            attrs: {
              role: 'option',
              id: `answer-suggestion-${index}`,
              'aria-selected': String(index === selected),
              'data-answer-id': item.id,
            },
          },
          el(
            'span',
            { className: 'answer-suggestion-top' },
            el('span', { className: 'answer-shortcut', testId: 'answer-shortcut', text: item.shortcut }),
            el('span', { className: 'answer-title', testId: 'answer-title', text: item.title }),
          ),
          el('span', { className: 'answer-preview', testId: 'answer-preview', text: preview }),
        );
        // Keep the focus in the composer when clicking an item.
        option.addEventListener('mousedown', (event) => event.preventDefault());
        option.addEventListener('click', () => {
          selected = index;
          accept();
        });
        return option;
      }),
    );
    composer.setAttribute('aria-activedescendant', `answer-suggestion-${selected}`);
    list.querySelector('[aria-selected="true"]')?.scrollIntoView?.({ block: 'nearest' });
  };

  const close = () => {
    clearTimeout(timer);
    requestId += 1; // answers still in flight are dropped
    open = false;
    items = [];
    token = null;
    render();
  };

  const request = (id: string, query: string) => {
    const mine = ++requestId;
    hub.invoke('SuggestAnswers', id, query).then(
      (result) => {
        if (mine !== requestId) return; // a newer request wins
        const valid = (validItems(result, isAnswerSuggestion) ?? []).slice(0, 8);
        items = valid;
        selected = 0;
        open = valid.length > 0 && token !== null;
        render();
      },
      () => {
        if (mine === requestId) close();
      },
    );
  };

  const update = () => {
    if (suppress) return;
    const id = workspace.activeId();
    const chat = id ? workspace.chat(id) : null;
    const found =
      chat && !chat.ended && chat.closed === null && workspace.composerMode() === 'message' && composer.selectionStart === composer.selectionEnd
        ? findAnswerToken(composer.value, composer.selectionEnd ?? composer.value.length)
        : null;
    if (!found || !id) {
      if (open || token) close();
      return;
    }
    const changed = token === null || token.query !== found.query || token.start !== found.start || conversationId !== id;
    token = found;
    conversationId = id;
    if (!changed) return;
    clearTimeout(timer);
    timer = setTimeout(() => request(id, found.query), debounceMs);
  };

  const accept = () => {
    const item = items[selected];
    if (!open || !item || !token) return;
    const { value, caret } = insertAnswer(composer.value, token, item.text);
    close();
    composer.value = value;
    composer.setSelectionRange(caret, caret);
    suppress = true;
    composer.dispatchEvent(new Event('input', { bubbles: true })); // the chat keeps the draft
    suppress = false;
    composer.focus();
    hub.invoke('AnswerUsed', item.id).catch(() => undefined); // usage counting only
  };

  workspace.addComposerKeyHandler((event) => {
    // Alt/Ctrl/Meta combinations (e.g. Alt+↑/↓ to switch chats) are not for the list.
    if (!open || event.isComposing || event.altKey || event.ctrlKey || event.metaKey) return false;
    switch (event.key) {
      case 'ArrowDown':
        selected = (selected + 1) % items.length;
        render();
        return true;
      case 'ArrowUp':
        selected = (selected - 1 + items.length) % items.length;
        render();
        return true;
      case 'Tab':
        if (event.shiftKey) return false;
        accept();
        return true;
      case 'Enter':
        // Enter inserts the answer, it never sends while the list is open (Shift+Enter included).
        accept();
        return true;
      case 'Escape':
        close();
        return true;
      default:
        return false;
    }
  });

  composer.addEventListener('input', update);
  composer.addEventListener('click', update);
  composer.addEventListener('keyup', (event) => {
    if (event.key === 'ArrowLeft' || event.key === 'ArrowRight' || event.key === 'Home' || event.key === 'End') update();
  });
  composer.addEventListener('blur', () => {
    if (open) close();
  });
  workspace.onChange(() => {
    // Another chat, a mode change or the chat ended: the list belongs to the text it was opened for.
    if ((open || token) && (workspace.activeId() !== conversationId || workspace.composerMode() !== 'message')) close();
  });

  return { isOpen: () => open, close };
}
