/** The credentials object a provider type takes, from the form's fields (empty ones left out). */
import type { ProviderCredentials } from '@/api/providers'

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
