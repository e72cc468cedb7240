import { getLanguage, t } from '../i18n';
import { isNoteDto, validItems, type NoteDto, type OperatorHub } from '../shared/contract';
import { el } from '../shared/dom';
import { timeElement } from '../shared/time';
import type { ChatWorkspace, TimelineItem } from '../shared/workspace';

/** Notes of a chat: those of the last GetChat and those added live, unique by id. */
export function mergeNotes(fromDetail: readonly NoteDto[], live: readonly NoteDto[]): NoteDto[] {
  const byId = new Map<string, NoteDto>();
  for (const note of [...fromDetail, ...live]) if (!byId.has(note.id)) byId.set(note.id, note);
  return [...byId.values()];
}

/**
 * Internal notes: the "Note" toggle switches the composer into note mode (yellow; the text goes to AddNote,
 * never to the visitor). Notes show in the timeline among the messages, by time: from ChatDetail.notes and
 * "NoteAdded".
 */
export function createNotes(hub: OperatorHub, workspace: ChatWorkspace): void {
  const live = new Map<string, NoteDto[]>();

  const addLive = (note: NoteDto) => {
    const list = live.get(note.conversationId) ?? [];
    if (list.some((n) => n.id === note.id)) return false;
    live.set(note.conversationId, [...list, note]);
    return true;
  };

  const toggle = el('button', {
    className: 'secondary note-toggle',
    testId: 'add-note',
    text: t('notes.toggle'),
    attrs: { type: 'button', 'aria-pressed': 'false', title: t('notes.toggleHint') },
  });
  toggle.addEventListener('click', () => {
    workspace.setComposerMode(workspace.composerMode() === 'note' ? 'message' : 'note');
    workspace.composer.focus();
  });
  workspace.slots.composerTools.append(toggle);

  workspace.onChange(() => {
    const note = workspace.composerMode() === 'note';
    toggle.setAttribute('aria-pressed', String(note));
    toggle.textContent = note ? t('notes.toggleOff') : t('notes.toggle');
    const id = workspace.activeId();
    const chat = id ? workspace.chat(id) : null;
    toggle.disabled = !chat || chat.ended || chat.closed !== null;
  });

  workspace.addSendHandler((conversationId, text) => {
    if (workspace.composerMode() !== 'note') return null;
    return hub.invoke('AddNote', conversationId, text).then((note) => {
      if (isNoteDto(note) && addLive(note)) workspace.render();
    });
  });

  hub.on('NoteAdded', (note) => {
    if (isNoteDto(note) && addLive(note)) workspace.render();
  });

  workspace.addTimelineSource((conversationId): TimelineItem[] => {
    const fromDetail = validItems(workspace.chat(conversationId)?.detail?.notes ?? [], isNoteDto) ?? [];
    return mergeNotes(fromDetail, live.get(conversationId) ?? []).map((note) => ({
      key: `note:${note.id}`,
      at: note.createdAt,
      node: el(
        'li',
        { className: 'note', testId: 'note', attrs: { 'data-note-id': note.id } },
        el(
          'div',
          { className: 'message-meta' },
          el('span', { className: 'note-label', text: t('notes.label') }),
          el('span', { className: 'message-author', text: note.authorName }),
          timeElement(note.createdAt, getLanguage()),
        ),
        el('div', { className: 'note-text', testId: 'note-text', text: note.text }),
      ),
    }));
  });
}
