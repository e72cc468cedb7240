// @vitest-environment happy-dom
/** The surveys feature plugged into the real chats feature, wired like main.ts does. */
import { afterEach, describe, expect, it } from 'vitest';
import { createChats, type ChatsFeature } from './chats';
import type { ChatDetail, ChatSummary } from './shared/contract';
import { fakeHub, flush } from './shared/testing/fakeHub';
import { createSurveys } from './surveys';

const AT = '2025-01-01T10:00:00Z';
const summary: ChatSummary = { conversationId: 'c1', visitorName: 'Ann', topic: 'billing', status: 'ended', requestedAt: AT, lastMessage: null };
const detail = (extra: Partial<ChatDetail> = {}): ChatDetail => ({
  ...summary, visitorEmail: null, pageUrl: null, pageTitle: null, language: 'en', messages: [], ...extra,
});

let chats: ChatsFeature | undefined;
afterEach(() => {
  chats?.dispose();
  chats = undefined;
  document.body.replaceChildren();
});

describe('survey answers in the chat workspace', () => {
  it('shows ChatDetail.survey in the open chat and updates on SurveySubmitted', async () => {
    let survey: ChatDetail['survey'] = null;
    const fake = fakeHub({ GetChat: async () => detail({ survey }), GetMessagesAfter: async () => [] });
    chats = createChats(fake.hub, { onActivity: () => undefined });
    createSurveys(fake.hub, chats.workspace);
    document.body.append(chats.sidebar, chats.pane);
    await chats.sync([summary], 'me');
    document.querySelector<HTMLElement>('[data-testid="chat-item"][data-conversation-id="c1"]')?.click();
    for (let i = 0; i < 5; i++) await flush();

    const answers = () => document.querySelector<HTMLElement>('[data-testid="survey-answers"]');
    expect(chats.pane.contains(answers())).toBe(true);
    expect(answers()?.hidden).toBe(true);

    fake.emit('SurveySubmitted', {
      conversationId: 'c1',
      survey: { csat: 3, nps: 7, ces: 5, resolved: true, comment: '<i>fine</i>', submittedAt: AT },
    });
    expect(answers()?.hidden).toBe(false);
    expect(answers()?.querySelector('[data-testid="survey-csat"]')?.textContent).toBe('3/5');
    expect(answers()?.querySelector('[data-testid="survey-comment"]')?.textContent).toBe('<i>fine</i>');

    // After a reload of the detail (e.g. reconnect) the server's record is shown.
    survey = { csat: 3, nps: 7, ces: 5, resolved: true, comment: '<i>fine</i>', submittedAt: AT };
    await chats.workspace.reloadDetail('c1');
    await flush();
    expect(answers()?.querySelector('[data-testid="survey-ces"]')?.textContent).toBe('5/7');
  });
});
