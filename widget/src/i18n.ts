// Every visible string of the widget (loader and frame) lives here.
// `fr` is typed against the keys of `en`: a missing or extra key fails tsc.

const en = {
  widgetTitle: 'Chat with us',
  openChat: 'Open chat',
  closeChat: 'Close chat',
  frameTitle: 'Chat window',
  unreadCount: '{count} unread messages',
  close: 'Close',
  loading: 'Connecting…',
  reconnecting: 'Reconnecting…',
  disconnected: 'Connection lost.',
  reconnect: 'Reconnect',
  retry: 'Retry',
  prechatIntro: 'Hello! Tell us who you are and we will be with you shortly.',
  nameLabel: 'Your name',
  emailLabel: 'Email (optional)',
  topicLabel: 'Topic',
  topicPlaceholder: 'Choose a topic',
  startChat: 'Start chat',
  nameRequired: 'Please enter your name.',
  nameTooLong: 'Your name must be 100 characters or fewer.',
  emailInvalid: 'Please enter a valid email address.',
  topicRequired: 'Please choose a topic.',
  statusQueued: 'Waiting for an operator…',
  statusAssigned: 'You are chatting with {name}',
  statusEnded: 'This chat has ended.',
  operatorFallback: 'an operator',
  messageListLabel: 'Messages',
  composerLabel: 'Your message',
  composerPlaceholder: 'Type your message…',
  send: 'Send',
  endChat: 'End chat',
  newChat: 'Start a new chat',
  endedByVisitor: 'You ended the chat.',
  endedByOperator: 'The operator ended the chat.',
  endedBySystem: 'The chat was closed automatically.',
  endedUnknown: 'This chat has ended.',
  authorYou: 'You',
  authorOperator: 'Operator',
  authorSystem: 'System',
  authorAutomated: 'Automatic message',
  sending: 'Sending…',
  notSent: 'Not sent',
  discard: 'Discard',
  errorUnknownSite: 'This chat is not available: unknown site.',
  errorOriginNotAllowed: 'This chat is not available on this website.',
  errorMissingParams: 'The chat could not be loaded (missing site or host).',
  errorSession: 'The chat service is unavailable. Please try again later.',
  errorConnect: 'Could not connect to the chat service.',
  errorGeneric: 'Something went wrong. Please try again.',
  errorSend: 'Your message could not be sent: {error}',
} as const;

export type MessageKey = keyof typeof en;
export type Messages = Readonly<Record<MessageKey, string>>;

const fr: Messages = {
  widgetTitle: 'Discutons',
  openChat: 'Ouvrir le chat',
  closeChat: 'Fermer le chat',
  frameTitle: 'Fenêtre de chat',
  unreadCount: '{count} messages non lus',
  close: 'Fermer',
  loading: 'Connexion…',
  reconnecting: 'Reconnexion…',
  disconnected: 'Connexion perdue.',
  reconnect: 'Se reconnecter',
  retry: 'Réessayer',
  prechatIntro: 'Bonjour ! Présentez-vous et nous serons avec vous très vite.',
  nameLabel: 'Votre nom',
  emailLabel: 'E-mail (facultatif)',
  topicLabel: 'Sujet',
  topicPlaceholder: 'Choisissez un sujet',
  startChat: 'Démarrer le chat',
  nameRequired: 'Veuillez saisir votre nom.',
  nameTooLong: 'Votre nom doit comporter 100 caractères au maximum.',
  emailInvalid: 'Veuillez saisir une adresse e-mail valide.',
  topicRequired: 'Veuillez choisir un sujet.',
  statusQueued: 'En attente d’un opérateur…',
  statusAssigned: 'Vous discutez avec {name}',
  statusEnded: 'Cette conversation est terminée.',
  operatorFallback: 'un opérateur',
  messageListLabel: 'Messages',
  composerLabel: 'Votre message',
  composerPlaceholder: 'Écrivez votre message…',
  send: 'Envoyer',
  endChat: 'Terminer',
  newChat: 'Démarrer une nouvelle conversation',
  endedByVisitor: 'Vous avez mis fin à la conversation.',
  endedByOperator: 'L’opérateur a mis fin à la conversation.',
  endedBySystem: 'La conversation a été fermée automatiquement.',
  endedUnknown: 'Cette conversation est terminée.',
  authorYou: 'Vous',
  authorOperator: 'Opérateur',
  authorSystem: 'Système',
  authorAutomated: 'Message automatique',
  sending: 'Envoi…',
  notSent: 'Non envoyé',
  discard: 'Supprimer',
  errorUnknownSite: 'Ce chat n’est pas disponible : site inconnu.',
  errorOriginNotAllowed: 'Ce chat n’est pas disponible sur ce site web.',
  errorMissingParams: 'Le chat n’a pas pu être chargé (site ou hôte manquant).',
  errorSession: 'Le service de chat est indisponible. Veuillez réessayer plus tard.',
  errorConnect: 'Impossible de se connecter au service de chat.',
  errorGeneric: 'Une erreur est survenue. Veuillez réessayer.',
  errorSend: 'Votre message n’a pas pu être envoyé : {error}',
};

export type Language = 'en' | 'fr';

export const translations: Readonly<Record<Language, Messages>> = { en, fr };

/** "fr", "fr-CA", "FR"… -> fr; anything else -> en. */
export function detectLanguage(navigatorLanguage: string | null | undefined): Language {
  return (navigatorLanguage ?? '').toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

export function getMessages(lang: Language): Messages {
  return translations[lang];
}

/** Replaces {placeholders} with plain text (result is meant for textContent). */
export function format(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{(\w+)\}/g, (match, name: string) =>
    Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : match,
  );
}
