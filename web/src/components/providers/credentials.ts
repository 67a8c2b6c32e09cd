/** The credentials object a provider type takes, from the form's fields (empty ones left out). */
import type { ApiError } from '@/api/client'
import type { ProviderCredentials } from '@/api/providers'

/**
 * The translation key for why a provider was not saved: the hub saves one only after its server
 * answered, so a refusal (422) and a server that did not answer as the provider (502) are told
 * apart; any other error keeps the usual notice (null).
 */
export function probeErrorKey(error: ApiError | null): string | null {
  if (error?.code === 'UNPROCESSABLE') return 'PROVIDERS.FORM.REFUSED'
  if (error?.code === 'UPSTREAM_ERROR') return 'PROVIDERS.FORM.UNREACHABLE'
  return null
}

export function credentialsFor(type: string, fields: { apiKey: string; accessToken: string; appSecret: string }): ProviderCredentials {
  const out: ProviderCredentials = {}
  if (type === 'evolution') {
    if (fields.apiKey.trim()) out.api_key = fields.apiKey.trim()
  } else if (type === 'cloud_api') {
    if (fields.accessToken.trim()) out.access_token = fields.accessToken.trim()
    if (fields.appSecret.trim()) out.app_secret = fields.appSecret.trim()
  }
  return out
}
