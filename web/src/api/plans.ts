/**
 * Plans (super admins: {base}api/v1/plans[/{planID}], PUT …/accounts/{accountID}/plan) and an
 * account's entitlements (GET …/accounts/{accountID}/entitlements).
 */
import { api, type ApiClient, type Page } from './client'

/** The limits a plan can set, in the order the hub lists them. */
export const LIMIT_NAMES = ['max_inboxes', 'max_provider_instances', 'max_agents', 'max_boards', 'max_messages_per_month'] as const

export interface Plan {
  id: string
  name: string
  /** A missing limit is unlimited. */
  limits: Record<string, number>
  features: Record<string, boolean>
  /** The built-in plan cannot be changed or deleted. */
  built_in: boolean
  created_at?: string
  updated_at?: string
}

export interface PlanInput {
  name?: string
  /** null removes a limit (unlimited). */
  limits?: Record<string, number | null>
  features?: Record<string, boolean>
}

export interface Entitlement {
  name: string
  /** null: unlimited. */
  limit: number | null
  used: number
}

export interface Entitlements {
  account_id?: string
  plan: { id: string; name: string }
  overrides: Record<string, number> | null
  limits: Entitlement[]
}

export function listPlans(client: ApiClient = api): Promise<Page<Plan>> {
  return client.get<Page<Plan>>('api/v1/plans')
}

export function createPlan(input: PlanInput, client: ApiClient = api): Promise<Plan> {
  return client.post<Plan>('api/v1/plans', input)
}

export function updatePlan(planId: string, input: PlanInput, client: ApiClient = api): Promise<Plan> {
  return client.patch<Plan>(`api/v1/plans/${encodeURIComponent(planId)}`, input)
}

/** 204; 409 while an account uses it. */
export function deletePlan(planId: string, client: ApiClient = api): Promise<void> {
  return client.delete(`api/v1/plans/${encodeURIComponent(planId)}`)
}

export function fetchEntitlements(accountId: string, client: ApiClient = api): Promise<Entitlements> {
  return client.get<Entitlements>(`api/v1/accounts/${encodeURIComponent(accountId)}/entitlements`)
}

/** Answers the account's entitlements under the new plan. */
export function setAccountPlan(
  accountId: string,
  input: { plan_id: string; overrides: Record<string, number> },
  client: ApiClient = api,
): Promise<Entitlements> {
  return client.put<Entitlements>(`api/v1/accounts/${encodeURIComponent(accountId)}/plan`, input)
}
