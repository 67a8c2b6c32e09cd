import { describe, expect, it } from 'vitest'
import { ApiError } from '@/api/client'
import { createAppI18n } from '@/i18n'
import { errorText, fieldErrors, fieldErrorText } from './useErrorText'

function validation(details: ApiError['details']) {
  return new ApiError({ status: 400, code: 'VALIDATION_ERROR', message: 'the request has invalid fields', details })
}

describe('field errors in the person\u2019s language', () => {
  it('translates by code with the server\u2019s params, never showing its English in pt-BR', () => {
    createAppI18n('pt-BR')
    const got = fieldErrors(
      validation([
        { field: 'new_password', code: 'too_short', params: { min: 10 }, message: 'passwords need at least 10 characters' },
        { field: 'email', code: 'bad_email', params: {}, message: 'must be an email address such as ana@example.com' },
        { field: 'base_url', code: 'invalid', params: {}, message: 'dial tcp 127.0.0.1:1: connect: connection refused' },
      ]),
    )
    expect(got.new_password).toBe('Use pelo menos 10 caracteres.')
    expect(got.email).toBe('Informe um endereço de e-mail válido.')
    expect(got.base_url).toBe('Este valor não é aceito.')
  })

  it('prefers the sentence made for the field', () => {
    createAppI18n('pt-BR')
    const got = fieldErrors(validation([{ field: 'current_password', code: 'mismatch', params: {}, message: 'is not your current password' }]))
    expect(got.current_password).toBe('A senha atual não confere.')
  })

  it('keeps the server\u2019s precise words for "invalid" in English only', () => {
    const en = createAppI18n('en').global
    const detail = { field: 'base_url', code: 'invalid', params: {}, message: 'must not point to a private address' }
    expect(fieldErrorText(detail, en.t, (k) => en.te(k), 'en')).toBe('must not point to a private address')
    expect(fieldErrorText({ ...detail, code: 'too_long', params: { max: 80 } }, en.t, (k) => en.te(k), 'en')).toBe('Use at most 80 characters.')
  })

  it('answers a code it does not know with the generic sentence', () => {
    const pt = createAppI18n('pt-BR').global
    expect(fieldErrorText({ field: 'x', code: 'brand_new', params: {}, message: 'what' }, pt.t, (k) => pt.te(k), 'pt-BR')).toBe('Este valor não é aceito.')
  })
})

describe('error text', () => {
  it('gives codes whose message is English a sentence of ours outside English', () => {
    const pt = createAppI18n('pt-BR').global
    const conflict = new ApiError({ status: 409, code: 'CONFLICT', message: 'conflicts with an existing resource' })
    expect(errorText(conflict, pt.t, 'pt-BR')).toBe('Já existe algo com esses dados.')
    expect(errorText(conflict, pt.t, 'en')).toBe('conflicts with an existing resource')
    const odd = new ApiError({ status: 422, code: 'SOMETHING_NEW', message: 'UNPROCESSABLE: dial tcp' })
    expect(errorText(odd, pt.t, 'pt-BR')).toBe('Algo deu errado.')
  })

  it('puts the plan limit into the sentence', () => {
    const pt = createAppI18n('pt-BR').global
    const err = new ApiError({
      status: 422,
      code: 'LIMIT_EXCEEDED',
      message: 'limit reached',
      details: [{ field: 'max_inboxes', code: 'limit_reached', params: { limit: 3, used: 3 }, message: 'limit reached', limit: 3, used: 3 }],
    })
    expect(errorText(err, pt.t, 'pt-BR')).toBe('O limite do plano foi atingido (3 de 3).')
  })
})

describe('a Chatwoot id another row holds', () => {
  const conflict = (field: string, params: Record<string, string | number>) =>
    new ApiError({
      status: 409,
      code: 'CONFLICT',
      message: 'that Chatwoot account is already linked to another hub account',
      details: [{ field, code: 'taken', params, message: 'is linked to another hub account' }],
    })

  it('is explained in the person\u2019s language with the id, never as a database error', () => {
    const pt = createAppI18n('pt-BR').global
    expect(errorText(conflict('chatwoot_account_id', { chatwoot_account_id: 7 }), pt.t, 'pt-BR', (k) => pt.te(k))).toBe(
      'A conta 7 do Chatwoot já está vinculada a outra conta do hub. Desvincule por lá primeiro ou escolha outra conta.',
    )
    const en = createAppI18n('en').global
    expect(errorText(conflict('adopt_chatwoot_inbox_id', { chatwoot_inbox_id: 12, number: 'Sales' }), en.t, 'en', (k) => en.te(k))).toBe(
      'Chatwoot inbox 12 is already in use by another number of this account. Choose another inbox, or create a new one.',
    )
  })
})

describe('a taken Chatwoot id on its form field', () => {
  it('shows under the field', () => {
    createAppI18n('pt-BR')
    const err = new ApiError({
      status: 409,
      code: 'CONFLICT',
      message: 'that Chatwoot account is already linked to another hub account',
      details: [{ field: 'chatwoot_account_id', code: 'taken', params: { chatwoot_account_id: 3 }, message: 'is linked to another hub account' }],
    })
    expect(fieldErrors(err).chatwoot_account_id).toBe(
      'A conta 3 do Chatwoot já está vinculada a outra conta do hub. Desvincule por lá primeiro ou escolha outra conta.',
    )
  })
})
