/**
 * Words for a failed request, in the person's language: by error code, and for field errors by
 * code and field, with the numbers the server sent (a limit, a minimum) as parameters. The
 * server's own message is English for API users; it shows only in the English interface, where
 * it says exactly which rule was broken.
 */
import { useI18n } from 'vue-i18n'
import type { ApiError, ApiErrorDetail } from '@/api/client'
import { appI18n } from '@/i18n'

/** Codes with a sentence of ours in every language. */
const TRANSLATED = new Set([
  'NETWORK_ERROR',
  'TIMEOUT',
  'HTTP_ERROR',
  'INVALID_RESPONSE',
  'RATE_LIMITED',
  'FORBIDDEN',
  'NOT_FOUND',
  'INTERNAL',
  'UNAVAILABLE',
  'ACCOUNT_SUSPENDED',
  'FEATURE_DISABLED',
])

/** Codes whose server message is the useful part: ours in other languages, the server's in English. */
const GENERIC = new Set([
  'VALIDATION_ERROR',
  'BAD_REQUEST',
  'CONFLICT',
  'UNPROCESSABLE',
  'UPSTREAM_ERROR',
  'LIMIT_EXCEEDED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'UNAUTHORIZED',
  'TOKEN_EXPIRED',
  'TOKEN_INVALID',
  'TOKEN_REVOKED',
  'SESSION_REVOKED',
  'METHOD_NOT_ALLOWED',
])

type Translate = (key: string, params?: Record<string, unknown>) => string
type Has = (key: string) => boolean

export function errorText(error: ApiError, t: Translate, locale: string, te?: Has): string {
  if (error.code === 'RATE_LIMITED' && error.retryAfter !== null) {
    return t('ERRORS.RATE_LIMITED_WAIT', { seconds: error.retryAfter })
  }
  if (TRANSLATED.has(error.code)) return t(`ERRORS.${error.code}`)
  if (error.code === 'LIMIT_EXCEEDED') {
    const d = error.details.find((x) => typeof x.limit === 'number')
    if (d && typeof d.limit === 'number' && typeof d.used === 'number') {
      return t('ERRORS.LIMIT_EXCEEDED_COUNT', { limit: d.limit, used: d.used })
    }
  }
  // A conflict with another row (a Chatwoot id another link or number holds) names the field
  // and the id: our sentence in every language, with the id as its parameter.
  if (error.code === 'CONFLICT' && te) {
    const d = error.details.find((x) => x.code === 'taken')
    if (d) return fieldErrorText(d, t, te, locale)
  }
  if (locale === 'en' && error.message) return error.message
  if (GENERIC.has(error.code)) return t(`ERRORS.${error.code}`)
  return t('ERRORS.UNKNOWN')
}

export function useErrorText() {
  const { t, te, locale } = useI18n()
  return (error: ApiError): string => errorText(error, t as Translate, locale.value, (k) => te(k))
}

/** FIELD_ERRORS.FIELDS.NEW_PASSWORD.TOO_SHORT for field "new_password", code "too_short". */
function fieldKey(field: string): string {
  return field.replace(/[^A-Za-z0-9_]/g, '_').toUpperCase()
}

/** One field error in the person's language. */
export function fieldErrorText(detail: ApiErrorDetail, t: Translate, te: Has, locale: string): string {
  const code = (detail.code || 'invalid').toUpperCase()
  const params = detail.params ?? {}
  const specific = `FIELD_ERRORS.FIELDS.${fieldKey(detail.field)}.${code}`
  if (te(specific)) return t(specific, params)
  // "invalid" names no rule of its own: in English the server's message says which.
  if (code === 'INVALID' && locale === 'en' && detail.message) return detail.message
  const generic = `FIELD_ERRORS.${code}`
  if (te(generic)) return t(generic, params)
  return locale === 'en' && detail.message ? detail.message : t('FIELD_ERRORS.INVALID')
}

/**
 * The field errors of a VALIDATION_ERROR (and of a CONFLICT naming a field another row holds),
 * by field name, in the person's language.
 */
export function fieldErrors(error: ApiError | null): Record<string, string> {
  const out: Record<string, string> = {}
  if (!error || (error.code !== 'VALIDATION_ERROR' && error.code !== 'CONFLICT')) return out
  const i18n = appI18n()
  for (const detail of error.details) {
    if (!detail.field || out[detail.field]) continue
    if (error.code === 'CONFLICT' && detail.code !== 'taken') continue
    if (!i18n) {
      out[detail.field] = detail.message
      continue
    }
    const g = i18n.global
    out[detail.field] = fieldErrorText(detail, g.t as Translate, (k) => g.te(k), g.locale.value)
  }
  return out
}
