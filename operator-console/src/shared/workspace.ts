import type { ChatDetail, ChatSummary, ParticipantRole } from './contract';

/**
 * Extension points of the chat workspace (implemented by the chats feature, used by the workspace
 * features: answers, typing, transfer, invite, notes, wrap-up, context). Features never import each
 * other; main.ts hands them this object.
 */

/** Why a chat became read-only without ending: transferred to someone else, or left (invited operator). */
export type ChatClosedReason = 'transferred' | 'left';

export type ComposerMode = 'message' | 'note';

export interface WorkspaceChat {
  conversationId: string;
  summary: ChatSummary;
  /** The last GetChat answer (null until loaded). */
  detail: ChatDetail | null;
  ended: boolean;
  closed: ChatClosedReason | null;
  /** This operator's part in the chat. */
  role: ParticipantRole;
}

/** An extra item of the timeline (e.g. an internal note), placed among the messages by time. */
export interface TimelineItem {
  key: string;
  /** ISO-8601 time used for ordering. */
  at: string;
  node: HTMLElement;
}

export interface WorkspaceSlots {
  /** Header, under the visitor name (e.g. participants). */
  headerInfo: HTMLElement;
  /** Header buttons next to "End chat" (transfer, invite, leave). */
  headerActions: HTMLElement;
  /** Under the messages (e.g. the visitor's live draft). */
  afterMessages: HTMLElement;
  /** Above the composer (e.g. the wrap-up form). */
  beforeComposer: HTMLElement;
  /** Popup anchored on the composer (e.g. answer suggestions). */
  composerPopup: HTMLElement;
  /** Buttons in the composer next to "Send" (e.g. the note toggle). */
  composerTools: HTMLElement;
}

/** Handles the composer text instead of SendMessage (returns null to let others / SendMessage handle it). */
export type SendHandler = (conversationId: string, text: string) => Promise<void> | null;

/** Returns true when it handled the key (the composer then does nothing else with it). */
export type ComposerKeyHandler = (event: KeyboardEvent) => boolean;

export interface ChatWorkspace {
  readonly slots: WorkspaceSlots;
  readonly composer: HTMLTextAreaElement;
  /** The open chat's pane (e.g. where files are dropped). */
  readonly chatPane: HTMLElement;
  operatorId(): string | null;
  activeId(): string | null;
  chat(conversationId: string): WorkspaceChat | null;
  chats(): WorkspaceChat[];
  /** Called after every render of the chats (state may have changed). Returns an unsubscribe function. */
  onChange(listener: () => void): () => void;
  /** Re-render the list and the open chat (e.g. after a timeline source changed). */
  render(): void;
  /** Re-render only the chat list (cheap; for item decorations). */
  renderList(): void;
  composerMode(): ComposerMode;
  setComposerMode(mode: ComposerMode): void;
  addComposerKeyHandler(handler: ComposerKeyHandler): void;
  addSendHandler(handler: SendHandler): void;
  /** Decorates each chat list item after it is rendered. */
  addItemDecorator(decorate: (chat: WorkspaceChat, item: HTMLElement) => void): void;
  addTimelineSource(source: (conversationId: string) => TimelineItem[]): void;
  /** The chat is no longer this operator's: keep it visible, read-only. */
  markClosed(conversationId: string, reason: ChatClosedReason): void;
  /** GetChat again without showing the loading state (e.g. after an invite or a wrap-up). */
  reloadDetail(conversationId: string): Promise<void>;
}

/** Something that may deserve the operator's attention (title counter, sound, notification). */
export interface ChatActivity {
  kind: 'chat' | 'message' | 'invited';
  conversationId: string;
  visitorName: string;
  /** The message text for kind "message". */
  text?: string;
}
