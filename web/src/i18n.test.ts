import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const localesDir = join(dirname(fileURLToPath(import.meta.url)), 'locales')

// Read the raw files: imported JSON is precompiled by the i18n plugin.
function keys(file: string): string[] {
  const walk = (node: unknown, prefix: string): string[] =>
    typeof node === 'object' && node !== null
      ? Object.entries(node).flatMap(([k, v]) => walk(v, prefix ? `${prefix}.${k}` : k))
      : [prefix]
  return walk(JSON.parse(readFileSync(join(localesDir, file), 'utf8')), '').sort()
}

describe('locales', () => {
  it('pt-BR and en have the same keys', () => {
    expect(keys('en.json')).toEqual(keys('pt-BR.json'))
  })

  it('uses UPPER_SNAKE keys', () => {
    for (const key of keys('pt-BR.json')) {
      for (const part of key.split('.')) expect(part).toMatch(/^[A-Z][A-Z0-9_]*$/)
    }
  })
})
