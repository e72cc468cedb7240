import { describe, expect, it } from 'vitest';
import { isSurveyAnswers, isSurveySubmittedEvent, type SurveyAnswers } from '../shared/contract';
import { currentSurvey, surveyRows } from './model';

const full: SurveyAnswers = { csat: 4, nps: 9, ces: 6, resolved: false, comment: 'ok', submittedAt: '2025-01-01T10:00:00Z' };

describe('survey guards', () => {
  it('accepts full and partial answers (null or absent)', () => {
    expect(isSurveyAnswers(full)).toBe(true);
    expect(isSurveyAnswers({ csat: null, nps: null, ces: null, resolved: null, comment: null, submittedAt: full.submittedAt })).toBe(true);
    expect(isSurveyAnswers({ nps: 0, submittedAt: full.submittedAt })).toBe(true);
  });

  it('rejects out-of-range or mistyped answers and a bad date', () => {
    expect(isSurveyAnswers({ ...full, csat: 6 })).toBe(false);
    expect(isSurveyAnswers({ ...full, csat: 0 })).toBe(false);
    expect(isSurveyAnswers({ ...full, nps: 11 })).toBe(false);
    expect(isSurveyAnswers({ ...full, ces: 3.5 })).toBe(false);
    expect(isSurveyAnswers({ ...full, ces: '3' })).toBe(false);
    expect(isSurveyAnswers({ ...full, resolved: 'yes' })).toBe(false);
    expect(isSurveyAnswers({ ...full, comment: 5 })).toBe(false);
    expect(isSurveyAnswers({ ...full, submittedAt: 'soon' })).toBe(false);
    expect(isSurveyAnswers(null)).toBe(false);
  });

  it('checks the SurveySubmitted payload', () => {
    expect(isSurveySubmittedEvent({ conversationId: 'c1', survey: full })).toBe(true);
    expect(isSurveySubmittedEvent({ conversationId: 'c1', survey: null })).toBe(false);
    expect(isSurveySubmittedEvent({ survey: full })).toBe(false);
  });
});

describe('survey model', () => {
  it('lists the answered questions in a fixed order with their scale', () => {
    expect(surveyRows(full)).toEqual([
      { kind: 'csat', value: 4, max: 5 },
      { kind: 'nps', value: 9, max: 10 },
      { kind: 'ces', value: 6, max: 7 },
      { kind: 'resolved', value: false },
      { kind: 'comment', value: 'ok' },
    ]);
    expect(surveyRows({ ...full, csat: null, nps: 0, ces: null, resolved: null, comment: '  ' })).toEqual([{ kind: 'nps', value: 0, max: 10 }]);
  });

  it('prefers the live survey, ignores invalid ones', () => {
    const other = { ...full, csat: 1 };
    expect(currentSurvey(other, full)).toBe(other);
    expect(currentSurvey(undefined, full)).toBe(full);
    expect(currentSurvey({ bogus: true }, { ...full, csat: 9 })).toBeNull();
  });
});
