import { getLanguage, t, type MessageKey } from '../i18n';
import { isSurveySubmittedEvent, type OperatorHub, type SurveyAnswers } from '../shared/contract';
import { el } from '../shared/dom';
import { timeElement } from '../shared/time';
import type { ChatWorkspace } from '../shared/workspace';
import { currentSurvey, surveyRows, type SurveyRow, type SurveyRowKind } from './model';

export interface SurveysFeature {
  /** The answers of the open chat, if any (in the workspace's beforeComposer slot). */
  element: HTMLElement;
}

const labelKey: Record<SurveyRowKind, MessageKey> = {
  csat: 'survey.csat',
  nps: 'survey.nps',
  ces: 'survey.ces',
  resolved: 'survey.resolved',
  comment: 'survey.comment',
};

function rowValue(row: SurveyRow): string {
  switch (row.kind) {
    case 'resolved':
      return row.value ? t('survey.yes') : t('survey.no');
    case 'comment':
      return row.value;
    default:
      return t('survey.score', { value: row.value, max: row.max });
  }
}

/**
 * The visitor's end-of-session survey on the open chat (`[data-testid="survey-answers"]`): CSAT x/5, NPS x/10,
 * effort x/7, solved yes/no and the comment as text. From ChatDetail.survey, updated live by "SurveySubmitted"
 * (kept for chats that are not open, shown when they are).
 */
export function createSurveys(hub: OperatorHub, workspace: ChatWorkspace): SurveysFeature {
  const live = new Map<string, SurveyAnswers>();
  let renderedKey = '';

  const element = el('section', {
    className: 'survey-answers',
    testId: 'survey-answers',
    attrs: { 'aria-labelledby': 'survey-answers-title', 'aria-live': 'polite' },
  });
  element.hidden = true;
  // Above the wrap-up form: the visitor's verdict is useful when wrapping up.
  workspace.slots.beforeComposer.prepend(element);

  const renderSurvey = (conversationId: string, survey: SurveyAnswers) => {
    const rows = surveyRows(survey);
    element.dataset.conversationId = conversationId;
    element.replaceChildren(
      el('h3', { className: 'survey-answers-title', text: t('survey.heading'), attrs: { id: 'survey-answers-title' } }),
      rows.length === 0
        ? el('p', { className: 'muted', testId: 'survey-empty', text: t('survey.notAnswered') })
        : el(
            'dl',
            { className: 'survey-summary' },
            ...rows.flatMap((row) => [
              el('dt', { text: t(labelKey[row.kind]) }),
              el('dd', { testId: `survey-${row.kind}`, className: `survey-${row.kind}`, text: rowValue(row) }),
            ]),
          ),
      el('p', { className: 'survey-submitted muted' }, `${t('survey.submittedAt')} `, timeElement(survey.submittedAt, getLanguage())),
    );
  };

  const render = () => {
    const id = workspace.activeId();
    const chat = id ? workspace.chat(id) : null;
    const survey = id && chat ? currentSurvey(live.get(id), chat.detail?.survey) : null;
    if (!id || !survey) {
      renderedKey = '';
      element.hidden = true;
      element.replaceChildren();
      delete element.dataset.conversationId;
      return;
    }
    const key = `${id}|${getLanguage()}|${JSON.stringify(survey)}`;
    element.hidden = false;
    if (key === renderedKey) return;
    renderedKey = key;
    renderSurvey(id, survey);
  };

  hub.on('SurveySubmitted', (payload) => {
    if (!isSurveySubmittedEvent(payload)) return;
    live.set(payload.conversationId, payload.survey);
    if (payload.conversationId === workspace.activeId()) render();
  });
  workspace.onChange(render);
  render();

  return { element };
}
