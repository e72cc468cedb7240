// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { createNotifications, type NotificationApi } from './index';

function setup(permission: NotificationPermission, granted: NotificationPermission = 'granted') {
  const shown: string[] = [];
  const api: NotificationApi = {
    permission,
    requestPermission: vi.fn(async () => {
      api.permission = granted;
      return granted;
    }),
    show: (alert) => shown.push(`${alert.title}|${alert.body}`),
  };
  let hidden = true;
  const beep = vi.fn();
  const feature = createNotifications({ api, beep, isHidden: () => hidden, storage: null });
  document.body.replaceChildren(feature.element);
  return { api, shown, beep, feature, setHidden: (value: boolean) => (hidden = value) };
}

describe('notifications (opt-in)', () => {
  it('does nothing until enabled; the toggle asks for permission', async () => {
    const { api, shown, beep, feature } = setup('default');
    feature.alert({ title: 'New chat', body: 'Ann' });
    expect(beep).not.toHaveBeenCalled();
    const toggle = document.querySelector<HTMLButtonElement>('[data-testid="notifications-toggle"]')!;
    expect(toggle.getAttribute('aria-pressed')).toBe('false');
    toggle.click();
    await Promise.resolve();
    expect(api.requestPermission).toHaveBeenCalledTimes(1);
    expect(toggle.getAttribute('aria-pressed')).toBe('true');
    feature.alert({ title: 'New chat', body: '<b>Ann</b>' });
    expect(beep).toHaveBeenCalledTimes(1);
    expect(shown).toEqual(['New chat|<b>Ann</b>']);
  });

  it('stays quiet while the tab is visible; sound only when permission is denied', () => {
    const { shown, beep, feature, setHidden } = setup('denied');
    document.querySelector<HTMLButtonElement>('[data-testid="notifications-toggle"]')!.click();
    setHidden(false);
    feature.alert({ title: 't', body: 'b' });
    expect(beep).not.toHaveBeenCalled();
    setHidden(true);
    feature.alert({ title: 't', body: 'b' });
    expect(beep).toHaveBeenCalledTimes(1);
    expect(shown).toEqual([]);
    expect(document.querySelector('[data-testid="notifications-status"]')?.textContent).toContain('blocked');
  });
});
