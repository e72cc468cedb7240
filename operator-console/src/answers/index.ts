export { createAnswerSuggestions } from './suggestions';
export { createAnswersAdmin } from './admin';
