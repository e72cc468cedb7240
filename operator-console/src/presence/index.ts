import { t } from '../i18n';
import type { OperatorHub, OperatorStatus, SelectableStatus } from '../shared/contract';
import { el } from '../shared/dom';

export interface PresenceFeature {
  element: HTMLElement;
  /** Apply the status from GetState(). */
  applyStatus(status: OperatorStatus): void;
}

function isSelectable(value: string): value is SelectableStatus {
  return value === 'online' || value === 'away';
}

/** Presence select: calls SetStatus, reflects StatusChanged and GetState. */
export function createPresence(hub: OperatorHub): PresenceFeature {
  const select = el(
    'select',
    { testId: 'presence', attrs: { id: 'presence-select' } },
    el('option', { text: t('presence.online'), attrs: { value: 'online' } }),
    el('option', { text: t('presence.away'), attrs: { value: 'away' } }),
    // Only shown when the server reports "offline"; cannot be chosen.
    el('option', { text: t('presence.offline'), attrs: { value: 'offline', disabled: '', hidden: '' } }),
  );
  const error = el('span', { className: 'header-error', testId: 'presence-error', attrs: { role: 'alert' } });
  error.hidden = true;

  let confirmed: OperatorStatus = 'offline';
  const show = (status: OperatorStatus) => {
    confirmed = status;
    select.value = status;
    select.dataset.status = status;
  };
  show('offline');

  select.addEventListener('change', () => {
    const wanted = select.value;
    if (!isSelectable(wanted)) return;
    error.hidden = true;
    select.disabled = true;
    hub
      .invoke('SetStatus', wanted)
      .then(() => show(wanted))
      .catch(() => {
        show(confirmed);
        error.textContent = t('presence.error');
        error.hidden = false;
      })
      .finally(() => {
        select.disabled = false;
      });
  });

  hub.on('StatusChanged', (payload) => show(payload.status));

  const element = el(
    'div',
    { className: 'presence' },
    el('label', { attrs: { for: 'presence-select' }, text: t('presence.label') }),
    select,
    error,
  );
  return { element, applyStatus: show };
}
