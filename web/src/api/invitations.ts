/** The invitation link: {base}api/v1/invitations/{inspect,activate} and {base}api/v1/me/invitations/redeem. */
import { api, type ApiClient } from './client'

export interface InvitationView {
  account_id: string
  account_name: string
  email: string
  role: string
  /** The person already signs in to the hub: they accept signed in instead of choosing a password. */
  has_login: boolean
  expires_at: string
}

/** What an invitation token is for; 400 VALIDATION_ERROR (field token) when unknown, used or expired. */
export function inspectInvitation(token: string, client: ApiClient = api): Promise<InvitationView> {
  return client.post<InvitationView>('api/v1/invitations/inspect', { token }, { auth: false })
}

/** Chooses the password of a new login and joins the account (204). */
export function activateInvitation(token: string, password: string, client: ApiClient = api): Promise<void> {
  return client.post<void>('api/v1/invitations/activate', { token, password }, { auth: false })
}

/** Accepts the invitation, signed in as the invited user. */
export function redeemInvitation(token: string, client: ApiClient = api): Promise<{ account_id: string }> {
  return client.post<{ account_id: string }>('api/v1/me/invitations/redeem', { token })
}
