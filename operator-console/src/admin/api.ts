import type { OperatorStatus, Role } from '../shared/contract';
import { requestJson } from '../shared/http';

/** Types and HTTP calls of the admin area (docs/contract.md, "Admin and onboarding (issue 11)"). */

export type UiLanguage = 'en' | 'fr';
export const ROLES: readonly Role[] = ['Operator', 'Manager', 'Admin'];
export const LANGUAGES: readonly UiLanguage[] = ['en', 'fr'];

export interface PersonDto {
  id: string;
  email: string;
  displayName: string;
  roles: Role[];
  language: UiLanguage;
  disabled: boolean;
  invitationPending: boolean;
  status: OperatorStatus;
  version: string;
}

export interface NewPerson {
  email: string;
  displayName: string;
  roles: Role[];
  language: UiLanguage;
  password: string | null;
}

export interface PersonUpdate {
  displayName: string;
  roles: Role[];
  language: UiLanguage;
  version: string;
}

export interface Invitation {
  invitationUrl: string;
  invitationExpiresAt: string;
}

export interface CreatedPerson {
  person: PersonDto;
  invitationUrl: string | null;
  invitationExpiresAt: string | null;
}

export interface SkillDto {
  id: string;
  key: string;
  name: string;
  retired: boolean;
}

export interface SkillLevel {
  skill: string;
  proficiency: number;
}

export interface OperatorRouting {
  id: string;
  email: string;
  displayName: string;
  status: OperatorStatus;
  maxConcurrentChats: number;
  skills: SkillLevel[];
}

export interface TopicInput {
  key: string;
  labelEn: string;
  labelFr: string;
  skill: string;
  priority: number;
}

export interface SiteSummary {
  key: string;
  name: string;
  allowedOrigins: string[];
  disabled: boolean;
  topicCount: number;
}

/** The editable part of a site (PUT body without `version`). */
export interface SiteSettings {
  name: string;
  allowedOrigins: string[];
  timeZone: string;
  languages: UiLanguage[];
  disabled: boolean;
  missWhenOnlyAway: boolean;
  retentionDays: number | null;
  topics: TopicInput[];
}

export interface SiteDto extends SiteSettings {
  key: string;
  version: string;
  snippet: string;
}

export interface PageRule {
  urlPattern: string;
  skill: string;
}

/** GET/PUT /api/admin/sites/{key}/routing (server: SiteRoutingDto). Business hours are kept as the server's JSON. */
export interface SiteRouting {
  offerMode: boolean;
  ringTimeoutSeconds: number;
  routeByLanguage: boolean;
  businessHours: unknown;
  pageRules: PageRule[];
  topicPriorities: Record<string, number>;
  typingPreview: boolean | null;
  wrapUpTimeoutSeconds: number | null;
  fcrRepeatWindowHours: number | null;
  serviceLevelSeconds: number | null;
  shortAbandonSeconds: number | null;
  maxFileBytes: number | null;
  allowedFileTypes: string[] | null;
  cobrowseKeepRecording: boolean | null;
}

export type OnboardingStepKey = 'site' | 'topic' | 'operator' | 'snippet' | 'testChat';
export const ONBOARDING_STEPS: readonly OnboardingStepKey[] = ['site', 'topic', 'operator', 'snippet', 'testChat'];

export interface Onboarding {
  demo: boolean;
  steps: { key: OnboardingStepKey; done: boolean }[];
}

export interface AuditEntry {
  id: string;
  type: string;
  occurredAt: string;
  actorId: string | null;
  actorName: string | null;
  targetKind: string;
  targetId: string;
  targetLabel: string;
  before: unknown;
  after: unknown;
}

export interface AuditPage {
  entries: AuditEntry[];
  next: string | null;
}

export interface AuditQuery {
  type: string;
  actor: string;
  from: string;
  to: string;
  before: string | null;
}

/** GET /api/admin/privacy/visitors: one visitor found by e-mail or id. */
export interface PrivacyVisitor {
  visitorId: string;
  siteKey: string;
  names: string[];
  emails: string[];
  conversations: number;
  firstSeen: string;
  lastSeen: string;
}

/** POST /api/admin/privacy/visitors/{id}/erase: what was erased. */
export interface ErasureCounts {
  conversations: number;
  messages: number;
  files: number;
}

export type PrivacyQuery = { email: string } | { visitorId: string };

/** Scopes an API token can be given (server: ApiTokens/ApiScopes.cs). No scope reaches people, tokens or settings. */
export const API_SCOPES = ['kpis:read', 'conversations:read', 'answers:read', 'answers:write', 'metrics:read'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** GET /api/admin/tokens: one token (never its secret). */
export interface ApiTokenDto {
  id: string;
  name: string;
  scopes: string[];
  createdById: string;
  createdByName: string | null;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  usable: boolean;
}

/** POST /api/admin/tokens: the token and its secret, shown this once. */
export interface CreatedApiToken {
  apiToken: ApiTokenDto;
  token: string;
}

const path = (...parts: string[]) => parts.map(encodeURIComponent).join('/');

export const adminApi = {
  onboarding: () => requestJson<Onboarding>('GET', '/api/admin/onboarding'),

  people: (search: string) => requestJson<PersonDto[]>('GET', `/api/admin/people?${new URLSearchParams({ search }).toString()}`),
  createPerson: (person: NewPerson) => requestJson<CreatedPerson>('POST', '/api/admin/people', person),
  updatePerson: (id: string, update: PersonUpdate) => requestJson<PersonDto>('PUT', `/api/admin/people/${path(id)}`, update),
  setPersonDisabled: (id: string, disabled: boolean) =>
    requestJson<PersonDto>('POST', `/api/admin/people/${path(id)}/${disabled ? 'disable' : 'enable'}`),
  newInvitation: (id: string) => requestJson<Invitation>('POST', `/api/admin/people/${path(id)}/invitation`),

  skills: () => requestJson<SkillDto[]>('GET', '/api/admin/skills'),
  createSkill: (key: string, name: string) => requestJson<SkillDto>('POST', '/api/admin/skills', { key, name }),
  renameSkill: (id: string, name: string) => requestJson<SkillDto>('PUT', `/api/admin/skills/${path(id)}`, { name }),
  setSkillRetired: (id: string, retired: boolean) =>
    requestJson<SkillDto>('POST', `/api/admin/skills/${path(id)}/${retired ? 'retire' : 'restore'}`),
  operators: () => requestJson<OperatorRouting[]>('GET', '/api/admin/operators'),
  saveOperatorRouting: (id: string, body: { maxConcurrentChats: number; skills: SkillLevel[] }) =>
    requestJson<void>('PUT', `/api/admin/operators/${path(id)}/routing`, body),

  sites: () => requestJson<SiteSummary[]>('GET', '/api/admin/sites'),
  site: (key: string) => requestJson<SiteDto>('GET', `/api/admin/sites/${path(key)}`),
  createSite: (key: string, settings: SiteSettings) =>
    requestJson<SiteDto>('POST', '/api/admin/sites', {
      key,
      name: settings.name,
      allowedOrigins: settings.allowedOrigins,
      timeZone: settings.timeZone,
      languages: settings.languages,
      topics: settings.topics,
    }),
  updateSite: (key: string, settings: SiteSettings, version: string) =>
    requestJson<SiteDto>('PUT', `/api/admin/sites/${path(key)}`, { ...settings, version }),
  siteRouting: (key: string) => requestJson<SiteRouting>('GET', `/api/admin/sites/${path(key)}/routing`),
  saveSiteRouting: (key: string, routing: SiteRouting) => requestJson<void>('PUT', `/api/admin/sites/${path(key)}/routing`, routing),

  audit: (query: AuditQuery) => {
    const params = new URLSearchParams();
    if (query.type) params.set('type', query.type);
    if (query.actor) params.set('actor', query.actor);
    if (query.from) params.set('from', query.from);
    if (query.to) params.set('to', query.to);
    if (query.before) params.set('before', query.before);
    const search = params.toString();
    return requestJson<AuditPage>('GET', `/api/admin/audit${search ? `?${search}` : ''}`);
  },

  privacyVisitors: (query: PrivacyQuery) =>
    requestJson<PrivacyVisitor[]>('GET', `/api/admin/privacy/visitors?${new URLSearchParams(query).toString()}`),
  /** A plain link (the browser downloads it with the login cookie), not a fetch. */
  privacyExportUrl: (visitorId: string) => `/api/admin/privacy/visitors/${path(visitorId)}/export`,
  eraseVisitor: (visitorId: string) => requestJson<ErasureCounts>('POST', `/api/admin/privacy/visitors/${path(visitorId)}/erase`),

  tokens: () => requestJson<ApiTokenDto[]>('GET', '/api/admin/tokens'),
  createToken: (token: { name: string; scopes: string[]; expiresAt: string | null }) => requestJson<CreatedApiToken>('POST', '/api/admin/tokens', token),
  revokeToken: (id: string) => requestJson<ApiTokenDto>('POST', `/api/admin/tokens/${path(id)}/revoke`),
};

