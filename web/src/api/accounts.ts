/** Accounts (tenants): GET/POST {base}api/v1/accounts, GET/PATCH …/accounts/{accountID}. */
import { api, type ApiClient, type Page, type PageParams } from './client'

export interface Account {
  id: string
  name: string
  status: string
  created_at: string
  updated_at: string
  /** The caller's role in the account, when it is a member. */
  role?: string
}

export function listAccounts(params: PageParams = {}, client: ApiClient = api): Promise<Page<Account>> {
  return client.get<Page<Account>>('api/v1/accounts', { query: { ...params } })
}

/** Super admins only. */
export function createAccount(input: { name: string }, client: ApiClient = api): Promise<Account> {
  return client.post<Account>('api/v1/accounts', input)
}

export function fetchAccount(accountId: string, client: ApiClient = api): Promise<Account> {
  return client.get<Account>(`api/v1/accounts/${encodeURIComponent(accountId)}`)
}

/** Super admins only: join the account as an active admin (POST …/accounts/{accountID}/join). */
export function joinAccount(accountId: string, client: ApiClient = api): Promise<unknown> {
  return client.post<unknown>(`api/v1/accounts/${encodeURIComponent(accountId)}/join`, {})
}

export function updateAccount(accountId: string, input: { name: string }, client: ApiClient = api): Promise<Account> {
  return client.patch<Account>(`api/v1/accounts/${encodeURIComponent(accountId)}`, input)
}
