// The chat UI running inside the iframe (served from the ChatDesk origin).

import {
  HubConnectionBuilder,
  HubConnectionState,
  LogLevel,
  type HubConnection,
  type RetryContext,
} from '@microsoft/signalr';
import { format, getMessages, siteLanguage, type Language, type Messages } from '../i18n';
import { MessageStore, type DisplayMessage } from '../messageStore';
import {
  ENDED_REASON_OUTSIDE_HOURS,
  SURVEY_COMMENT_MAX,
  offersOfflineMessage,
  parseLoaderToFrame,
  toChatAssigned,
  toChatEnded,
  toConversationView,
  toMessageDto,
  toMessageList,
  toOperatorTyping,
  toQueueUpdated,
  toTranscript,
  type ConversationStatus,
  type ConversationView,
  type EndedBy,
  type FrameToLoader,
  type MessageDto,
  type OfflineMessageRequest,
  type PageChangedRequest,
  type QueueUpdatedEvent,
  type SharedFile,
  type SiteInfo,
  type StartChatRequest,
  type SubmitSurveyRequest,
  type SurveyInfo,
  type SurveyQuestion,
} from '../protocol';
import { acceptAttribute, checkFile, fileErrorMessage, formatSize, type FileErrorCode } from '../files';
import { formatQueueEstimate, formatQueuePosition } from '../queue';
import { TypingThrottle } from '../typing';
import { newUuid } from '../uuid';
import { el, saveBlob, saveTextFile, svgIcon, template } from './dom';
import { downloadFile, uploadFile } from './fileTransfer';
import { openSession, type SessionResult } from './session';
import { RemoteController } from './remote';

const NAME_MAX = 100;
const TEXT_MAX = 4000;
const EMAIL_MAX = 254;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+$/;
/** How long start-up waits for the loader's chatdesk:token before going on without it. */
export const HOST_TOKEN_WAIT_MS = 1500;
/** How long "Alice is typing…" stays after the last "OperatorTyping". */
export const OPERATOR_TYPING_MS = 4000;

/** 'closed': the site is closed and the visitor has no conversation to show. */
type View = 'loading' | 'prechat' | 'chat' | 'closed' | 'fatal';

interface Conversation {
  id: string;
  status: ConversationStatus;
  operatorName: string | null;
  endedBy: EndedBy | null;
  endedReason: string | null;
  /** From ConversationView (the session's site flag counts too). */
  typingPreview: boolean;
  /** An operator took the chat at some point (only answered chats get the survey). */
  answered: boolean;
  /** End-of-session survey from ConversationView. */
  survey: SurveyInfo;
}

/** Survey questions answered with radio buttons. */
type SurveyChoiceQuestion = Exclude<SurveyQuestion, 'comment'>;

type OfflineField = 'name' | 'email' | 'text';

interface RenderedMessage {
  li: HTMLLIElement;
  signature: string;
}

export interface AppOptions {
  siteKey: string;
  /** Validated origin of the host page, or null when the query string is invalid. */
  hostOrigin: string | null;
  lang: Language;
  t: Messages;
}

/** Extracts the server's HubException text, or returns the fallback. */
export function hubErrorMessage(err: unknown, fallback: string): string {
  const message = err instanceof Error ? err.message : typeof err === 'string' ? err : '';
  const marker = 'HubException: ';
  const i = message.indexOf(marker);
  if (i >= 0) {
    const text = message.slice(i + marker.length).trim();
    if (text) return text;
  }
  return fallback;
}

/** Reconnect forever with a capped back-off, giving up after 30 minutes. */
const retryPolicy = {
  nextRetryDelayInMilliseconds(ctx: RetryContext): number | null {
    if (ctx.elapsedMilliseconds > 30 * 60_000) return null;
    const delays = [0, 2000, 5000, 10000, 20000];
    return delays[ctx.previousRetryCount] ?? 30000;
  },
};

export class ChatApp {
  private readonly t: Messages;
  private readonly lang: Language;
  private readonly siteKey: string;
  private readonly hostOrigin: string | null;
  private readonly timeFormat: Intl.DateTimeFormat;
  private readonly dateTimeFormat: Intl.DateTimeFormat;

  private token: string | null = null;
  private site: SiteInfo | null = null;
  private connection: HubConnection | null = null;
  private conversation: Conversation | null = null;
  private store = new MessageStore();
  private view: View = 'loading';
  private wantsNewChat = false;
  private latestPage: { url: string; title: string } | null = null;
  private panelVisible: boolean;
  private unread = 0;
  private lastConversationOpen: boolean | null = null;
  private readonly rendered = new Map<string, RenderedMessage>();
  private starting = false;
  /** Visitor token kept by the loader in the host page's storage, kept current in memory (see session.ts). */
  private hostToken: string | null = null;
  private hostTokenWait: (() => void) | null = null;
  /** Latest "QueueUpdated" (kept even before StartChat returns: the callback may arrive first). */
  private lastQueue: QueueUpdatedEvent | null = null;
  /** Conversation the offline form was last prepared for (its fields are reset for a new one). */
  private offlineFormFor: string | null = null;
  /** Conversation whose offline message was sent, and the address we will reply to. */
  private offlineSent: { conversationId: string; email: string } | null = null;
  private sendingOffline = false;
  /** Throttled Typing(draft) calls while a conversation is open. */
  private readonly typing = new TypingThrottle((draft) => this.sendTyping(draft));
  private operatorTypingTimer: number | null = null;
  /** Last page reported for a conversation (StartChat's pageUrl/pageTitle or PageChanged), for dedupe. */
  private pageSent: (PageChangedRequest & { conversationId: string }) | null = null;
  private downloadingTranscript = false;
  /** Conversation the survey form was last prepared for (its answers are reset for a new one). */
  private surveyFormFor: string | null = null;
  /** Conversation whose survey was sent from this page (shows the thank-you). */
  private surveySent: string | null = null;
  /** Conversation whose survey state is known to be current (read from the server after it ended). */
  private surveyCheckedFor: string | null = null;
  private sendingSurvey = false;
  /** Aborted by destroy(): removes the window/document listeners. */
  private readonly listeners = new AbortController();
  /** Screen share and co-browse: consent, the sharing bar, WebRTC and the co-browse relay. */
  private readonly remote: RemoteController;
  /** Takes over when the site does not offer this app's language (see restartIn). */
  private successor: ChatApp | null = null;
  /** The language already follows the site's (set on a successor, so it never restarts again). */
  private languageSettled = false;

  // ---- elements ----
  private readonly container: HTMLElement;
  private readonly root: HTMLElement;
  private readonly titleEl: HTMLHeadingElement;
  private readonly connStatus: HTMLDivElement;
  private readonly connText: HTMLSpanElement;
  private readonly reconnectBtn: HTMLButtonElement;
  private readonly errorBox: HTMLDivElement;
  private readonly errorText: HTMLSpanElement;
  private readonly errorRetry: HTMLButtonElement;
  private errorRetryAction: (() => void) | null = null;
  private readonly mainEl: HTMLElement;
  private readonly loadingView: HTMLDivElement;
  private readonly prechatForm: HTMLFormElement;
  private readonly nameInput: HTMLInputElement;
  private readonly emailInput: HTMLInputElement;
  private readonly topicSelect: HTMLSelectElement;
  private readonly topicField: HTMLDivElement;
  private readonly prechatSubmit: HTMLButtonElement;
  private readonly closedNotice: HTMLDivElement;
  private readonly fieldErrors: Record<'name' | 'email' | 'topic', HTMLParagraphElement>;
  private readonly chatView: HTMLDivElement;
  private readonly statusEl: HTMLDivElement;
  private readonly endChatBtn: HTMLButtonElement;
  private readonly transcriptBtn: HTMLButtonElement;
  private readonly emailTranscriptBtn: HTMLButtonElement;
  private readonly emailTranscriptForm: HTMLFormElement;
  private readonly emailTranscriptInput: HTMLInputElement;
  private readonly emailTranscriptStatus: HTMLParagraphElement;
  private readonly operatorTypingEl: HTMLParagraphElement;
  private readonly typingPreviewNotice: HTMLParagraphElement;
  private readonly queueInfo: HTMLDivElement;
  private readonly queuePositionEl: HTMLParagraphElement;
  private readonly queueEstimateEl: HTMLParagraphElement;
  private readonly offlineSection: HTMLDivElement;
  private readonly offlineForm: HTMLFormElement;
  private readonly offlineName: HTMLInputElement;
  private readonly offlineEmail: HTMLInputElement;
  private readonly offlineText: HTMLTextAreaElement;
  private readonly offlineSubmit: HTMLButtonElement;
  private readonly offlineErrors: Record<OfflineField, HTMLParagraphElement>;
  private readonly offlineSentEl: HTMLParagraphElement;
  private readonly surveySection: HTMLDivElement;
  private readonly surveyForm: HTMLFormElement;
  private readonly surveyHead: HTMLDivElement;
  private readonly surveyGroups: Record<SurveyChoiceQuestion, HTMLFieldSetElement>;
  private readonly surveyRadios: Record<SurveyChoiceQuestion, HTMLInputElement[]>;
  private readonly surveyCommentField: HTMLDivElement;
  private readonly surveyComment: HTMLTextAreaElement;
  private readonly surveyCommentError: HTMLParagraphElement;
  private readonly surveySubmit: HTMLButtonElement;
  private readonly surveyThanksEl: HTMLParagraphElement;
  private readonly messageList: HTMLOListElement;
  private readonly endedBox: HTMLDivElement;
  private readonly endedText: HTMLParagraphElement;
  private readonly newChatBtn: HTMLButtonElement;
  private readonly composerForm: HTMLFormElement;
  private readonly composer: HTMLTextAreaElement;
  private readonly sendBtn: HTMLButtonElement;
  private readonly attachBtn: HTMLButtonElement;
  private readonly fileInput: HTMLInputElement;
  private readonly uploadList: HTMLUListElement;
  private readonly dropHint: HTMLDivElement;

  constructor(container: HTMLElement, options: AppOptions) {
    this.t = options.t;
    this.lang = options.lang;
    this.siteKey = options.siteKey;
    this.hostOrigin = options.hostOrigin;
    this.container = container;
    document.documentElement.lang = this.lang;
    document.title = options.t.widgetTitle;
    this.timeFormat = new Intl.DateTimeFormat(this.lang, { hour: 'numeric', minute: '2-digit' });
    this.dateTimeFormat = new Intl.DateTimeFormat(this.lang, { dateStyle: 'short', timeStyle: 'short' });
    // Opened directly (not in the loader's iframe): the panel is always visible.
    this.panelVisible = window.parent === window;
    const t = this.t;

    // Header
    this.titleEl = el('h1', { class: 'title', id: 'chatdesk-title' }, t.widgetTitle);
    const closeBtn = el('button', { type: 'button', class: 'icon-btn', 'data-testid': 'close', 'aria-label': t.close, title: t.close });
    closeBtn.append(svgIcon(['M18 6 6 18', 'M6 6l12 12']));
    closeBtn.addEventListener('click', () => this.postToLoader({ type: 'chatdesk:close' }));
    const header = el('header', { class: 'header' }, this.titleEl, closeBtn);

    // Connection status + errors
    this.connText = el('span', {}, t.reconnecting);
    this.reconnectBtn = el('button', { type: 'button', class: 'link-btn', hidden: true }, t.reconnect);
    this.reconnectBtn.addEventListener('click', () => void this.manualReconnect());
    this.connStatus = el('div', { class: 'conn-status', 'data-testid': 'connection-status', role: 'status', hidden: true }, this.connText, this.reconnectBtn);

    this.errorText = el('span', { class: 'error-text' });
    this.errorRetry = el('button', { type: 'button', class: 'link-btn', hidden: true }, t.retry);
    this.errorRetry.addEventListener('click', () => {
      const action = this.errorRetryAction;
      this.clearError();
      action?.();
    });
    this.errorBox = el('div', { class: 'error', 'data-testid': 'error', role: 'alert', hidden: true }, this.errorText, this.errorRetry);

    // Loading
    this.loadingView = el('div', { class: 'loading', role: 'status' }, t.loading);

    // Pre-chat form
    this.nameInput = el('input', {
      id: 'cd-name', name: 'name', type: 'text', required: true, maxlength: String(NAME_MAX), autocomplete: 'name',
      'aria-describedby': 'cd-name-error',
    });
    this.emailInput = el('input', {
      id: 'cd-email', name: 'email', type: 'email', autocomplete: 'email', maxlength: '254',
      'aria-describedby': 'cd-email-error',
    });
    this.topicSelect = el('select', { id: 'cd-topic', name: 'topic', required: true, 'aria-describedby': 'cd-topic-error' });
    this.fieldErrors = {
      name: el('p', { class: 'field-error', id: 'cd-name-error', 'data-testid': 'field-error-name', hidden: true }),
      email: el('p', { class: 'field-error', id: 'cd-email-error', 'data-testid': 'field-error-email', hidden: true }),
      topic: el('p', { class: 'field-error', id: 'cd-topic-error', 'data-testid': 'field-error-topic', hidden: true }),
    };
    this.topicField = el('div', { class: 'field' },
      el('label', { for: 'cd-topic' }, t.topicLabel), this.topicSelect, this.fieldErrors.topic);
    this.prechatSubmit = el('button', { type: 'submit', class: 'primary', 'data-testid': 'prechat-submit' }, t.startChat);
    this.prechatForm = el('form', { class: 'prechat', 'data-testid': 'prechat-form', novalidate: true, hidden: true },
      el('p', { class: 'intro' }, t.prechatIntro),
      el('div', { class: 'field' }, el('label', { for: 'cd-name' }, t.nameLabel), this.nameInput, this.fieldErrors.name),
      el('div', { class: 'field' }, el('label', { for: 'cd-email' }, t.emailLabel), this.emailInput, this.fieldErrors.email),
      this.topicField,
      this.prechatSubmit,
    );
    this.prechatForm.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.submitPrechat();
    });
    for (const [field, input] of [['name', this.nameInput], ['email', this.emailInput], ['topic', this.topicSelect]] as const) {
      input.addEventListener('input', () => this.setFieldError(field, null));
    }

    // Closed site (disabled by an admin): shown in place of the pre-chat form, or below a read-only transcript.
    this.closedNotice = el('div', { class: 'chat-closed', 'data-testid': 'chat-closed', role: 'status' },
      el('h2', { class: 'chat-closed-title' }, t.chatClosedTitle),
      el('p', {}, t.chatClosedText));

    // Chat view
    this.statusEl = el('div', { class: 'chat-status', 'data-testid': 'chat-status' });
    this.endChatBtn = el('button', { type: 'button', class: 'link-btn end-chat', 'data-testid': 'end-chat' }, t.endChat);
    this.endChatBtn.addEventListener('click', () => void this.endChat());
    this.transcriptBtn = el('button', { type: 'button', class: 'link-btn transcript', 'data-testid': 'download-transcript' },
      t.downloadTranscript);
    this.transcriptBtn.addEventListener('click', () => void this.downloadTranscript());
    // "Email me the transcript": shown when the site can send e-mail; the server queues it (rate limited).
    this.emailTranscriptBtn = el('button', { type: 'button', class: 'link-btn transcript', 'data-testid': 'email-transcript', hidden: true },
      t.emailTranscript);
    this.emailTranscriptInput = el('input', {
      id: 'cd-transcript-email', name: 'transcriptEmail', type: 'email', required: true, maxlength: String(EMAIL_MAX), autocomplete: 'email',
      'data-testid': 'email-transcript-input',
    });
    this.emailTranscriptStatus = el('p', { class: 'transcript-status', 'data-testid': 'email-transcript-status', role: 'status', hidden: true });
    this.emailTranscriptForm = el('form', { class: 'transcript-form', 'data-testid': 'email-transcript-form', novalidate: '', hidden: true },
      el('label', { for: 'cd-transcript-email' }, t.emailTranscriptLabel),
      this.emailTranscriptInput,
      el('button', { type: 'submit', 'data-testid': 'email-transcript-send' }, t.emailTranscriptSend));
    this.emailTranscriptBtn.addEventListener('click', () => {
      this.emailTranscriptForm.hidden = !this.emailTranscriptForm.hidden;
      if (!this.emailTranscriptForm.hidden) {
        if (!this.emailTranscriptInput.value) this.emailTranscriptInput.value = this.emailInput.value.trim().slice(0, EMAIL_MAX);
        this.emailTranscriptInput.focus();
      }
    });
    this.emailTranscriptForm.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.emailTranscript();
    });
    this.operatorTypingEl = el('p', { class: 'operator-typing', 'data-testid': 'operator-typing', role: 'status', hidden: true });
    this.typingPreviewNotice = el('p', { class: 'typing-preview-notice', 'data-testid': 'typing-preview-notice', hidden: true },
      t.typingPreviewNotice);
    this.messageList = el('ol', {
      class: 'messages', 'data-testid': 'message-list', role: 'log', 'aria-live': 'polite',
      'aria-relevant': 'additions', 'aria-label': t.messageListLabel, tabindex: '0',
    });
    this.queuePositionEl = el('p', { class: 'queue-position', 'data-testid': 'queue-position', hidden: true });
    this.queueEstimateEl = el('p', { class: 'queue-estimate', 'data-testid': 'queue-estimate', hidden: true });
    this.queueInfo = el('div', { class: 'queue-info', 'data-testid': 'queue-info', role: 'status', hidden: true },
      this.queuePositionEl, this.queueEstimateEl);

    // Offline message form (conversation ended with endedReason "no_operator" or "outside_hours")
    this.offlineName = el('input', {
      id: 'cd-offline-name', name: 'name', type: 'text', required: true, maxlength: String(NAME_MAX), autocomplete: 'name',
      'aria-describedby': 'cd-offline-name-error',
    });
    this.offlineEmail = el('input', {
      id: 'cd-offline-email', name: 'email', type: 'email', required: true, maxlength: String(EMAIL_MAX), autocomplete: 'email',
      'aria-describedby': 'cd-offline-email-error',
    });
    this.offlineText = el('textarea', {
      id: 'cd-offline-text', name: 'text', required: true, rows: '4', maxlength: String(TEXT_MAX),
      'aria-describedby': 'cd-offline-text-error',
    });
    this.offlineErrors = {
      name: el('p', { class: 'field-error', id: 'cd-offline-name-error', 'data-testid': 'offline-error-name', hidden: true }),
      email: el('p', { class: 'field-error', id: 'cd-offline-email-error', 'data-testid': 'offline-error-email', hidden: true }),
      text: el('p', { class: 'field-error', id: 'cd-offline-text-error', 'data-testid': 'offline-error-text', hidden: true }),
    };
    this.offlineSubmit = el('button', { type: 'submit', class: 'primary', 'data-testid': 'offline-submit' }, t.offlineSubmit);
    this.offlineForm = el('form', { class: 'offline-form', 'data-testid': 'offline-form', novalidate: true },
      el('div', { class: 'field' },
        el('label', { for: 'cd-offline-name' }, t.offlineNameLabel), this.offlineName, this.offlineErrors.name),
      el('div', { class: 'field' },
        el('label', { for: 'cd-offline-email' }, t.offlineEmailLabel), this.offlineEmail, this.offlineErrors.email),
      el('div', { class: 'field' },
        el('label', { for: 'cd-offline-text' }, t.offlineTextLabel), this.offlineText, this.offlineErrors.text),
      this.offlineSubmit,
    );
    this.offlineForm.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.submitOffline();
    });
    for (const [field, input] of [['name', this.offlineName], ['email', this.offlineEmail], ['text', this.offlineText]] as const) {
      input.addEventListener('input', () => this.setOfflineError(field, null));
    }
    this.offlineSentEl = el('p', { class: 'offline-sent', 'data-testid': 'offline-sent', role: 'status' });
    // Holds either the form or the thank-you (only the one shown is in the DOM).
    this.offlineSection = el('div', { class: 'offline', hidden: true });

    // End-of-session survey (answered chats that ended, when the site asks for it)
    const numbers = (from: number, to: number): Array<[string, string]> =>
      Array.from({ length: to - from + 1 }, (_, i) => [String(from + i), String(from + i)]);
    const choices: Record<SurveyChoiceQuestion, { legend: string; hint: string | null; options: Array<[string, string]> }> = {
      csat: { legend: t.surveyCsat, hint: t.surveyCsatHint, options: numbers(1, 5) },
      nps: { legend: t.surveyNps, hint: t.surveyNpsHint, options: numbers(0, 10) },
      ces: { legend: t.surveyCes, hint: t.surveyCesHint, options: numbers(1, 7) },
      resolved: { legend: t.surveyResolved, hint: null, options: [['yes', t.surveyYes], ['no', t.surveyNo]] },
    };
    const groups = {} as Record<SurveyChoiceQuestion, HTMLFieldSetElement>;
    const radios = {} as Record<SurveyChoiceQuestion, HTMLInputElement[]>;
    for (const key of ['csat', 'nps', 'ces', 'resolved'] as const) {
      const { legend, hint, options } = choices[key];
      const hintId = `cd-survey-${key}-hint`;
      const inputs = options.map(([value]) =>
        el('input', { type: 'radio', name: key, value, id: `cd-survey-${key}-${value}`, class: 'survey-radio' }));
      const labels = options.map(([value, label], i) =>
        el('label', { class: 'survey-option', for: `cd-survey-${key}-${value}` }, inputs[i], el('span', {}, label)));
      groups[key] = el('fieldset', {
        class: `survey-question survey-question--${key}`, 'data-testid': `survey-${key}`,
        'aria-describedby': hint ? hintId : undefined,
      },
        el('legend', {}, legend),
        el('div', { class: 'survey-scale' }, ...labels),
        hint ? el('p', { class: 'survey-hint', id: hintId }, hint) : null,
      );
      radios[key] = inputs;
    }
    this.surveyGroups = groups;
    this.surveyRadios = radios;
    this.surveyComment = el('textarea', {
      id: 'cd-survey-comment', name: 'comment', rows: '3', maxlength: String(SURVEY_COMMENT_MAX),
      'aria-describedby': 'cd-survey-comment-error',
    });
    this.surveyCommentError = el('p', {
      class: 'field-error', id: 'cd-survey-comment-error', 'data-testid': 'survey-error-comment', hidden: true,
    });
    this.surveyComment.addEventListener('input', () => this.setSurveyCommentError(null));
    this.surveyCommentField = el('div', { class: 'field survey-comment', 'data-testid': 'survey-comment' },
      el('label', { for: 'cd-survey-comment' }, t.surveyComment), this.surveyComment, this.surveyCommentError);
    this.surveyHead = el('div', { class: 'survey-head' },
      el('h2', { class: 'survey-title', id: 'cd-survey-title' }, t.surveyTitle),
      el('p', { class: 'survey-intro' }, t.surveyIntro));
    this.surveySubmit = el('button', { type: 'submit', class: 'primary', 'data-testid': 'survey-submit' }, t.surveySubmit);
    this.surveyForm = el('form', {
      class: 'survey-form', 'data-testid': 'survey-form', novalidate: true, 'aria-labelledby': 'cd-survey-title',
    });
    this.surveyForm.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.submitSurvey();
    });
    this.surveyThanksEl = el('p', { class: 'survey-thanks', 'data-testid': 'survey-thanks', role: 'status', tabindex: '-1' },
      t.surveyThanks);
    // Holds either the form or the thank-you (only the one shown is in the DOM).
    this.surveySection = el('div', { class: 'survey', hidden: true });

    this.endedText = el('p', { role: 'status' });
    this.newChatBtn = el('button', { type: 'button', class: 'primary', 'data-testid': 'new-chat' }, t.newChat);
    this.newChatBtn.addEventListener('click', () => this.startNewChat());
    this.endedBox = el('div', { class: 'chat-ended', 'data-testid': 'chat-ended', hidden: true },
      this.endedText, this.offlineSection, this.surveySection, this.newChatBtn);
    this.composer = el('textarea', {
      class: 'composer', 'data-testid': 'composer', name: 'message', rows: '2', maxlength: String(TEXT_MAX),
      'aria-label': t.composerLabel, placeholder: t.composerPlaceholder,
    });
    this.sendBtn = el('button', { type: 'submit', class: 'primary send', 'data-testid': 'send' }, t.send);
    this.fileInput = el('input', { type: 'file', multiple: true, hidden: true, 'data-testid': 'file-input', tabindex: '-1' });
    this.fileInput.addEventListener('change', () => {
      const files = [...(this.fileInput.files ?? [])];
      this.fileInput.value = '';
      this.sendFiles(files);
    });
    this.attachBtn = el('button', {
      type: 'button', class: 'icon-btn attach', 'data-testid': 'attach-file', title: t.attachFile, 'aria-label': t.attachFile,
    }, svgIcon(['M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5']));
    this.attachBtn.addEventListener('click', () => this.fileInput.click());
    this.uploadList = el('ul', { class: 'uploads', 'data-testid': 'uploads', 'aria-live': 'polite' });
    this.dropHint = el('div', { class: 'drop-hint', hidden: true, 'aria-hidden': 'true' }, t.dropFiles);
    this.composerForm = el('form', { class: 'composer-form' }, this.attachBtn, this.fileInput, this.composer, this.sendBtn);
    this.composerForm.addEventListener('submit', (e) => {
      e.preventDefault();
      this.sendFromComposer();
    });
    this.composer.addEventListener('input', () => this.onComposerInput());
    this.composer.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.sendFromComposer();
      }
    });
    this.remote = new RemoteController(t, {
      connection: () => this.connection,
      postToLoader: (message) => this.postToLoader(message),
      showError: (text) => this.showError(text),
    });
    this.chatView = el('div', { class: 'chat', hidden: true },
      el('div', { class: 'chat-bar' }, this.statusEl, this.transcriptBtn, this.emailTranscriptBtn, this.endChatBtn),
      this.emailTranscriptForm,
      this.emailTranscriptStatus,
      this.remote.element,
      this.queueInfo,
      this.messageList,
      this.operatorTypingEl,
      this.endedBox,
      this.typingPreviewNotice,
      this.uploadList,
      this.composerForm,
      this.dropHint,
    );
    this.listenForDroppedFiles(this.chatView);

    // Only the current view is attached, so field names (name, email) are unique in the document.
    this.mainEl = el('main', { class: 'body' }, this.loadingView);
    this.root = el('div', { class: 'app', role: 'region', 'aria-labelledby': 'chatdesk-title' },
      header, this.connStatus, this.errorBox, this.mainEl);
    container.replaceChildren(this.root);

    // Host page messages and visibility
    const signal = this.listeners.signal;
    window.addEventListener('message', (e) => this.onWindowMessage(e), { signal });
    document.addEventListener('visibilitychange', () => this.maybeClearUnread(), { signal });
    for (const type of ['pointerdown', 'keydown', 'focusin'] as const) {
      window.addEventListener(type, () => this.onUserActivity(), { passive: true, signal });
    }
    window.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') this.postToLoader({ type: 'chatdesk:close' });
    }, { signal });
  }

  /** Detaches the app: window/document listeners, timers and the hub connection (used by tests). */
  destroy(): void {
    this.listeners.abort();
    this.typing.reset();
    this.hideOperatorTyping();
    const connection = this.connection;
    this.connection = null;
    void connection?.stop().catch(() => undefined);
    this.successor?.destroy();
  }

  // ---------------------------------------------------------------------------
  // Startup

  start(): void {
    if (!this.siteKey || !this.hostOrigin) {
      this.fatal(this.t.errorMissingParams);
      return;
    }
    // Third-party storage is blocked in many browsers, so the token is kept by
    // the loader in the host page's storage: wait for it (the loader answers
    // chatdesk:ready with chatdesk:token) before opening the session.
    const hostToken = this.waitForHostToken();
    this.postToLoader({ type: 'chatdesk:ready' });
    void hostToken.then(() => this.boot());
  }

  /** Resolves when the loader's chatdesk:token arrives, after HOST_TOKEN_WAIT_MS, or at once without a loader. */
  private waitForHostToken(): Promise<void> {
    if (window.parent === window) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        window.clearTimeout(timer);
        this.hostTokenWait = null;
        resolve();
      };
      const timer = window.setTimeout(done, HOST_TOKEN_WAIT_MS);
      this.hostTokenWait = done;
    });
  }

  private async boot(): Promise<void> {
    if (!this.hostOrigin) return;
    this.clearError();
    this.setView('loading');
    const result = await this.openSiteSession(this.hostOrigin);
    if (!result.ok) {
      if (result.reason === 'forbidden') this.fatal(this.t.errorOriginNotAllowed);
      else if (result.reason === 'notFound') this.fatal(this.t.errorUnknownSite);
      else this.fatal(this.t.errorSession, () => void this.boot());
      return;
    }
    const language = siteLanguage(this.lang, result.session.site.languages);
    if (language !== this.lang && !this.languageSettled) {
      this.restartIn(language);
      return;
    }
    this.token = result.session.visitorToken;
    this.site = result.session.site;
    if (this.site.name) {
      this.titleEl.textContent = this.site.name;
      document.title = this.site.name;
    }
    this.fillTopics(this.site);
    await this.connect();
  }

  private openSiteSession(hostOrigin: string): Promise<SessionResult> {
    return openSession(this.siteKey, hostOrigin, this.lang, {
      hostToken: this.hostToken,
      onTokenChange: (token) => {
        this.hostToken = token;
        this.postToLoader({ type: 'chatdesk:token-save', token });
      },
    });
  }

  /**
   * The site does not offer this app's language. Every text is set when the UI is built, so a new app in
   * `language` takes over; it opens the session again, which also brings the topic labels in that language.
   */
  private restartIn(language: Language): void {
    this.destroy();
    const successor = new ChatApp(this.container, {
      siteKey: this.siteKey, hostOrigin: this.hostOrigin, lang: language, t: getMessages(language),
    });
    successor.languageSettled = true;
    successor.hostToken = this.hostToken;
    successor.latestPage = this.latestPage;
    successor.panelVisible = this.panelVisible;
    this.successor = successor;
    void successor.boot();
  }

  private buildConnection(): HubConnection {
    // The server answers refusals (e.g. too many messages) in the widget's language.
    const hubUrl = new URL('../hubs/visitor', window.location.href);
    hubUrl.searchParams.set('lang', this.lang);
    const connection = new HubConnectionBuilder()
      .withUrl(hubUrl.toString(), {
        accessTokenFactory: () => this.token ?? '',
      })
      .withAutomaticReconnect(retryPolicy)
      .configureLogging(LogLevel.Warning)
      .build();

    connection.on('MessageReceived', (raw: unknown) => this.onMessageReceived(raw));
    connection.on('ChatAssigned', (raw: unknown) => this.onChatAssigned(raw));
    connection.on('ChatEnded', (raw: unknown) => this.onChatEnded(raw));
    connection.on('QueueUpdated', (raw: unknown) => this.onQueueUpdated(raw));
    connection.on('OperatorTyping', (raw: unknown) => this.onOperatorTyping(raw));
    // The server lost pushes (its backplane was away): catch up as after a reconnect.
    connection.on('Resync', () => void this.resume());
    this.remote.attach(connection);
    connection.onreconnecting(() => this.showConnection('reconnecting'));
    connection.onreconnected(() => {
      this.showConnection('connected');
      void this.resume();
    });
    connection.onclose(() => this.showConnection('closed'));
    return connection;
  }

  private async connect(): Promise<void> {
    this.connection ??= this.buildConnection();
    const connection = this.connection;
    try {
      if (connection.state === HubConnectionState.Disconnected) await connection.start();
    } catch {
      this.fatal(this.t.errorConnect, () => void this.connect());
      return;
    }
    this.showConnection('connected');
    try {
      const view = toConversationView(await connection.invoke<unknown>('GetConversation'));
      this.applyConversation(view, false);
      await this.remote.sync();
    } catch (err) {
      this.fatal(hubErrorMessage(err, this.t.errorConnect), () => void this.connect());
    }
  }

  private async manualReconnect(): Promise<void> {
    this.reconnectBtn.disabled = true;
    this.connText.textContent = this.t.loading;
    try {
      if (this.connection?.state === HubConnectionState.Disconnected) await this.connection.start();
      this.showConnection('connected');
      await this.resume();
    } catch {
      this.showConnection('closed');
    } finally {
      this.reconnectBtn.disabled = false;
    }
  }

  /** Resume rule: fetch what was missed after the highest sequence seen, then refresh the status. */
  private async resume(): Promise<void> {
    const connection = this.connection;
    if (!connection) return;
    try {
      if (this.conversation) {
        const missed = toMessageList(await connection.invoke<unknown>('GetMessagesAfter', this.store.lastSequence));
        this.mergeLive(missed);
      }
      // Status changes (assigned/ended) may also have been missed while offline.
      const view = toConversationView(await connection.invoke<unknown>('GetConversation'));
      this.applyConversation(view, true);
      await this.remote.sync();
    } catch (err) {
      this.showError(hubErrorMessage(err, this.t.errorGeneric));
    }
  }

  // ---------------------------------------------------------------------------
  // Conversation state

  private applyConversation(view: ConversationView | null, live: boolean): void {
    if (!view) {
      this.conversation = null;
      this.store = new MessageStore();
      this.resetMessageList();
    } else {
      const isNew = !this.conversation || this.conversation.id !== view.conversationId;
      if (isNew) {
        this.store = new MessageStore(view.conversationId);
        this.resetMessageList();
        this.typing.reset();
        this.hideOperatorTyping();
        if (view.status !== 'ended') this.wantsNewChat = false;
      }
      const previous = isNew ? null : this.conversation;
      this.conversation = {
        id: view.conversationId,
        status: view.status,
        operatorName: view.operatorName,
        endedBy: view.endedBy,
        endedReason: view.endedReason,
        typingPreview: view.typingPreview,
        answered: previous?.answered === true || view.status === 'assigned' || view.operatorName !== null
          || view.messages.some((m) => m.authorKind === 'operator'),
        survey: view.survey,
      };
      // Read from the server after the end: the survey state is current.
      if (view.status === 'ended') this.surveyCheckedFor = view.conversationId;
      if (view.status !== 'queued') this.forgetQueue(view.conversationId);
      if (isNew || !live) this.store.merge(view.messages);
      else this.mergeLive(view.messages);
    }
    this.refresh();
    // A page message may have come before the conversation was known (the loader sends it at once).
    this.syncPage();
  }

  /** Merges messages that arrived live; counts unread operator messages. */
  private mergeLive(messages: readonly MessageDto[]): void {
    const added = this.store.merge(messages);
    const fromOperator = added.filter((m) => m.authorKind === 'operator').length;
    if (fromOperator > 0) this.hideOperatorTyping();
    if (fromOperator > 0 && !this.isSeen()) {
      this.unread += fromOperator;
      this.postToLoader({ type: 'chatdesk:unread', count: this.unread });
    }
    if (added.length > 0) this.renderMessages();
  }

  private onMessageReceived(raw: unknown): void {
    const dto = toMessageDto(raw);
    if (!dto) return;
    if (!this.conversation || dto.conversationId !== this.conversation.id) {
      // A conversation we do not know yet (e.g. started in another tab).
      void this.resume();
      return;
    }
    this.mergeLive([dto]);
    // A system notice may mean the session ended with its operator (transfer, left, disconnected).
    if (dto.authorKind === 'system') this.remote.refreshIfLive();
  }

  private onChatAssigned(raw: unknown): void {
    const e = toChatAssigned(raw);
    if (!e) return;
    if (!this.conversation || e.conversationId !== this.conversation.id) {
      void this.resume();
      return;
    }
    if (this.conversation.status === 'ended') return;
    // A new operator (e.g. after a transfer): the old one's typing indicator is stale.
    if (e.operatorName !== this.conversation.operatorName) this.hideOperatorTyping();
    this.conversation.status = 'assigned';
    this.conversation.operatorName = e.operatorName;
    this.conversation.answered = true;
    this.forgetQueue(e.conversationId);
    this.refresh();
  }

  private onQueueUpdated(raw: unknown): void {
    const e = toQueueUpdated(raw);
    if (!e) return;
    // Kept even for a conversation not known yet: StartChat's result may arrive after it.
    this.lastQueue = e;
    const c = this.conversation;
    if (!c || c.id !== e.conversationId) return;
    if (c.status === 'queued') {
      this.renderQueue(c);
    } else if (c.status === 'assigned') {
      // The operator dropped and the chat went back to the queue: re-read the status.
      void this.resume();
    }
  }

  private forgetQueue(conversationId: string): void {
    if (this.lastQueue?.conversationId === conversationId) this.lastQueue = null;
  }

  private onChatEnded(raw: unknown): void {
    const e = toChatEnded(raw);
    if (!e || !this.conversation || e.conversationId !== this.conversation.id) return;
    this.conversation.status = 'ended';
    this.conversation.endedBy = e.endedBy;
    this.remote.chatEnded();
    this.forgetQueue(e.conversationId);
    this.refresh();
    this.checkSurvey();
  }

  // ---------------------------------------------------------------------------
  // Pre-chat

  private fillTopics(site: SiteInfo): void {
    const options: HTMLOptionElement[] = [];
    if (site.topics.length > 1) {
      const placeholder = el('option', { value: '', disabled: true, selected: true }, this.t.topicPlaceholder);
      options.push(placeholder);
    }
    for (const topic of site.topics) options.push(el('option', { value: topic.key }, topic.label));
    this.topicSelect.replaceChildren(...options);
    this.topicField.hidden = site.topics.length === 0;
    this.topicSelect.required = site.topics.length > 0;
  }

  private setFieldError(field: 'name' | 'email' | 'topic', message: string | null): void {
    const p = this.fieldErrors[field];
    p.textContent = message ?? '';
    p.hidden = message === null;
    const input = field === 'name' ? this.nameInput : field === 'email' ? this.emailInput : this.topicSelect;
    if (message === null) input.removeAttribute('aria-invalid');
    else input.setAttribute('aria-invalid', 'true');
  }

  private validatePrechat(): StartChatRequest | null {
    const t = this.t;
    const name = this.nameInput.value.trim();
    const email = this.emailInput.value.trim();
    const topic = this.topicSelect.value;
    let firstInvalid: HTMLElement | null = null;

    let nameError: string | null = null;
    if (!name) nameError = t.nameRequired;
    else if (name.length > NAME_MAX) nameError = t.nameTooLong;
    this.setFieldError('name', nameError);
    if (nameError) firstInvalid ??= this.nameInput;

    const emailError = email && (this.emailInput.validity.typeMismatch || !/^[^\s@]+@[^\s@]+$/.test(email)) ? t.emailInvalid : null;
    this.setFieldError('email', emailError);
    if (emailError) firstInvalid ??= this.emailInput;

    const hasTopics = (this.site?.topics.length ?? 0) > 0;
    const topicError = hasTopics && !topic ? t.topicRequired : null;
    this.setFieldError('topic', topicError);
    if (topicError) firstInvalid ??= this.topicSelect;

    if (firstInvalid) {
      firstInvalid.focus();
      return null;
    }
    const request: StartChatRequest = { name, topic: hasTopics ? topic : '', language: this.lang };
    if (email) request.email = email;
    if (this.latestPage) {
      request.pageUrl = this.latestPage.url;
      request.pageTitle = this.latestPage.title;
    }
    try {
      const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (tz) request.timeZone = tz;
    } catch {
      /* no time zone support */
    }
    return request;
  }

  private async submitPrechat(): Promise<void> {
    if (this.starting) return;
    const request = this.validatePrechat();
    if (!request || !this.connection) return;
    this.starting = true;
    this.prechatSubmit.disabled = true;
    this.clearError();
    try {
      const view = toConversationView(await this.connection.invoke<unknown>('StartChat', request));
      if (!view) throw new Error('Invalid StartChat response');
      this.wantsNewChat = false;
      // StartChat already carried the page: no PageChanged for it.
      this.pageSent = request.pageUrl !== undefined
        ? { conversationId: view.conversationId, url: request.pageUrl, title: request.pageTitle ?? '' }
        : null;
      this.applyConversation(view, false);
      if (this.view === 'chat') this.focusChat();
    } catch (err) {
      if (await this.siteClosedMeanwhile()) {
        // The form is only detached: what the visitor typed is kept.
        this.clearError();
        this.refresh();
      } else {
        this.showError(hubErrorMessage(err, this.t.errorGeneric));
      }
    } finally {
      this.starting = false;
      this.prechatSubmit.disabled = false;
    }
  }

  /** StartChat was refused: asks the session whether the site was closed since it was opened. */
  private async siteClosedMeanwhile(): Promise<boolean> {
    const site = this.site;
    if (!site || !this.hostOrigin) return false;
    const result = await this.openSiteSession(this.hostOrigin);
    if (!result.ok || !result.session.site.closed) return false;
    this.token = result.session.visitorToken;
    this.site = { ...site, closed: true };
    return true;
  }

  /** An admin closed the site: a conversation stays on screen read-only, and no new one can be started. */
  private isSiteClosed(): boolean {
    return this.site?.closed === true;
  }

  private focusChat(): void {
    const c = this.conversation;
    if (c && this.offersOffline(c) && !this.offlineForm.hidden && this.offlineForm.isConnected) {
      const firstEmpty = [this.offlineName, this.offlineEmail, this.offlineText].find((f) => !f.value.trim());
      (firstEmpty ?? this.offlineText).focus();
    } else {
      this.composer.focus();
    }
  }

  private startNewChat(): void {
    this.wantsNewChat = true;
    this.clearError();
    this.refresh();
    this.nameInput.focus();
  }

  // ---------------------------------------------------------------------------
  // Messages

  private sendFromComposer(): void {
    const conversation = this.conversation;
    if (!conversation || conversation.status === 'ended' || this.composer.disabled) return;
    const text = this.composer.value.trim();
    if (!text) return;
    if (text.length > TEXT_MAX) return; // maxlength prevents this in practice
    const clientMessageId = newUuid();
    this.store.addPending(clientMessageId, text);
    this.composer.value = '';
    this.typing.clear(true);
    this.renderMessages(true);
    void this.deliver(clientMessageId);
  }

  /** Sends (or re-sends, with the same clientMessageId) a pending message. */
  private async deliver(clientMessageId: string): Promise<void> {
    const text = this.store.getPendingText(clientMessageId);
    const connection = this.connection;
    if (text === null || !connection) return;
    const store = this.store;
    store.markSending(clientMessageId);
    this.renderMessages();
    try {
      const dto = toMessageDto(await connection.invoke<unknown>('SendMessage', { clientMessageId, text }));
      if (dto) store.merge([dto]);
      if (!store.isConfirmed(clientMessageId)) store.markFailed(clientMessageId, this.t.errorGeneric);
      else this.clearError();
    } catch (err) {
      const message = hubErrorMessage(err, this.t.errorGeneric);
      store.markFailed(clientMessageId, message);
      if (store === this.store) this.showError(format(this.t.errorSend, { error: message }));
    }
    if (store === this.store) this.renderMessages();
  }

  private discard(clientMessageId: string): void {
    this.store.removePending(clientMessageId);
    this.clearError();
    this.renderMessages();
  }

  private async endChat(): Promise<void> {
    const connection = this.connection;
    if (!connection || !this.conversation || this.conversation.status === 'ended') return;
    this.endChatBtn.disabled = true;
    try {
      await connection.invoke('EndChat');
      // ChatEnded normally arrives too; do not wait for it.
      const current: Conversation | null = this.conversation;
      if (current && current.status !== 'ended') {
        current.status = 'ended';
        current.endedBy = 'visitor';
      }
      this.refresh();
      this.checkSurvey();
    } catch (err) {
      this.showError(hubErrorMessage(err, this.t.errorGeneric));
    } finally {
      this.endChatBtn.disabled = false;
    }
  }

  // ---------------------------------------------------------------------------
  // Typing, navigation, transcript

  private isOpen(): boolean {
    const c = this.conversation;
    return c !== null && c.status !== 'ended';
  }

  private isConnected(connection: HubConnection | null): connection is HubConnection {
    return connection !== null && connection.state === HubConnectionState.Connected;
  }

  private onComposerInput(): void {
    if (!this.isOpen()) return;
    this.typing.update(this.composer.value);
  }

  /** Typing(draft): best effort, never shown as an error. */
  private sendTyping(draft: string): void {
    const connection = this.connection;
    if (!this.isOpen() || !this.isConnected(connection)) return;
    connection.invoke('Typing', draft).catch(() => {
      /* best effort */
    });
  }

  private onOperatorTyping(raw: unknown): void {
    const e = toOperatorTyping(raw);
    const c = this.conversation;
    if (!e || !c || c.id !== e.conversationId || c.status === 'ended') return;
    const name = e.operatorName ?? c.operatorName;
    const text = name ? format(this.t.operatorTyping, { name }) : this.t.operatorTypingUnnamed;
    if (this.operatorTypingEl.textContent !== text) this.operatorTypingEl.textContent = text;
    this.operatorTypingEl.hidden = false;
    if (this.operatorTypingTimer !== null) window.clearTimeout(this.operatorTypingTimer);
    this.operatorTypingTimer = window.setTimeout(() => this.hideOperatorTyping(), OPERATOR_TYPING_MS);
  }

  private hideOperatorTyping(): void {
    if (this.operatorTypingTimer !== null) window.clearTimeout(this.operatorTypingTimer);
    this.operatorTypingTimer = null;
    this.operatorTypingEl.hidden = true;
    this.operatorTypingEl.textContent = '';
  }

  /** PageChanged for the latest host page, during an open conversation, skipping the page already reported. */
  private syncPage(): void {
    const c = this.conversation;
    const page = this.latestPage;
    const connection = this.connection;
    if (!c || c.status === 'ended' || !page || !this.isConnected(connection)) return;
    const last = this.pageSent;
    if (last && last.conversationId === c.id && last.url === page.url && last.title === page.title) return;
    const sent = { conversationId: c.id, url: page.url, title: page.title };
    this.pageSent = sent;
    const request: PageChangedRequest = { url: page.url, title: page.title };
    connection.invoke('PageChanged', request).catch(() => {
      // Not delivered: allow the next sync (e.g. after reconnecting) to send it again.
      if (this.pageSent === sent) this.pageSent = null;
    });
  }

  private async downloadTranscript(): Promise<void> {
    const connection = this.connection;
    if (this.downloadingTranscript || !connection || !this.conversation) return;
    this.downloadingTranscript = true;
    this.transcriptBtn.disabled = true;
    try {
      const transcript = toTranscript(await connection.invoke<unknown>('GetTranscript'));
      if (!transcript) throw new Error('Invalid GetTranscript response');
      saveTextFile(transcript.fileName, transcript.text);
    } catch (err) {
      this.showError(hubErrorMessage(err, this.t.errorGeneric));
    } finally {
      this.downloadingTranscript = false;
      this.transcriptBtn.disabled = false;
    }
  }

  private async emailTranscript(): Promise<void> {
    const connection = this.connection;
    const email = this.emailTranscriptInput.value.trim();
    if (!connection || !this.conversation) return;
    if (email.length === 0 || email.length > EMAIL_MAX || !this.emailTranscriptInput.checkValidity()) {
      this.showError(this.t.emailTranscriptInvalid);
      return;
    }
    const send = this.emailTranscriptForm.querySelector('button');
    if (send) send.disabled = true;
    try {
      await connection.invoke('EmailTranscript', { email });
      this.emailTranscriptForm.hidden = true;
      this.emailTranscriptStatus.textContent = format(this.t.emailTranscriptSent, { email });
      this.emailTranscriptStatus.hidden = false;
    } catch (err) {
      this.showError(hubErrorMessage(err, this.t.errorGeneric));
    } finally {
      if (send) send.disabled = false;
    }
  }

  // ---------------------------------------------------------------------------
  // Rendering

  private setView(view: View): void {
    this.view = view;
    const views: Array<[HTMLElement, boolean]> = [
      [this.loadingView, view === 'loading'],
      [this.prechatForm, view === 'prechat'],
      [this.chatView, view === 'chat'],
    ];
    for (const [node, shown] of views) {
      node.hidden = !shown;
      // Attach/detach only on change, so focus is not lost on re-renders.
      if (shown && node.parentNode !== this.mainEl) this.mainEl.append(node);
      else if (!shown && node.parentNode) node.remove();
    }
    // Alone, or last: below the read-only transcript.
    const closedShown = view === 'closed' || (view === 'chat' && this.isSiteClosed());
    if (closedShown && this.mainEl.lastChild !== this.closedNotice) this.mainEl.append(this.closedNotice);
    else if (!closedShown) this.closedNotice.remove();
  }

  private fatal(message: string, retry?: () => void): void {
    this.setView('fatal');
    this.showError(message, retry);
  }

  /** Re-derives the view from the state and renders it. */
  private refresh(): void {
    const c = this.conversation;
    const open = c !== null && c.status !== 'ended';
    if (this.lastConversationOpen !== open) {
      this.lastConversationOpen = open;
      this.postToLoader({ type: 'chatdesk:conversation', open });
    }
    if (!open) {
      this.typing.reset();
      this.hideOperatorTyping();
    }
    const closed = this.isSiteClosed();
    // On a closed site a conversation (even one the visitor chose to leave for a new chat) stays on screen.
    if (!c || (c.status === 'ended' && this.wantsNewChat && !closed)) {
      this.setView(closed ? 'closed' : 'prechat');
      return;
    }
    this.setView('chat');
    this.renderStatus(c);
    this.renderMessages();
  }

  private renderStatus(c: Conversation): void {
    const t = this.t;
    const ended = c.status === 'ended';
    const readOnly = ended || this.isSiteClosed();
    if (c.status === 'queued') {
      this.statusEl.replaceChildren(t.statusQueued);
    } else if (c.status === 'assigned') {
      const name = el('strong', { 'data-testid': 'operator-name' }, c.operatorName ?? t.operatorFallback);
      this.statusEl.replaceChildren(...template(t.statusAssigned, { name }));
    } else {
      this.statusEl.replaceChildren(t.statusEnded);
    }
    this.statusEl.dataset.status = c.status;
    this.endChatBtn.hidden = readOnly;
    this.endedBox.hidden = !ended;
    this.newChatBtn.hidden = this.isSiteClosed();
    const offline = this.offersOffline(c);
    this.endedText.textContent =
      offline ? (c.endedReason === ENDED_REASON_OUTSIDE_HOURS ? t.outsideHours : t.noOperator)
        : c.endedBy === 'visitor' ? t.endedByVisitor
          : c.endedBy === 'operator' ? t.endedByOperator
            : c.endedBy === 'system' ? t.endedBySystem
              : t.endedUnknown;
    this.endedBox.dataset.endedBy = c.endedBy ?? '';
    this.endedBox.dataset.endedReason = c.endedReason ?? '';
    this.renderQueue(c);
    this.renderOffline(c, offline);
    this.renderSurvey(c, offline);
    this.composer.disabled = readOnly;
    this.sendBtn.disabled = readOnly;
    this.composerForm.hidden = readOnly;
    // Hidden also stops dropped files (see listenForDroppedFiles).
    this.attachBtn.hidden = readOnly || !this.site || this.site.files.allowedTypes.length === 0;
    if (this.site) this.fileInput.accept = acceptAttribute(this.site.files);
    this.typingPreviewNotice.hidden = readOnly || !(c.typingPreview || this.site?.typingPreview === true);
    this.emailTranscriptBtn.hidden = this.site?.emailTranscript !== true;
  }

  /** Ended because nobody could take the chat ("no_operator") or outside business hours ("outside_hours"), on an open site. */
  private offersOffline(c: Conversation): boolean {
    return c.status === 'ended' && offersOfflineMessage(c.endedReason) && !this.isSiteClosed();
  }

  /** Queue position and estimate, shown only while the conversation is queued. */
  private renderQueue(c: Conversation): void {
    const q = this.lastQueue;
    const show = c.status === 'queued' && q !== null && q.conversationId === c.id;
    this.queueInfo.hidden = !show;
    this.queuePositionEl.hidden = !show;
    this.queueEstimateEl.hidden = !show;
    if (!show) return;
    const position = formatQueuePosition(this.t, q.position);
    const estimate = formatQueueEstimate(this.t, q.estimatedWaitSeconds);
    // Only touch the live region when the text changes.
    if (this.queuePositionEl.textContent !== position) this.queuePositionEl.textContent = position;
    if (this.queueEstimateEl.textContent !== estimate) this.queueEstimateEl.textContent = estimate;
    this.queuePositionEl.dataset.position = String(q.position);
  }

  /** Offline-message form (or its thank-you) for a conversation ended with "no_operator" or "outside_hours". */
  private renderOffline(c: Conversation, show: boolean): void {
    this.offlineSection.hidden = !show;
    if (!show) {
      this.offlineSection.replaceChildren();
      return;
    }
    if (this.offlineFormFor !== c.id) this.prepareOfflineForm(c.id);
    const sent = this.offlineSent?.conversationId === c.id ? this.offlineSent : null;
    const node = sent ? this.offlineSentEl : this.offlineForm;
    if (sent) this.offlineSentEl.textContent = format(this.t.offlineSent, { email: sent.email });
    this.offlineForm.hidden = !!sent;
    if (node.parentNode !== this.offlineSection || this.offlineSection.childNodes.length !== 1) {
      this.offlineSection.replaceChildren(node);
    }
  }

  /** Fresh form for a new conversation: name (and email) prefilled from the pre-chat form when known. */
  private prepareOfflineForm(conversationId: string): void {
    this.offlineFormFor = conversationId;
    this.offlineName.value = this.nameInput.value.trim().slice(0, NAME_MAX);
    this.offlineEmail.value = this.emailInput.value.trim().slice(0, EMAIL_MAX);
    this.offlineText.value = '';
    for (const field of ['name', 'email', 'text'] as const) this.setOfflineError(field, null);
  }

  private setOfflineError(field: OfflineField, message: string | null): void {
    const p = this.offlineErrors[field];
    p.textContent = message ?? '';
    p.hidden = message === null;
    const input = field === 'name' ? this.offlineName : field === 'email' ? this.offlineEmail : this.offlineText;
    if (message === null) input.removeAttribute('aria-invalid');
    else input.setAttribute('aria-invalid', 'true');
  }

  private validateOffline(): OfflineMessageRequest | null {
    const t = this.t;
    const name = this.offlineName.value.trim();
    const email = this.offlineEmail.value.trim();
    const text = this.offlineText.value.trim();
    const errors: Array<[OfflineField, string | null, HTMLElement]> = [
      ['name', !name ? t.nameRequired : name.length > NAME_MAX ? t.nameTooLong : null, this.offlineName],
      ['email', !email ? t.emailRequired
        : email.length > EMAIL_MAX || this.offlineEmail.validity.typeMismatch || !EMAIL_PATTERN.test(email) ? t.emailInvalid
          : null, this.offlineEmail],
      ['text', !text ? t.textRequired : text.length > TEXT_MAX ? t.textTooLong : null, this.offlineText],
    ];
    let firstInvalid: HTMLElement | null = null;
    for (const [field, message, input] of errors) {
      this.setOfflineError(field, message);
      if (message) firstInvalid ??= input;
    }
    if (firstInvalid) {
      firstInvalid.focus();
      return null;
    }
    return { name, email, text };
  }

  private async submitOffline(): Promise<void> {
    const c = this.conversation;
    const connection = this.connection;
    if (this.sendingOffline || !c || !this.offersOffline(c) || !connection) return;
    const request = this.validateOffline();
    if (!request) return;
    this.sendingOffline = true;
    this.offlineSubmit.disabled = true;
    this.clearError();
    try {
      await connection.invoke<unknown>('LeaveOfflineMessage', request);
      this.offlineSent = { conversationId: c.id, email: request.email };
      if (this.conversation?.id === c.id) this.refresh();
    } catch (err) {
      // Keep everything typed; the server's reason goes to the error box.
      this.showError(hubErrorMessage(err, this.t.errorGeneric));
    } finally {
      this.sendingOffline = false;
      this.offlineSubmit.disabled = false;
    }
  }

  // ---------------------------------------------------------------------------
  // End-of-session survey

  /**
   * The chat ended live (ChatEnded / EndChat): when no survey is known for it yet,
   * re-read the conversation once so a survey the server only reports now is not missed.
   */
  private checkSurvey(): void {
    const c = this.conversation;
    const connection = this.connection;
    if (!c || c.status !== 'ended' || !c.answered || this.offersOffline(c)) return;
    if (c.survey.questions.length > 0 || c.survey.submitted || this.surveyCheckedFor === c.id) return;
    if (!this.isConnected(connection)) return;
    this.surveyCheckedFor = c.id;
    connection.invoke<unknown>('GetConversation').then((raw) => {
      const view = toConversationView(raw);
      const current = this.conversation;
      if (!view || !current || current.id !== c.id || view.conversationId !== c.id) return;
      current.survey = view.survey;
      this.refresh();
    }).catch(() => {
      // Best effort: the next reload shows it.
      if (this.surveyCheckedFor === c.id) this.surveyCheckedFor = null;
    });
  }

  /** Survey form (or its thank-you) for an answered chat that ended, when the site asks and it was not answered yet. */
  private renderSurvey(c: Conversation, offline: boolean): void {
    const eligible = c.status === 'ended' && !offline && c.answered && !this.isSiteClosed();
    const sent = eligible && this.surveySent === c.id;
    const asked = eligible && !sent && c.survey.questions.length > 0 && !c.survey.submitted;
    this.surveySection.hidden = !sent && !asked;
    if (!sent && !asked) {
      this.surveySection.replaceChildren();
      return;
    }
    if (this.surveyFormFor !== c.id) this.prepareSurveyForm(c.id);
    let node: HTMLElement = this.surveyThanksEl;
    if (!sent) {
      node = this.surveyForm;
      // Only the site's questions, in its order; children are only touched when they change (keeps focus).
      const wanted: HTMLElement[] = [
        this.surveyHead,
        ...c.survey.questions.map((q) => (q === 'comment' ? this.surveyCommentField : this.surveyGroups[q])),
        this.surveySubmit,
      ];
      const current = Array.from(this.surveyForm.children);
      const same = current.length === wanted.length && wanted.every((n, i) => current[i] === n);
      if (!same) this.surveyForm.replaceChildren(...wanted);
    }
    if (node.parentNode !== this.surveySection || this.surveySection.childNodes.length !== 1) {
      this.surveySection.replaceChildren(node);
    }
  }

  /** Fresh, empty answers for a new conversation. */
  private prepareSurveyForm(conversationId: string): void {
    this.surveyFormFor = conversationId;
    for (const inputs of Object.values(this.surveyRadios)) for (const input of inputs) input.checked = false;
    this.surveyComment.value = '';
    this.setSurveyCommentError(null);
  }

  private setSurveyCommentError(message: string | null): void {
    this.surveyCommentError.textContent = message ?? '';
    this.surveyCommentError.hidden = message === null;
    if (message === null) this.surveyComment.removeAttribute('aria-invalid');
    else this.surveyComment.setAttribute('aria-invalid', 'true');
  }

  /** SubmitSurvey payload with the answered questions only (null when the comment is too long). */
  private collectSurvey(questions: readonly SurveyQuestion[]): SubmitSurveyRequest | null {
    const request: SubmitSurveyRequest = {};
    const checked = (q: SurveyChoiceQuestion): string | null =>
      questions.includes(q) ? this.surveyRadios[q].find((r) => r.checked)?.value ?? null : null;
    for (const q of ['csat', 'nps', 'ces'] as const) {
      const value = checked(q);
      if (value !== null) request[q] = Number(value);
    }
    const resolved = checked('resolved');
    if (resolved !== null) request.resolved = resolved === 'yes';
    if (questions.includes('comment')) {
      const comment = this.surveyComment.value.trim();
      if (comment.length > SURVEY_COMMENT_MAX) {
        this.setSurveyCommentError(this.t.surveyCommentTooLong);
        this.surveyComment.focus();
        return null;
      }
      this.setSurveyCommentError(null);
      if (comment) request.comment = comment;
    }
    return request;
  }

  private async submitSurvey(): Promise<void> {
    const c = this.conversation;
    const connection = this.connection;
    if (this.sendingSurvey || !c || c.status !== 'ended' || !connection) return;
    const request = this.collectSurvey(c.survey.questions);
    if (!request) return;
    this.sendingSurvey = true;
    this.surveySubmit.disabled = true;
    this.clearError();
    try {
      await connection.invoke('SubmitSurvey', request);
      this.surveySent = c.id;
      c.survey = { ...c.survey, submitted: true };
      if (this.conversation?.id === c.id) {
        this.refresh();
        if (this.surveyThanksEl.isConnected) this.surveyThanksEl.focus();
      }
    } catch (err) {
      // Keep the answers; the server's reason goes to the error box.
      this.showError(hubErrorMessage(err, this.t.errorGeneric));
    } finally {
      this.sendingSurvey = false;
      this.surveySubmit.disabled = false;
    }
  }

  private resetMessageList(): void {
    this.rendered.clear();
    this.messageList.replaceChildren();
  }

  private authorLabel(m: DisplayMessage): string {
    const t = this.t;
    switch (m.authorKind) {
      case 'visitor':
        return t.authorYou;
      case 'operator':
        return m.authorName || t.authorOperator;
      case 'automated':
        return m.authorName || t.authorAutomated;
      default:
        return m.authorName || t.authorSystem;
    }
  }

  private formatTime(iso: string | null): { text: string; datetime: string } | null {
    if (!iso) return null;
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return null;
    const sameDay = date.toDateString() === new Date().toDateString();
    return { text: (sameDay ? this.timeFormat : this.dateTimeFormat).format(date), datetime: date.toISOString() };
  }

  private buildMessageContent(li: HTMLLIElement, m: DisplayMessage): void {
    const t = this.t;
    li.className = `msg msg--${m.authorKind} msg--${m.state}`;
    li.dataset.testid = 'message';
    li.dataset.seq = m.sequence === null ? '' : String(m.sequence);
    li.dataset.author = m.authorKind;
    li.dataset.state = m.state;

    const meta = el('div', { class: 'msg-meta' }, el('span', { class: 'msg-author' }, this.authorLabel(m)));
    const time = this.formatTime(m.sentAt);
    if (time) meta.append(el('time', { class: 'msg-time', datetime: time.datetime }, time.text));
    const text = m.file
      ? el('div', { class: 'msg-text msg-file', 'data-testid': 'message-text' }, this.fileButton(m.file))
      : el('div', { class: 'msg-text', 'data-testid': 'message-text' }, m.text);
    const children: Node[] = [meta, text];

    if (m.state === 'sending') {
      children.push(el('div', { class: 'msg-state' }, t.sending));
    } else if (m.state === 'failed') {
      const retry = el('button', { type: 'button', class: 'link-btn', 'data-testid': 'retry' }, t.retry);
      retry.addEventListener('click', () => void this.deliver(m.clientMessageId));
      const discard = el('button', { type: 'button', class: 'link-btn', 'data-testid': 'discard' }, t.discard);
      discard.addEventListener('click', () => this.discard(m.clientMessageId));
      children.push(el('div', { class: 'msg-state msg-state--failed' }, el('span', {}, t.notSent), retry, discard));
    }
    li.replaceChildren(...children);
  }

  private fileButton(file: SharedFile): HTMLButtonElement {
    const size = formatSize(file.size, this.lang);
    const button = el('button', {
      type: 'button', class: 'file-link', 'data-testid': 'file-link', 'data-file-id': file.id,
      'aria-label': format(this.t.downloadFile, { name: file.name, size }),
    }, el('span', { class: 'file-name' }, file.name), el('span', { class: 'file-size' }, size));
    button.addEventListener('click', () => void this.downloadSharedFile(file, button));
    return button;
  }

  // ---------------------------------------------------------------------------
  // Files

  private listenForDroppedFiles(zone: HTMLElement): void {
    const canDrop = (e: DragEvent) =>
      e.dataTransfer?.types.includes('Files') === true && this.conversation?.status !== 'ended' && !this.attachBtn.hidden;
    const show = (shown: boolean) => {
      this.dropHint.hidden = !shown;
      zone.classList.toggle('chat--dropping', shown);
    };
    zone.addEventListener('dragover', (e) => {
      if (!canDrop(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
      show(true);
    });
    zone.addEventListener('dragleave', (e) => {
      if (e.relatedTarget === null || !zone.contains(e.relatedTarget as Node)) show(false);
    });
    zone.addEventListener('drop', (e) => {
      show(false);
      if (!canDrop(e)) return;
      e.preventDefault();
      this.sendFiles([...(e.dataTransfer?.files ?? [])]);
    });
    // A file dropped anywhere else would make the browser open it in place of the chat.
    for (const type of ['dragover', 'drop'] as const) {
      window.addEventListener(type, (e) => {
        if (e.dataTransfer?.types.includes('Files')) e.preventDefault();
      }, { signal: this.listeners.signal });
    }
  }

  private sendFiles(files: File[]): void {
    for (const file of files) void this.sendFile(file);
  }

  private async sendFile(file: File): Promise<void> {
    const site = this.site;
    const token = this.token;
    if (!site || !token || !this.conversation || this.conversation.status === 'ended') return;
    const refused = checkFile(file.name, file.size, site.files);
    if (refused) {
      this.showFileError(refused, file.name);
      return;
    }
    const progress = el('progress', { max: '100', value: '0' });
    const label = el('span', { class: 'upload-label' }, format(this.t.uploadProgress, { name: file.name, percent: 0 }));
    const item = el('li', { class: 'upload', 'data-testid': 'upload' }, label, progress);
    this.uploadList.append(item);
    const result = await uploadFile(file, token, (fraction) => {
      const percent = Math.round(fraction * 100);
      progress.value = percent;
      label.textContent = format(this.t.uploadProgress, { name: file.name, percent });
    });
    item.remove();
    if (result.ok) this.mergeLive([result.message]);
    else this.showFileError(result.code, file.name);
  }

  private async downloadSharedFile(file: SharedFile, button: HTMLButtonElement): Promise<void> {
    if (!this.token || button.disabled) return;
    button.disabled = true;
    try {
      const result = await downloadFile(file.id, this.token);
      if (result.ok) saveBlob(file.name, result.blob);
      else this.showFileError(result.code, file.name);
    } finally {
      button.disabled = false;
    }
  }

  private showFileError(code: FileErrorCode, name: string): void {
    if (this.site) this.showError(fileErrorMessage(this.t, code, name, this.site.files, this.lang));
  }

  /** Keyed, minimal DOM update of the message list (sorted by sequence, pending last). */
  private renderMessages(forceScroll = false): void {
    const list = this.messageList;
    const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 48;
    const items = this.store.list();
    const keep = new Set<string>();
    let cursor: ChildNode | null = list.firstChild;

    for (const m of items) {
      keep.add(m.key);
      const signature = JSON.stringify([m.sequence, m.state, m.error, m.text, m.authorKind, m.authorName, m.sentAt, m.file?.id]);
      let entry = this.rendered.get(m.key);
      if (!entry) {
        entry = { li: el('li', {}), signature: '' };
        this.rendered.set(m.key, entry);
      }
      if (entry.signature !== signature) {
        this.buildMessageContent(entry.li, m);
        entry.signature = signature;
      }
      if (entry.li === cursor) {
        cursor = cursor.nextSibling;
      } else {
        list.insertBefore(entry.li, cursor);
      }
    }
    for (const [key, entry] of this.rendered) {
      if (!keep.has(key)) {
        entry.li.remove();
        this.rendered.delete(key);
      }
    }
    if (forceScroll || nearBottom) list.scrollTop = list.scrollHeight;
  }

  private showConnection(state: 'connected' | 'reconnecting' | 'closed'): void {
    this.connStatus.hidden = state === 'connected';
    this.connStatus.dataset.state = state;
    this.connText.textContent = state === 'closed' ? this.t.disconnected : this.t.reconnecting;
    this.reconnectBtn.hidden = state !== 'closed';
  }

  private showError(message: string, retry?: () => void): void {
    this.errorText.textContent = message;
    this.errorRetryAction = retry ?? null;
    this.errorRetry.hidden = !retry;
    this.errorBox.hidden = false;
  }

  private clearError(): void {
    this.errorText.textContent = '';
    this.errorRetryAction = null;
    this.errorRetry.hidden = true;
    this.errorBox.hidden = true;
  }

  // ---------------------------------------------------------------------------
  // Loader (host page) messaging and unread count

  private postToLoader(message: FrameToLoader): void {
    if (!this.hostOrigin || window.parent === window) return;
    window.parent.postMessage(message, this.hostOrigin);
  }

  private onWindowMessage(event: MessageEvent): void {
    if (!this.hostOrigin || event.origin !== this.hostOrigin || event.source !== window.parent) return;
    const msg = parseLoaderToFrame(event.data);
    if (!msg) return;
    if (msg.type === 'chatdesk:page') {
      this.latestPage = { url: msg.url, title: msg.title };
      this.syncPage();
    } else if (msg.type === 'chatdesk:remote-stop') {
      this.remote.stopFromLoader();
    } else if (msg.type === 'chatdesk:cobrowse-events') {
      this.remote.sendCobrowse(msg.data);
    } else if (msg.type === 'chatdesk:token') {
      // Only used while start-up waits for it; later copies are stale.
      if (this.hostTokenWait) {
        this.hostToken = msg.token;
        this.hostTokenWait();
      }
    } else {
      this.panelVisible = msg.open;
      this.maybeClearUnread();
    }
  }

  private isSeen(): boolean {
    return this.panelVisible && document.visibilityState === 'visible';
  }

  private onUserActivity(): void {
    // Interacting with the frame means it is visible.
    if (!this.panelVisible) {
      this.panelVisible = true;
    }
    this.maybeClearUnread();
  }

  private maybeClearUnread(): void {
    if (this.unread > 0 && this.isSeen()) {
      this.unread = 0;
      this.postToLoader({ type: 'chatdesk:unread', count: 0 });
    }
  }
}
