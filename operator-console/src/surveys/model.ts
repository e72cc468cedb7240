import { SURVEY_SCALES, isSurveyAnswers, type SurveyAnswers } from '../shared/contract';

export type SurveyRowKind = 'csat' | 'nps' | 'ces' | 'resolved' | 'comment';

/** One answered question, ready to display (value is plain text for textContent). */
export type SurveyRow =
  | { kind: 'csat' | 'nps' | 'ces'; value: number; max: number }
  | { kind: 'resolved'; value: boolean }
  | { kind: 'comment'; value: string };

/** The survey to show: the live "SurveySubmitted" one wins over ChatDetail.survey (both validated). */
export function currentSurvey(live: unknown, fromDetail: unknown): SurveyAnswers | null {
  if (isSurveyAnswers(live)) return live;
  return isSurveyAnswers(fromDetail) ? fromDetail : null;
}

/** The answered questions in a fixed order (unanswered ones are left out). */
export function surveyRows(survey: SurveyAnswers): SurveyRow[] {
  const rows: SurveyRow[] = [];
  for (const kind of ['csat', 'nps', 'ces'] as const) {
    const value = survey[kind];
    if (typeof value === 'number') rows.push({ kind, value, max: SURVEY_SCALES[kind].max });
  }
  if (typeof survey.resolved === 'boolean') rows.push({ kind: 'resolved', value: survey.resolved });
  if (typeof survey.comment === 'string' && survey.comment.trim() !== '') rows.push({ kind: 'comment', value: survey.comment });
  return rows;
}
