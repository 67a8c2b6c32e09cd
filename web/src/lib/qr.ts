/**
 * QR codes drawn in the page (no image from a server, no third party): uqr encodes the text
 * (small, no dependencies), and qrPath turns its matrix into one SVG path, so the component
 * renders it as markup the CSP allows (no inline style, no v-html).
 */
import { encode } from 'uqr'

export interface QrDrawing {
  /** Modules per side, quiet zone included. */
  size: number
  /** One "M x y h1 v1 h-1 z" square per dark module. */
  path: string
}

export function qrPath(text: string, border = 4): QrDrawing {
  const { data, size } = encode(text, { ecc: 'M', border })
  const parts: string[] = []
  for (let y = 0; y < size; y++) {
    const row = data[y] ?? []
    for (let x = 0; x < size; x++) if (row[x]) parts.push(`M${x} ${y}h1v1h-1z`)
  }
  return { size, path: parts.join('') }
}
