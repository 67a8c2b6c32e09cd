/** An account's users: {base}api/v1/accounts/{accountID}/users[/{userID}]. */
import { api, type ApiClient, type Page, type PageParams } from './client'

export const ROLES = ['admin', 'supervisor', 'agent'] as const
export type Role = (typeof ROLES)[number]

export interface AccountUser {
  id: string
  email: string
  name: string
  role: string
  status: string
  created_at: string
}

export interface InviteInput {
  email: string
  name: string
  role: string
  /** Never set by an admin (the hub refuses one); the console's join-as-admin sends it empty. */
  password?: ''
}

/** The answer to an invitation: the member (status "invited"), and the link to hand over when the hub does not mail. */
export interface Invitation extends AccountUser {
  /** Shown once: without mail configured, the admin hands this link to the person. */
  invitation_url?: string
  invitation_mailed: boolean
  invitation_expires_at: string
}

function usersPath(accountId: string, userId?: string): string {
  const base = `api/v1/accounts/${encodeURIComponent(accountId)}/users`
  return userId === undefined ? base : `${base}/${encodeURIComponent(userId)}`
}

export function listUsers(accountId: string, params: PageParams = {}, client: ApiClient = api): Promise<Page<AccountUser>> {
  return client.get<Page<AccountUser>>(usersPath(accountId), { query: { ...params } })
}

/** 201 with status "invited", whether or not the email already has a hub user (the answer never tells). */
export function inviteUser(accountId: string, input: InviteInput, client: ApiClient = api): Promise<Invitation> {
  return client.post<Invitation>(usersPath(accountId), input)
}

/** A new invitation link for an invited (or removed) member; the old link stops working. */
export function reinviteUser(accountId: string, userId: string, client: ApiClient = api): Promise<Invitation> {
  return client.post<Invitation>(`${usersPath(accountId, userId)}/invitation`, {})
}

export function updateUser(
  accountId: string,
  userId: string,
  input: { role?: string; active?: boolean },
  client: ApiClient = api,
): Promise<AccountUser> {
  return client.patch<AccountUser>(usersPath(accountId, userId), input)
}

/** 204; removing the last admin answers 409 CONFLICT. */
export function removeUser(accountId: string, userId: string, client: ApiClient = api): Promise<void> {
  return client.delete(usersPath(accountId, userId))
}
