import type { Me } from '../shared/contract';
import { requestJson } from '../shared/http';

/** HTTP calls of the own-account page and of invitations (docs/contract.md, "Own account", "Invitations"). */

export interface InvitationInfo {
  email: string;
  displayName: string;
  expiresAt: string;
}

export const accountApi = {
  updateMe: (displayName: string, language: 'en' | 'fr') => requestJson<Me>('PUT', '/api/auth/me', { displayName, language }),
  changePassword: (currentPassword: string, newPassword: string) =>
    requestJson<void>('POST', '/api/auth/password', { currentPassword, newPassword }),
  // The token goes in the body: a URL would leave it in access logs.
  invitation: (token: string) => requestJson<InvitationInfo>('POST', '/api/auth/invitations/lookup', { token }),
  acceptInvitation: (token: string, password: string, displayName: string | null) =>
    requestJson<Me>('POST', '/api/auth/invitations/accept', displayName === null ? { token, password } : { token, password, displayName }),
};

/** Reads the token of `#invitation=TOKEN` (null when the hash is something else). */
export function invitationToken(hash: string): string | null {
  const match = /^#invitation=(.+)$/.exec(hash);
  if (!match?.[1]) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return match[1];
  }
}
