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
  /** Needed when the email has no hub user yet; ignored for existing users. */
  password: string
}

function usersPath(accountId: string, userId?: string): string {
  const base = `api/v1/accounts/${encodeURIComponent(accountId)}/users`
  return userId === undefined ? base : `${base}/${encodeURIComponent(userId)}`
}

export function listUsers(accountId: string, params: PageParams = {}, client: ApiClient = api): Promise<Page<AccountUser>> {
  return client.get<Page<AccountUser>>(usersPath(accountId), { query: { ...params } })
}

/** 201; status "active" for a new hub user, "invited" when the email already had one. */
export function inviteUser(accountId: string, input: InviteInput, client: ApiClient = api): Promise<AccountUser> {
  return client.post<AccountUser>(usersPath(accountId), input)
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
