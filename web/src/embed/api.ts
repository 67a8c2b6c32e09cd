/**
 * A small fetch wrapper for the embed pages: JSON in and out, rooted at the app's mount path, and
 * the instance token (held in memory by the session) as a bearer token. No cookies are sent.
 */

export class EmbedApiError extends Error {
  override readonly name = 'EmbedApiError'
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

export interface EmbedApiOptions {
  base: string
  fetch?: typeof fetch
  timeoutMs?: number
}

export type TokenSource = () => string | null

export class EmbedApi {
  private readonly base: string
  private readonly fetchImpl: typeof fetch
  private readonly timeoutMs: number

  constructor(options: EmbedApiOptions) {
    this.base = options.base.endsWith('/') ? options.base : `${options.base}/`
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis)
    this.timeoutMs = options.timeoutMs ?? 15_000
  }

  url(path: string, query?: Record<string, string>): string {
    let url = this.base + path.replace(/^\/+/, '')
    if (query) {
      const qs = new URLSearchParams(query).toString()
      if (qs) url += `?${qs}`
    }
    return url
  }

  async request<T>(
    method: string,
    path: string,
    opts: { token?: string | null; body?: unknown; query?: Record<string, string> } = {},
  ): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' }
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json'
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), this.timeoutMs)
    let res: Response
    try {
      res = await this.fetchImpl(this.url(path, opts.query), {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        credentials: 'omit',
        cache: 'no-store',
        signal: controller.signal,
      })
    } catch {
      throw new EmbedApiError(0, 'NETWORK_ERROR', 'The hub could not be reached.')
    } finally {
      clearTimeout(timer)
    }
    const text = await res.text().catch(() => '')
    let json: unknown = null
    try {
      json = text === '' ? null : JSON.parse(text)
    } catch {
      json = null
    }
    if (!res.ok) {
      const err = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error
      throw new EmbedApiError(
        res.status,
        typeof err?.code === 'string' ? err.code : 'HTTP_ERROR',
        typeof err?.message === 'string' ? err.message : `HTTP ${res.status}`,
      )
    }
    return json as T
  }
}
