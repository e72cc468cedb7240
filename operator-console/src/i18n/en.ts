/** English strings: the reference table. Every other language must provide exactly these keys. */
export const en = {
  'app.title': 'ChatDesk – Operator console',
  'app.brand': 'ChatDesk',
  'app.loading': 'Loading…',

  'login.heading': 'Sign in to ChatDesk',
  'login.email': 'Email',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.submitting': 'Signing in…',
  'login.invalid': 'Incorrect email or password.',
  'login.failed': 'Sign-in failed. Please try again.',
  'login.network': 'Cannot reach the server. Check your connection and try again.',
  'login.sessionExpired': 'Your session has expired. Please sign in again.',

  'header.logout': 'Log out',

  'presence.label': 'Status',
  'presence.online': 'Online',
  'presence.away': 'Away',
  'presence.offline': 'Offline',
  'presence.error': 'Could not change your status.',

  'connection.connecting': 'Connecting…',
  'connection.connected': 'Connected',
  'connection.reconnecting': 'Reconnecting…',
  'connection.disconnected': 'Disconnected',

  'chats.heading': 'Chats',
  'chats.empty': 'No chats yet. New chats will appear here.',
  'chats.ended': 'Ended',
  'chats.unread': '{count} unread',
  'chats.noMessages': 'No messages yet',
  'chats.keyboardHint': 'Alt+↑ / Alt+↓ to switch chats',

  'chat.placeholder': 'Select a chat to start.',
  'chat.email': 'Email',
  'chat.topic': 'Topic',
  'chat.pageTitle': 'Page',
  'chat.pageUrl': 'URL',
  'chat.language': 'Language',
  'chat.notProvided': '—',
  'chat.loading': 'Loading conversation…',
  'chat.loadFailed': 'Could not load this conversation.',
  'chat.messages': 'Messages',
  'chat.composerLabel': 'Reply',
  'chat.composerPlaceholder': 'Type a reply… (Enter to send, Shift+Enter for a new line)',
  'chat.send': 'Send',
  'chat.end': 'End chat',
  'chat.endFailed': 'Could not end the chat.',
  'chat.sending': 'Sending…',
  'chat.sendFailed': 'The message could not be sent. Check your connection and try again.',
  'chat.tooLong': 'Messages are limited to {max} characters.',
  'chat.ended': 'This chat has ended.',
  'chat.endedByVisitor': 'The visitor ended this chat.',
  'chat.endedByOperator': 'This chat was ended by an operator.',
  'chat.endedBySystem': 'This chat was ended automatically.',

  'author.visitor': 'Visitor',
  'author.operator': 'Operator',
  'author.system': 'System',
  'author.automated': 'Automated message',
};

export type MessageKey = keyof typeof en;
export type Messages = Record<MessageKey, string>;
