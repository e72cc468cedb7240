import { t } from '../i18n';
import { MAX_MESSAGE_LENGTH, transferTargetsFrom, type OperatorHub, type TransferRequest, type TransferTargets } from '../shared/contract';
import { createDialog } from '../shared/dialog';
import { el } from '../shared/dom';
import { hubErrorMessage } from '../shared/hub';
import type { ChatWorkspace } from '../shared/workspace';

/**
 * "Transfer": a dialog fed by GetTransferTargets (online operators with a free slot, skills); the chosen
 * target and an optional note go to Transfer(). On success, and on "ChatTransferredAway", the chat stays
 * in the list read-only, marked "Transferred" (the chats feature handles the callback).
 */
export function createTransfer(hub: OperatorHub, workspace: ChatWorkspace): void {
  let conversationId: string | null = null;
  let busy = false;
  let loadToken = 0;

  const button = el('button', { className: 'secondary', testId: 'transfer', text: t('transfer.open'), attrs: { type: 'button', 'aria-haspopup': 'dialog' } });
  const targets = el('div', { className: 'target-list', attrs: { role: 'radiogroup', 'aria-label': t('transfer.targets') } });
  const note = el('textarea', { attrs: { name: 'note', rows: '3', maxlength: String(MAX_MESSAGE_LENGTH), id: 'transfer-note' } });
  const dialog = createDialog({
    testId: 'transfer-dialog',
    title: t('transfer.title'),
    confirmTestId: 'transfer-confirm',
    confirmText: t('transfer.confirm'),
    cancelText: t('transfer.cancel'),
    onConfirm: () => void confirm(),
  });
  dialog.body.append(
    targets,
    el('label', { className: 'field', attrs: { for: 'transfer-note' } }, el('span', { text: t('transfer.note') })),
    note,
    el('p', { className: 'hint-inline', text: t('transfer.noteHint') }),
  );
  workspace.slots.headerActions.append(button, dialog.element);

  const renderTargets = (data: TransferTargets) => {
    const groups: HTMLElement[] = [];
    if (data.operators.length > 0) {
      groups.push(
        el(
          'fieldset',
          { className: 'target-group' },
          el('legend', { text: t('transfer.operators') }),
          ...data.operators.map((op) =>
            el(
              'label',
              { className: 'target' },
              el('input', {
                testId: 'transfer-operator',
                attrs: { type: 'radio', name: 'transfer-target', value: op.id, 'data-kind': 'operator', 'data-operator-id': op.id },
              }),
              el('span', { className: 'target-name', text: op.displayName }),
              el('span', {
                className: 'target-meta',
                text: t('transfer.operatorLoad', { active: op.activeChats, max: op.maxConcurrentChats }),
              }),
            ),
          ),
        ),
      );
    }
    if (data.skills.length > 0) {
      groups.push(
        el(
          'fieldset',
          { className: 'target-group' },
          el('legend', { text: t('transfer.skills') }),
          ...data.skills.map((skill) =>
            el(
              'label',
              { className: 'target' },
              el('input', {
                testId: 'transfer-skill',
                attrs: { type: 'radio', name: 'transfer-target', value: skill.key, 'data-kind': 'skill', 'data-skill': skill.key },
              }),
              el('span', { className: 'target-name', text: skill.name }),
            ),
          ),
        ),
      );
    }
    if (groups.length === 0) groups.push(el('p', { className: 'muted', testId: 'transfer-empty', text: t('transfer.noTargets') }));
    targets.replaceChildren(...groups);
  };

  const open = async () => {
    const id = workspace.activeId();
    if (!id) return;
    conversationId = id;
    note.value = '';
    dialog.showError(null);
    targets.replaceChildren(el('p', { className: 'muted', text: t('transfer.loading') }));
    dialog.open(button);
    const mine = ++loadToken;
    try {
      const data = transferTargetsFrom(await hub.invoke('GetTransferTargets', id));
      if (mine !== loadToken) return;
      if (data === null) throw new Error('GetTransferTargets: unexpected payload');
      renderTargets(data);
    } catch (error) {
      if (mine !== loadToken) return;
      targets.replaceChildren();
      dialog.showError(hubErrorMessage(error) ?? t('transfer.loadFailed'));
    }
  };

  const confirm = async () => {
    if (busy || conversationId === null) return;
    const chosen = targets.querySelector<HTMLInputElement>('input[name="transfer-target"]:checked');
    if (!chosen) {
      dialog.showError(t('transfer.chooseTarget'));
      return;
    }
    const request: TransferRequest = chosen.dataset.kind === 'skill' ? { toSkill: chosen.value } : { toOperatorId: chosen.value };
    const text = note.value.trim();
    if (text !== '') request.note = text;
    const id = conversationId;
    busy = true;
    dialog.confirm.disabled = true;
    dialog.confirm.textContent = t('transfer.transferring');
    dialog.showError(null);
    try {
      await hub.invoke('Transfer', id, request);
      dialog.close();
      workspace.markClosed(id, 'transferred');
    } catch (error) {
      dialog.showError(hubErrorMessage(error) ?? t('transfer.failed'));
    } finally {
      busy = false;
      dialog.confirm.disabled = false;
      dialog.confirm.textContent = t('transfer.confirm');
    }
  };

  button.addEventListener('click', () => void open());

  workspace.onChange(() => {
    const id = workspace.activeId();
    const chat = id ? workspace.chat(id) : null;
    button.hidden = !chat || chat.role !== 'owner' || chat.ended || chat.closed !== null;
    if (dialog.isOpen() && id !== conversationId) dialog.close(); // another chat was opened (Alt+n)
  });
}
