/**
 * The mount path of the app ("/" or "/hub/"), which the Go server writes into index.html as
 * <meta name="whatpro-base" content="…">. The router and the API client are rooted there.
 */
export const BASE_META_NAME = 'whatpro-base'

/** Normalises a mount path to "/…/" form; anything that is not an absolute path gives "/". */
export function normalizeBase(raw: string | null | undefined): string {
  const value = (raw ?? '').trim()
  // Only a same-origin absolute path is accepted: never a URL or a protocol-relative "//host".
  if (!value.startsWith('/') || value.startsWith('//') || /[\s?#\\]/.test(value)) return '/'
  return value.endsWith('/') ? value : `${value}/`
}

/** Reads the mount path from the document, defaulting to "/". */
export function readBase(doc: Document = document): string {
  const meta = doc.querySelector<HTMLMetaElement>(`meta[name="${BASE_META_NAME}"]`)
  return normalizeBase(meta?.content)
}
