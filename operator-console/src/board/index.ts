import { getLanguage, t, type MessageKey } from '../i18n';
import type { BoardHub, BoardKpi, BoardSnapshot, BoardTodayKpi } from '../shared/contract';
import { el } from '../shared/dom';
import {
  NOW_TILES,
  TODAY_TILES,
  alertMessages,
  canSeeBoard,
  formatNowValue,
  formatTodayValue,
  knownStatus,
  skillsOf,
  snapshotTime,
  todayEntry,
  type NowTile,
} from './model';

export { canSeeBoard } from './model';

export const BOARD_HASH = '#board';
export const BOARD_SITE = 'demo';

export interface BoardOptions {
  hub: BoardHub;
  /** Connection indicator (owned by whoever manages the connection) shown in the board header. */
  indicator?: HTMLElement;
  /** Site passed to GetSnapshot. */
  site?: string;
  /** "Back to console" button; hidden when absent. */
  onExit?: () => void;
  /** Clock (tests). */
  now?: () => number;
  /** No snapshot for this long marks the figures as out of date (3 missed pushes by default). */
  staleAfterMs?: number;
}

export interface Board {
  element: HTMLElement;
  /** Asks the server for a snapshot: call on connect and on every reconnect. */
  refresh(): Promise<void>;
  dispose(): void;
}

const NOW_LABEL: Record<NowTile, MessageKey> = {
  queue: 'board.kpi.queue',
  longestWait: 'board.kpi.longestWait',
  operatorsOnline: 'board.kpi.operatorsOnline',
  operatorsAway: 'board.kpi.operatorsAway',
  operatorsBusy: 'board.kpi.operatorsBusy',
  activeChats: 'board.kpi.activeChats',
  utilization: 'board.kpi.utilization',
};

const TODAY_LABEL: Record<BoardKpi, MessageKey> = {
  'frt.mean': 'board.kpi.frt',
  'aht.mean': 'board.kpi.aht',
  abandonmentRate: 'board.kpi.abandonment',
  'csat.rate': 'board.kpi.csat',
  nps: 'board.kpi.nps',
};

const STATUS_CLASSES = ['status-green', 'status-amber', 'status-red'];

interface Tile {
  element: HTMLElement;
  value: HTMLElement;
  target?: HTMLElement;
  status?: HTMLElement;
}

function createTile(kpi: string, label: string, withTarget: boolean): Tile {
  const value = el('span', { className: 'board-tile-value', testId: 'board-value', text: '—' });
  const element = el(
    'div',
    { className: 'board-tile', testId: 'board-tile', attrs: { 'data-kpi': kpi, role: 'group', 'aria-label': label } },
    el('span', { className: 'board-tile-label', text: label }),
    value,
  );
  if (!withTarget) return { element, value };
  const target = el('span', { className: 'board-tile-target', testId: 'board-target' });
  const status = el('span', { className: 'board-tile-status', testId: 'board-status' });
  status.hidden = true;
  element.append(el('span', { className: 'board-tile-footer' }, target, status));
  return { element, value, target, status };
}

/** Document-level Fullscreen API, guarded (not every browser / test DOM has it). */
const fullscreenSupported = () => typeof document.fullscreenEnabled === 'boolean' && document.fullscreenEnabled;

/**
 * The full-screen live board for a wall screen (managers and admins): "now" and "today" tiles from the
 * board hub's snapshots, alerts, last update time and connection state. Dark high-contrast theme.
 */
export function createBoard(options: BoardOptions): Board {
  const { hub } = options;
  const site = options.site ?? BOARD_SITE;
  const now = options.now ?? (() => Date.now());
  const staleAfterMs = options.staleAfterMs ?? 15_000;

  let lastAt = Number.NEGATIVE_INFINITY;
  let receivedAt: number | null = null;
  let lastAlertsKey = '';
  let disposed = false;

  // ---- header
  const lastUpdated = el('p', { className: 'board-updated', testId: 'board-updated', text: t('board.waiting') });
  const fullscreenButton = el('button', { className: 'board-button', testId: 'board-fullscreen', text: t('board.fullscreen'), attrs: { type: 'button' } });
  fullscreenButton.hidden = !fullscreenSupported();
  const exitButton = el('button', { className: 'board-button', testId: 'board-exit', text: t('board.exit'), attrs: { type: 'button' } });
  exitButton.hidden = !options.onExit;
  const header = el(
    'header',
    { className: 'board-header' },
    el('h1', { className: 'board-title', text: t('board.heading') }),
    lastUpdated,
    el('span', { className: 'spacer' }),
    ...(options.indicator ? [options.indicator] : []),
    fullscreenButton,
    exitButton,
  );

  // ---- alerts and errors
  const alertList = el('ul', { className: 'board-alert-list' });
  const alertBanner = el(
    'div',
    { className: 'board-alert', testId: 'board-alert', attrs: { role: 'alert' } },
    el('span', { className: 'board-alert-title', text: t('board.alerts') }),
    alertList,
  );
  alertBanner.hidden = true;
  const errorLine = el('p', { className: 'board-error', testId: 'board-error', text: t('board.loadFailed'), attrs: { role: 'status' } });
  errorLine.hidden = true;

  // ---- tiles
  const nowTiles = new Map<NowTile, Tile>(NOW_TILES.map((kpi) => [kpi, createTile(kpi, t(NOW_LABEL[kpi]), false)]));
  const createTodayTiles = () => new Map<BoardKpi, Tile>(TODAY_TILES.map((kpi) => [kpi, createTile(kpi, t(TODAY_LABEL[kpi]), true)]));
  const todayTiles = createTodayTiles();
  const section = (heading: MessageKey, tiles: Iterable<Tile>) =>
    el(
      'section',
      { className: 'board-section' },
      el('h2', { className: 'board-section-title', text: t(heading) }),
      el('div', { className: 'board-tiles' }, ...[...tiles].map((tile) => tile.element)),
    );

  const skillRows = el('div', { className: 'board-skills' });
  const skillSection = el(
    'section',
    { className: 'board-section', testId: 'board-skills' },
    el('h2', { className: 'board-section-title', text: t('board.bySkill') }),
    skillRows,
  );
  skillSection.hidden = true;

  const element = el(
    'main',
    { className: 'board', testId: 'board', attrs: { 'aria-label': t('board.heading') } },
    header,
    alertBanner,
    errorLine,
    section('board.now', nowTiles.values()),
    section('board.today', todayTiles.values()),
    skillSection,
  );

  // ---- rendering
  const renderTimestamp = (snapshot: BoardSnapshot) => {
    const at = new Date(snapshotTime(snapshot));
    const text = Number.isNaN(at.getTime())
      ? t('board.updatedUnknown')
      : t('board.updated', { time: new Intl.DateTimeFormat(getLanguage(), { timeStyle: 'medium' }).format(at) });
    lastUpdated.replaceChildren(el('time', { text, attrs: Number.isNaN(at.getTime()) ? {} : { datetime: at.toISOString() } }));
    lastUpdated.dataset.stale = 'false';
  };

  const renderAlerts = (snapshot: BoardSnapshot) => {
    const alerts = alertMessages(snapshot);
    const key = JSON.stringify(alerts);
    if (key === lastAlertsKey) return; // unchanged: do not re-announce every 5 s
    lastAlertsKey = key;
    alertList.replaceChildren(
      ...alerts.map((alert) => el('li', { className: 'board-alert-item', testId: 'board-alert-item', text: alert.message, attrs: { 'data-kind': alert.kind } })),
    );
    alertBanner.hidden = alerts.length === 0;
  };

  const renderFigures = (tiles: Map<BoardKpi, Tile>, figures: BoardTodayKpi[] | undefined, language: string) => {
    for (const [kpi, tile] of tiles) {
      const entry = todayEntry(figures, kpi);
      tile.value.textContent = formatTodayValue(kpi, entry?.value ?? null, language);
      const target = entry?.target ?? null;
      if (tile.target) {
        tile.target.textContent =
          typeof target === 'number' && Number.isFinite(target)
            ? t(entry?.direction === 'higher' ? 'board.targetHigher' : entry?.direction === 'lower' ? 'board.targetLower' : 'board.target', {
                value: formatTodayValue(kpi, target, language),
              })
            : t('board.noTarget');
      }
      const status = knownStatus(entry?.status);
      tile.element.classList.remove(...STATUS_CLASSES);
      if (status) {
        tile.element.classList.add(`status-${status}`);
        tile.element.dataset.status = status;
      } else {
        delete tile.element.dataset.status;
      }
      if (tile.status) {
        tile.status.hidden = status === null;
        tile.status.textContent = status ? t(`board.status.${status}`) : '';
        tile.status.className = status ? `board-tile-status status-${status}` : 'board-tile-status';
      }
    }
  };

  /** One row per skill with targets of its own: its queue and today's figures against its targets. */
  const renderSkills = (snapshot: BoardSnapshot, language: string) => {
    const skills = skillsOf(snapshot);
    skillSection.hidden = skills.length === 0;
    skillRows.replaceChildren(
      ...skills.map((skill) => {
        const tiles = createTodayTiles();
        renderFigures(tiles, skill.today, language);
        return el(
          'div',
          { className: 'board-skill', testId: 'board-skill', attrs: { 'data-skill': skill.skill } },
          el('h3', { className: 'board-skill-name', text: t('board.skillQueue', { name: skill.name, queue: formatNowValue('queue', { ...snapshot, queue: skill.queue }, language) }) }),
          el('div', { className: 'board-tiles' }, ...[...tiles.values()].map((tile) => tile.element)),
        );
      }),
    );
  };

  const render = (snapshot: BoardSnapshot) => {
    const language = getLanguage();
    for (const [kpi, tile] of nowTiles) tile.value.textContent = formatNowValue(kpi, snapshot, language);
    renderFigures(todayTiles, snapshot.today, language);
    renderSkills(snapshot, language);
    renderAlerts(snapshot);
    renderTimestamp(snapshot);
  };

  /** Applies a snapshot unless an equally new or newer one is already shown (pushes and GetSnapshot may cross). */
  const apply = (snapshot: BoardSnapshot | null | undefined) => {
    if (disposed || typeof snapshot !== 'object' || snapshot === null) return;
    const at = snapshotTime(snapshot);
    if (!Number.isNaN(at) && at < lastAt) return;
    if (!Number.isNaN(at)) lastAt = at;
    receivedAt = now();
    errorLine.hidden = true;
    render(snapshot);
  };

  hub.on('Snapshot', apply);

  // ---- staleness: the figures stay, but say they may be out of date
  const checkStale = () => {
    if (receivedAt === null) return;
    const stale = now() - receivedAt > staleAfterMs;
    if ((lastUpdated.dataset.stale === 'true') === stale) return;
    lastUpdated.dataset.stale = String(stale);
    if (stale) lastUpdated.append(el('span', { className: 'board-stale', testId: 'board-stale', text: ` ${t('board.stale')}` }));
    else lastUpdated.querySelector('.board-stale')?.remove();
  };
  const staleTimer = setInterval(checkStale, 1000);

  // ---- full screen
  const syncFullscreen = () => {
    fullscreenButton.textContent = document.fullscreenElement ? t('board.exitFullscreen') : t('board.fullscreen');
  };
  fullscreenButton.addEventListener('click', () => {
    const request = document.fullscreenElement ? document.exitFullscreen() : element.requestFullscreen();
    void Promise.resolve(request).catch(() => undefined);
  });
  document.addEventListener('fullscreenchange', syncFullscreen);
  exitButton.addEventListener('click', () => options.onExit?.());

  return {
    element,
    async refresh() {
      try {
        apply(await hub.invoke('GetSnapshot', site));
      } catch {
        if (!disposed) errorLine.hidden = false;
      }
    },
    dispose() {
      disposed = true;
      clearInterval(staleTimer);
      document.removeEventListener('fullscreenchange', syncFullscreen);
      if (document.fullscreenElement === element) void Promise.resolve(document.exitFullscreen()).catch(() => undefined);
    },
  };
}

/** Header link that opens the board in its own tab (managers and admins only; null for others). */
export function createBoardLink(roles: readonly string[]): HTMLAnchorElement | null {
  if (!canSeeBoard(roles)) return null;
  return el('a', {
    className: 'button-link secondary',
    testId: 'board-open',
    text: t('board.open'),
    attrs: { href: BOARD_HASH, target: '_blank', rel: 'noopener' },
  });
}
