import { t } from '../i18n';
import { isParticipant, transferTargetsFrom, validItems, type OperatorHub } from '../shared/contract';
import { createDialog } from '../shared/dialog';
import { el } from '../shared/dom';
import { hubErrorMessage } from '../shared/hub';
import type { ChatWorkspace } from '../shared/workspace';

/**
 * Invite a colleague into the open chat (operators from GetTransferTargets -> Invite), leave a chat one was
 * invited into (Leave; the chat stays in the list read-only, marked "Left"), and the participants in the header.
 * "ChatJoined" itself is handled by the chats feature (the chat is added, marked "Invited").
 */
export function createInvite(hub: OperatorHub, workspace: ChatWorkspace): void {
  let conversationId: string | null = null;
  let busy = false;
  let loadToken = 0;

  const inviteButton = el('button', { className: 'secondary', testId: 'invite', text: t('invite.open'), attrs: { type: 'button', 'aria-haspopup': 'dialog' } });
  const leaveButton = el('button', { className: 'secondary', testId: 'leave-chat', text: t('invite.leave'), attrs: { type: 'button' } });
  const leaveError = el('span', { className: 'header-error', testId: 'leave-error', attrs: { role: 'alert' } });
  leaveError.hidden = true;
  const participants = el('ul', { className: 'participants', testId: 'participants', attrs: { 'aria-label': t('invite.participants') } });
  participants.hidden = true;

  const operators = el('div', { className: 'target-list', attrs: { role: 'radiogroup', 'aria-label': t('invite.operators') } });
  const dialog = createDialog({
    testId: 'invite-dialog',
    title: t('invite.title'),
    confirmTestId: 'invite-confirm',
    confirmText: t('invite.confirm'),
    cancelText: t('transfer.cancel'),
    onConfirm: () => void confirm(),
  });
  dialog.body.append(operators);
  workspace.slots.headerInfo.append(participants);
  workspace.slots.headerActions.append(inviteButton, leaveButton, leaveError, dialog.element);

  const open = async () => {
    const id = workspace.activeId();
    if (!id) return;
    conversationId = id;
    dialog.showError(null);
    operators.replaceChildren(el('p', { className: 'muted', text: t('transfer.loading') }));
    dialog.open(inviteButton);
    const mine = ++loadToken;
    try {
      const data = transferTargetsFrom(await hub.invoke('GetTransferTargets', id));
      if (mine !== loadToken) return;
      if (data === null) throw new Error('GetTransferTargets: unexpected payload');
      const inChat = new Set((workspace.chat(id)?.detail?.participants ?? []).map((p) => p.id));
      const candidates = data.operators.filter((op) => !inChat.has(op.id));
      operators.replaceChildren(
        ...(candidates.length === 0
          ? [el('p', { className: 'muted', testId: 'invite-empty', text: t('invite.noOperators') })]
          : candidates.map((op) =>
              el(
                'label',
                { className: 'target' },
                el('input', {
                  testId: 'invite-operator',
                  attrs: { type: 'radio', name: 'invite-target', value: op.id, 'data-operator-id': op.id },
                }),
                el('span', { className: 'target-name', text: op.displayName }),
                el('span', { className: 'target-meta', text: t('transfer.operatorLoad', { active: op.activeChats, max: op.maxConcurrentChats }) }),
              ),
            )),
      );
    } catch (error) {
      if (mine !== loadToken) return;
      operators.replaceChildren();
      dialog.showError(hubErrorMessage(error) ?? t('transfer.loadFailed'));
    }
  };

  const confirm = async () => {
    if (busy || conversationId === null) return;
    const chosen = operators.querySelector<HTMLInputElement>('input[name="invite-target"]:checked');
    if (!chosen) {
      dialog.showError(t('invite.chooseOperator'));
      return;
    }
    const id = conversationId;
    busy = true;
    dialog.confirm.disabled = true;
    dialog.showError(null);
    try {
      await hub.invoke('Invite', id, chosen.value);
      dialog.close();
      void workspace.reloadDetail(id); // participants
    } catch (error) {
      dialog.showError(hubErrorMessage(error) ?? t('invite.failed'));
    } finally {
      busy = false;
      dialog.confirm.disabled = false;
    }
  };

  const leave = async () => {
    const id = workspace.activeId();
    if (!id || busy) return;
    busy = true;
    leaveButton.disabled = true;
    leaveError.hidden = true;
    try {
      await hub.invoke('Leave', id);
      workspace.markClosed(id, 'left');
    } catch (error) {
      leaveError.textContent = hubErrorMessage(error) ?? t('invite.leaveFailed');
      leaveError.hidden = false;
    } finally {
      busy = false;
      leaveButton.disabled = false;
    }
  };

  inviteButton.addEventListener('click', () => void open());
  leaveButton.addEventListener('click', () => void leave());

  let shownFor: string | null = null;
  workspace.onChange(() => {
    const id = workspace.activeId();
    const chat = id ? workspace.chat(id) : null;
    const open = !!chat && !chat.ended && chat.closed === null;
    inviteButton.hidden = !open || chat?.role !== 'owner';
    leaveButton.hidden = !open || chat?.role !== 'invited';
    if (id !== shownFor) {
      leaveError.hidden = true;
      shownFor = id;
    }
    if (dialog.isOpen() && id !== conversationId) dialog.close();

    const list = validItems(chat?.detail?.participants ?? [], isParticipant) ?? [];
    participants.hidden = list.length === 0;
    participants.replaceChildren(
      ...(list.length === 0 ? [] : [el('li', { className: 'participants-label', text: t('invite.participants') })]),
      ...list.map((p) =>
        el(
          'li',
          { className: `participant participant-${p.role}`, testId: 'participant', attrs: { 'data-role': p.role, 'data-operator-id': p.id } },
          el('span', { className: 'participant-name', text: p.displayName }),
          el('span', { className: 'participant-role', text: p.role === 'owner' ? t('invite.roleOwner') : t('invite.roleInvited') }),
        ),
      ),
    );
  });
}
