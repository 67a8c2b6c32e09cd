/**
 * Console sessions: POST {base}api/v1/auth/{login,refresh,logout}. The refresh token is an
 * HttpOnly cookie scoped to {base}api/v1/auth that the browser sends by itself; scripts only
 * ever see the short-lived access token.
 */
import { api, type ApiClient } from './client'

export interface User {
  id: string
  email: string
  name: string
  locale: string
  active: boolean
  super_admin: boolean
  totp_enabled: boolean
  created_at: string
}

export interface TokenResponse {
  access_token: string
  expires_at: string
  user: User
}

export interface LoginInput {
  email: string
  password: string
  totp_code?: string
  recovery_code?: string
}

export function login(input: LoginInput, client: ApiClient = api): Promise<TokenResponse> {
  return client.post<TokenResponse>('api/v1/auth/login', input, { auth: false })
}

/**
 * Rotates the refresh cookie and mints a new access token for the same session; null when the
 * browser has no refresh cookie (the hub answers 204: nobody is signed in).
 */
export async function refresh(client: ApiClient = api): Promise<TokenResponse | null> {
  const res = await client.post<TokenResponse | undefined>('api/v1/auth/refresh', undefined, { auth: false })
  return res ?? null
}

/** Ends the session the token belongs to. */
export function logout(token: string, client: ApiClient = api): Promise<void> {
  return client.post<void>('api/v1/auth/logout', undefined, {
    auth: false,
    headers: { Authorization: `Bearer ${token}` },
  })
}

/** The login answer that asks for a TOTP or recovery code (401 UNAUTHORIZED, message says so). */
export function needsSecondFactor(message: string): boolean {
  return /second factor|totp|recovery/i.test(message)
}

/** Asks for a password reset link by e-mail: 202 with the same answer for any address; 503 without mail. */
export function requestPasswordReset(email: string, client: ApiClient = api): Promise<{ status: string }> {
  return client.post<{ status: string }>('api/v1/auth/password-reset', { email }, { auth: false })
}

/** Sets a new password with the one-time token of the reset link (204); every session of the user ends. */
export function confirmPasswordReset(token: string, password: string, client: ApiClient = api): Promise<void> {
  return client.post<void>('api/v1/auth/password-reset/confirm', { token, password }, { auth: false })
}
