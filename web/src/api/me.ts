/** The caller: GET {base}api/v1/me, password change and answers to invitations. */
import type { User } from './auth'
import { api, type ApiClient } from './client'

export type MembershipStatus = 'active' | 'invited' | (string & {})

export interface Membership {
  account_id: string
  account_name: string
  role: string
  status: MembershipStatus
  permissions: string[]
}

export interface Me {
  user: User
  memberships: Membership[]
  /**
   * The session may only set up two-factor authentication (a production super admin without
   * it): every other call answers 403 until it is on.
   */
  mfa_pending?: boolean
}

export interface TotpSetup {
  /** Base32 secret, for typing into an authenticator app. */
  secret: string
  /** otpauth:// URL, which authenticator apps open. */
  otpauth_url: string
}

export function fetchMe(client: ApiClient = api): Promise<Me> {
  return client.get<Me>('api/v1/me')
}

/** 204; the server ends the user's other sessions. */
export function changePassword(
  input: { current_password: string; new_password: string },
  client: ApiClient = api,
): Promise<void> {
  return client.post<void>('api/v1/me/password', input)
}

export function acceptInvitation(accountId: string, client: ApiClient = api): Promise<void> {
  return client.post<void>(`api/v1/me/invitations/${encodeURIComponent(accountId)}/accept`)
}

export function declineInvitation(accountId: string, client: ApiClient = api): Promise<void> {
  return client.post<void>(`api/v1/me/invitations/${encodeURIComponent(accountId)}/decline`)
}

/** Starts two-factor setup: a new secret, active only once a code from it is confirmed. */
export function setupTotp(client: ApiClient = api): Promise<TotpSetup> {
  return client.post<TotpSetup>('api/v1/me/totp/setup')
}

/** Confirms the secret with a code; answers the one-time recovery codes. */
export function enableTotp(code: string, client: ApiClient = api): Promise<{ enabled: boolean; recovery_codes: string[] }> {
  return client.post('api/v1/me/totp/enable', { code })
}
