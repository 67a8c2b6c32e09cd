import { describe, expect, it } from 'vitest'
import { qrPath } from './qr'

describe('qrPath', () => {
  it('draws the three finder patterns inside the quiet zone', () => {
    const { size, path } = qrPath('otpauth://totp/WhatPro%20Hub:ana@example.com?secret=JBSWY3DPEHPK3PXP&issuer=WhatPro%20Hub')
    // Version 4 or more for a text this long: 33+ modules plus 4 on each side.
    expect(size).toBeGreaterThanOrEqual(33 + 8)
    const dark = new Set(path.split('z').filter(Boolean).map((s) => s.replace(/h1v1h-1$/, '')))
    // The top-left finder's corner, the top-right's and the bottom-left's; the quiet zone is light.
    expect(dark.has('M4 4')).toBe(true)
    expect(dark.has(`M${size - 5} 4`)).toBe(true)
    expect(dark.has(`M4 ${size - 5}`)).toBe(true)
    expect(dark.has('M0 0')).toBe(false)
    expect(dark.has('M3 4')).toBe(false)
  })

  it('encodes a different text differently', () => {
    expect(qrPath('a').path).not.toBe(qrPath('b').path)
  })
})
