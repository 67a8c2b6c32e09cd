import { describe, expect, it } from 'vitest'
import { centsToInput, dueState, formatMoney, parseMoney, weightedCents } from './format'

const nbsp = (s: string) => s.replace(/\u00a0/g, ' ')

describe('money', () => {
  it('writes BRL the way each language does', () => {
    expect(nbsp(formatMoney(123456, 'BRL', 'pt-BR'))).toBe('R$ 1.234,56')
    expect(formatMoney(123456, 'BRL', 'en')).toBe('R$1,234.56')
    expect(nbsp(formatMoney(0, 'BRL', 'pt-BR'))).toBe('R$ 0,00')
    expect(formatMoney(5000, 'USD', 'en')).toBe('$50.00')
  })

  it('shortens big column totals when asked', () => {
    expect(nbsp(formatMoney(1_250_000_00, 'BRL', 'pt-BR', true))).toBe('R$ 1,3 mi')
    expect(formatMoney(1_250_000_00, 'BRL', 'en', true)).toBe('R$1.3M')
    expect(nbsp(formatMoney(9_999_00, 'BRL', 'pt-BR', true))).toBe('R$ 9.999,00')
  })

  it('reads amounts as people type them', () => {
    expect(parseMoney('1.234,56', 'pt-BR')).toBe(123456)
    expect(parseMoney('R$ 1.234', 'pt-BR')).toBe(123400)
    expect(parseMoney('10,5', 'pt-BR')).toBe(1050)
    expect(parseMoney('10.5', 'pt-BR')).toBe(1050)
    expect(parseMoney('1,234.56', 'en')).toBe(123456)
    expect(parseMoney('1234,56', 'en')).toBe(123456)
    expect(parseMoney('1,234,567', 'en')).toBe(123456700)
    expect(parseMoney('', 'en')).toBeNull()
    expect(parseMoney('-5', 'en')).toBeNull()
    expect(parseMoney('1,2,3', 'pt-BR')).toBeNull()
    expect(parseMoney('abc', 'pt-BR')).toBeNull()
  })

  it('gives an editable amount back', () => {
    expect(centsToInput(123456, 'pt-BR')).toBe('1234,56')
    expect(centsToInput(5, 'en')).toBe('0.05')
    expect(parseMoney(centsToInput(98765, 'pt-BR'), 'pt-BR')).toBe(98765)
  })

  it('weights a column as the hub does', () => {
    expect(weightedCents(10001, 25)).toBe(2500)
    expect(weightedCents(0, 50)).toBe(0)
    expect(weightedCents(999, 100)).toBe(999)
  })
})

describe('due dates', () => {
  it('tells overdue, today, soon and later apart', () => {
    const now = new Date(2026, 4, 10, 12, 0)
    expect(dueState(new Date(2026, 4, 10, 9, 0).toISOString(), now)).toBe('overdue')
    expect(dueState(new Date(2026, 4, 10, 18, 0).toISOString(), now)).toBe('today')
    expect(dueState(new Date(2026, 4, 14, 9, 0).toISOString(), now)).toBe('soon')
    expect(dueState(new Date(2026, 5, 1).toISOString(), now)).toBe('later')
    expect(dueState(null, now)).toBeNull()
  })
})
