// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { setLanguage } from '../i18n';
import type { ChatDetail, SurveyAnswers } from '../shared/contract';
import { fakeHub } from '../shared/testing/fakeHub';
import { fakeWorkspace as sharedFakeWorkspace } from '../shared/testing/fakeWorkspace';
import type { WorkspaceChat } from '../shared/workspace';
import { createSurveys } from './index';

const SUBMITTED = '2025-01-01T10:00:00Z';
const survey = (overrides: Partial<SurveyAnswers> = {}): SurveyAnswers => ({
  csat: 4, nps: 9, ces: 6, resolved: true, comment: 'Great <b>help</b>\nthanks', submittedAt: SUBMITTED, ...overrides,
});

function chat(id: string, detailSurvey: SurveyAnswers | null | undefined): WorkspaceChat {
  const summary = { conversationId: id, visitorName: 'Ann', topic: 'billing', status: 'ended' as const, requestedAt: SUBMITTED, lastMessage: null };
  const detail: ChatDetail = { ...summary, visitorEmail: null, pageUrl: null, pageTitle: null, language: null, messages: [] };
  if (detailSurvey !== undefined) detail.survey = detailSurvey;
  return { conversationId: id, summary, detail, ended: true, closed: null, role: 'owner' };
}

/** The surveys feature only uses slots, activeId, chat and onChange; the wrap-up form sits before it. */
function fakeWorkspace(initial: WorkspaceChat[]) {
  const fake = sharedFakeWorkspace(initial);
  fake.workspace.slots.beforeComposer.append(Object.assign(document.createElement('div'), { className: 'wrapup' }));
  return fake;
}

const $ = (selector: string) => document.querySelector<HTMLElement>(selector);
const text = (testId: string) => $(`[data-testid="survey-answers"] [data-testid="${testId}"]`)?.textContent;
const visible = () => {
  const node = $('[data-testid="survey-answers"]');
  return node !== null && !node.hidden;
};

beforeEach(() => {
  setLanguage('en');
  document.body.replaceChildren();
});

function mount(chats: WorkspaceChat[]) {
  const fake = fakeHub({});
  const ws = fakeWorkspace(chats);
  const feature = createSurveys(fake.hub, ws.workspace);
  document.body.append(ws.workspace.slots.beforeComposer);
  return { fake, ws, feature };
}

describe('survey answers on the chat', () => {
  it('shows ChatDetail.survey as text: CSAT x/5, NPS x/10, effort x/7, solved, comment', () => {
    const { ws, feature } = mount([chat('c1', survey())]);
    expect(visible()).toBe(false);
    ws.open('c1');
    expect(visible()).toBe(true);
    // Placed above the wrap-up.
    expect(ws.workspace.slots.beforeComposer.firstElementChild).toBe(feature.element);
    expect($('[data-testid="survey-answers"]')?.dataset.conversationId).toBe('c1');
    expect(text('survey-csat')).toBe('4/5');
    expect(text('survey-nps')).toBe('9/10');
    expect(text('survey-ces')).toBe('6/7');
    expect(text('survey-resolved')).toBe('Yes');
    expect(text('survey-comment')).toBe('Great <b>help</b>\nthanks');
    expect($('[data-testid="survey-answers"] b')).toBeNull();
    expect($('[data-testid="survey-answers"] time')?.getAttribute('datetime')).toBe(SUBMITTED);
  });

  it('leaves out unanswered questions and shows nothing without a survey', () => {
    const { ws } = mount([
      chat('c1', survey({ csat: null, nps: 0, ces: null, resolved: false, comment: null })),
      chat('c2', null),
      chat('c3', undefined),
      chat('c4', survey({ csat: null, nps: null, ces: null, resolved: null, comment: null })),
    ]);
    ws.open('c1');
    expect(text('survey-nps')).toBe('0/10');
    expect(text('survey-resolved')).toBe('No');
    expect(text('survey-csat')).toBeUndefined();
    expect(text('survey-comment')).toBeUndefined();
    ws.open('c2');
    expect(visible()).toBe(false);
    ws.open('c3');
    expect(visible()).toBe(false);
    ws.open('c4');
    expect(text('survey-empty')).toBe('Not answered');
    ws.open(null);
    expect(visible()).toBe(false);
  });

  it('updates live on "SurveySubmitted", also for a chat opened later, and ignores bad payloads', () => {
    const { fake, ws } = mount([chat('c1', null), chat('c2', null)]);
    ws.open('c1');
    expect(visible()).toBe(false);

    fake.emit('SurveySubmitted', { conversationId: 'c1', survey: survey({ csat: 11 }) }); // invalid
    expect(visible()).toBe(false);

    fake.emit('SurveySubmitted', { conversationId: 'c1', survey: survey({ csat: 2, comment: null }) });
    expect(visible()).toBe(true);
    expect(text('survey-csat')).toBe('2/5');

    fake.emit('SurveySubmitted', { conversationId: 'c2', survey: survey({ csat: 5 }) });
    expect(text('survey-csat')).toBe('2/5'); // c2 is not open
    ws.open('c2');
    expect(text('survey-csat')).toBe('5/5');
    // A later GetChat without the survey yet does not hide the live one.
    ws.replace(chat('c2', null));
    expect(text('survey-csat')).toBe('5/5');
  });

  it('is translated', () => {
    setLanguage('fr');
    const { ws } = mount([chat('c1', survey({ resolved: false }))]);
    ws.open('c1');
    expect($('[data-testid="survey-answers"] h3')?.textContent).toBe('Enquête visiteur');
    expect(text('survey-resolved')).toBe('Non');
    setLanguage('en');
  });
});
