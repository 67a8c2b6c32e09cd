/**
 * HTTP client for the hub API. Every request is rooted at the app's mount path, speaks JSON,
 * and turns failures into an ApiError that mirrors the server's error envelope:
 * {"error":{"code","message","details":[{"field","code","params","message"}],"request_id"}}.
 */

export interface ApiErrorDetail {
  field: string
  /** The field error's machine code (required, too_short…); '' from an older hub. */
  code?: string
  /** The rule's numbers for the translated sentence ({"min": 10}). */
  params?: Record<string, string | number>
  message: string
  /** A LIMIT_EXCEEDED answer: the plan's limit and how much of it is used. */
  limit?: number
  used?: number
}

/** Codes the client itself produces when there is no server envelope to read. */
export const CLIENT_ERROR_CODES = {
  NETWORK: 'NETWORK_ERROR',
  TIMEOUT: 'TIMEOUT',
  ABORTED: 'ABORTED',
  HTTP: 'HTTP_ERROR',
  INVALID_RESPONSE: 'INVALID_RESPONSE',
} as const

export class ApiError extends Error {
  override readonly name = 'ApiError'
  /** HTTP status; 0 when no response arrived (network failure, timeout, abort). */
  readonly status: number
  readonly code: string
  readonly details: ApiErrorDetail[]
  readonly requestId: string | null
  /** The parsed response body (or its text) for callers that need more than the envelope. */
  readonly body: unknown
  /** Seconds from a Retry-After header (429, 503), or null. */
  readonly retryAfter: number | null

  constructor(init: {
    status: number
    code: string
    message: string
    details?: ApiErrorDetail[]
    requestId?: string | null
    body?: unknown
    retryAfter?: number | null
    cause?: unknown
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause })
    this.status = init.status
    this.code = init.code
    this.details = init.details ?? []
    this.requestId = init.requestId ?? null
    this.body = init.body
    this.retryAfter = init.retryAfter ?? null
  }
}

/** What the client tells the auth provider about a request that answered 401. */
export interface UnauthorizedContext {
  /** The bearer token the request carried (null when it carried none). */
  token: string | null
  /** True when the 401 answered the retry: the provider's answer is ignored, nothing is retried. */
  retried: boolean
}

/** Supplies credentials; the auth store installs one through ApiClient.setAuthProvider. */
export interface AuthProvider {
  /** The bearer token to send, or null to send none. */
  getToken(): string | null | Promise<string | null>
  /**
   * Called when a request answered 401. Resolve true (after obtaining a new token, say) to have
   * the request retried once; false to let the 401 reach the caller. Called a second time, with
   * retried = true, when the retry answers 401 too.
   */
  onUnauthorized?(error: ApiError, context: UnauthorizedContext): Promise<boolean>
}

export type QueryValue = string | number | boolean | null | undefined

export interface RequestOptions {
  method?: string
  query?: Record<string, QueryValue>
  /** Sent as JSON when not undefined; a FormData is sent as multipart/form-data. */
  body?: unknown
  headers?: Record<string, string>
  signal?: AbortSignal
  /** Milliseconds before the request is abandoned with code TIMEOUT; 0 disables. */
  timeoutMs?: number
  /** Non-2xx statuses whose body is a normal answer (e.g. 503 from /readyz). */
  acceptStatuses?: number[]
  /**
   * false: leave the auth provider out (no bearer token, no 401 handling), for the calls that
   * obtain tokens (login, refresh) or carry their own.
   */
  auth?: boolean
  /** 'blob' answers the body as a Blob (downloads); failures still read the JSON envelope. */
  responseType?: 'json' | 'blob'
  /** With 'blob': called as the body arrives, with the bytes read so far (long exports show progress). */
  onProgress?: (received: number) => void
}

/** A page of a list endpoint: {"data":[…],"pagination":{"has_more","next_cursor"}}. */
export interface Page<T> {
  data: T[]
  pagination?: { has_more: boolean; next_cursor?: string | null }
}

/** ?limit=&cursor= of list endpoints. */
export interface PageParams {
  limit?: number
  cursor?: string | null
}

export interface ApiClientOptions {
  /** Mount path of the app, e.g. "/" or "/hub/". */
  base?: string
  fetch?: typeof fetch
  timeoutMs?: number
  /**
   * 'same-origin' (default) lets the console's refresh cookie travel; the embed pages use 'omit':
   * they authenticate with their instance token only.
   */
  credentials?: RequestCredentials
  /** The fetch cache mode ('no-store' in the embed pages); the browser's default when unset. */
  cache?: RequestCache
}

const DEFAULT_TIMEOUT_MS = 15_000
const REQUEST_ID_HEADER = 'X-Request-Id'

export class ApiClient {
  private base: string
  private fetchImpl: typeof fetch | undefined
  private timeoutMs: number
  private credentials: RequestCredentials
  private cache: RequestCache | undefined
  private authProvider: AuthProvider | null = null

  constructor(options: ApiClientOptions = {}) {
    this.base = options.base ?? '/'
    this.fetchImpl = options.fetch
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.credentials = options.credentials ?? 'same-origin'
    this.cache = options.cache
  }

  configure(options: ApiClientOptions): void {
    if (options.base !== undefined) this.base = options.base
    if (options.fetch !== undefined) this.fetchImpl = options.fetch
    if (options.timeoutMs !== undefined) this.timeoutMs = options.timeoutMs
    if (options.credentials !== undefined) this.credentials = options.credentials
    if (options.cache !== undefined) this.cache = options.cache
  }

  /**
   * Installs who supplies the bearer token: the console's session (stores/auth) or an embed
   * page's instance token (embed/session). One provider at a time; null removes it.
   */
  setAuthProvider(provider: AuthProvider | null): void {
    this.authProvider = provider
  }

  /** The mount path requests are rooted at ("/" or "/hub/"). */
  get basePath(): string {
    return this.base.endsWith('/') ? this.base : `${this.base}/`
  }

  /** The URL a path resolves to: "api/v1/version" under base "/hub/" is "/hub/api/v1/version". */
  url(path: string, query?: Record<string, QueryValue>): string {
    const base = this.base.endsWith('/') ? this.base : `${this.base}/`
    let url = base + path.replace(/^\/+/, '')
    if (query) {
      const params = new URLSearchParams()
      for (const [key, value] of Object.entries(query)) {
        if (value !== undefined && value !== null) params.append(key, String(value))
      }
      const qs = params.toString()
      if (qs) url += (url.includes('?') ? '&' : '?') + qs
    }
    return url
  }

  get<T>(path: string, options: Omit<RequestOptions, 'method' | 'body'> = {}): Promise<T> {
    return this.request<T>(path, { ...options, method: 'GET' })
  }

  post<T>(path: string, body?: unknown, options: Omit<RequestOptions, 'method' | 'body'> = {}): Promise<T> {
    return this.request<T>(path, { ...options, method: 'POST', body })
  }

  put<T>(path: string, body?: unknown, options: Omit<RequestOptions, 'method' | 'body'> = {}): Promise<T> {
    return this.request<T>(path, { ...options, method: 'PUT', body })
  }

  patch<T>(path: string, body?: unknown, options: Omit<RequestOptions, 'method' | 'body'> = {}): Promise<T> {
    return this.request<T>(path, { ...options, method: 'PATCH', body })
  }

  delete<T = void>(path: string, options: Omit<RequestOptions, 'method' | 'body'> = {}): Promise<T> {
    return this.request<T>(path, { ...options, method: 'DELETE' })
  }

  /** A GET whose body is a file (CSV export…), with the same credentials and 401 handling. */
  download(path: string, options: Omit<RequestOptions, 'method' | 'body' | 'responseType'> = {}): Promise<Blob> {
    return this.request<Blob>(path, { ...options, method: 'GET', responseType: 'blob', headers: { Accept: '*/*', ...options.headers } })
  }

  async request<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const provider = options.auth === false ? null : this.authProvider
    for (let retried = false; ; retried = true) {
      const token = provider ? await provider.getToken() : null
      try {
        return await this.send<T>(path, options, token)
      } catch (err) {
        if (!(err instanceof ApiError) || err.status !== 401 || !provider?.onUnauthorized) throw err
        let retry = false
        try {
          retry = await provider.onUnauthorized(err, { token, retried })
        } catch {
          // A failed refresh leaves the caller with the original 401.
        }
        if (!retry || retried) throw err
      }
    }
  }

  private async send<T>(path: string, options: RequestOptions, token: string | null): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers }
    let body: string | FormData | undefined
    if (typeof FormData !== 'undefined' && options.body instanceof FormData) {
      body = options.body // multipart: the browser writes the Content-Type with its boundary
    } else if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json'
      body = JSON.stringify(options.body)
    }
    if (token) headers.Authorization = `Bearer ${token}`

    const timeoutMs = options.timeoutMs ?? this.timeoutMs
    const controller = new AbortController()
    let timedOut = false
    const timer =
      timeoutMs > 0
        ? setTimeout(() => {
            timedOut = true
            controller.abort()
          }, timeoutMs)
        : undefined
    const abortFromCaller = () => controller.abort()
    if (options.signal?.aborted) controller.abort()
    options.signal?.addEventListener('abort', abortFromCaller, { once: true })

    const fetchImpl = this.fetchImpl ?? globalThis.fetch.bind(globalThis)
    try {
      let response: Response
      try {
        const init: RequestInit = {
          method: options.method ?? 'GET',
          headers,
          body,
          credentials: this.credentials,
          signal: controller.signal,
        }
        if (this.cache !== undefined) init.cache = this.cache
        response = await fetchImpl(this.url(path, options.query), init)
      } catch (cause) {
        throw transportError(cause, timedOut, options.signal?.aborted === true)
      }
      if (options.responseType === 'blob' && response.ok) {
        try {
          if (options.onProgress && response.body) return (await readWithProgress(response, options.onProgress)) as T
          return (await response.blob()) as T
        } catch (cause) {
          throw new ApiError({ status: response.status, code: CLIENT_ERROR_CODES.NETWORK, message: 'Response body could not be read', cause })
        }
      }
      return await readResponse<T>(response, options.acceptStatuses ?? [])
    } finally {
      if (timer !== undefined) clearTimeout(timer)
      options.signal?.removeEventListener('abort', abortFromCaller)
    }
  }
}

/** Reads a body chunk by chunk, reporting the bytes read, into a Blob of its content type. */
async function readWithProgress(response: Response, onProgress: (received: number) => void): Promise<Blob> {
  const reader = response.body!.getReader()
  const chunks: BlobPart[] = []
  let received = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    received += value.byteLength
    onProgress(received)
  }
  return new Blob(chunks, { type: response.headers.get('Content-Type') ?? '' })
}

function transportError(cause: unknown, timedOut: boolean, aborted: boolean): ApiError {
  if (timedOut) {
    return new ApiError({ status: 0, code: CLIENT_ERROR_CODES.TIMEOUT, message: 'Request timed out', cause })
  }
  if (aborted) {
    return new ApiError({ status: 0, code: CLIENT_ERROR_CODES.ABORTED, message: 'Request aborted', cause })
  }
  const detail = cause instanceof Error && cause.message ? `: ${cause.message}` : ''
  return new ApiError({
    status: 0,
    code: CLIENT_ERROR_CODES.NETWORK,
    message: `Network error${detail}`,
    cause,
  })
}

/** Retry-After in seconds: a number of seconds or an HTTP date. */
function retryAfterSeconds(value: string | null): number | null {
  if (!value) return null
  const seconds = Number(value.trim())
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds)
  const date = Date.parse(value)
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000))
}

async function readResponse<T>(response: Response, acceptStatuses: number[]): Promise<T> {
  const headerRequestId = response.headers.get(REQUEST_ID_HEADER)
  const retryAfter = retryAfterSeconds(response.headers.get('Retry-After'))
  if (response.status === 204 || response.status === 205) return undefined as T

  let text: string
  try {
    text = await response.text()
  } catch (cause) {
    throw new ApiError({
      status: response.status,
      code: CLIENT_ERROR_CODES.NETWORK,
      message: 'Response body could not be read',
      requestId: headerRequestId,
      cause,
    })
  }
  const parsed = parseJson(text)
  const ok = response.ok || acceptStatuses.includes(response.status)

  if (ok) {
    if (text === '') return undefined as T
    if (parsed.ok) return parsed.value as T
    throw new ApiError({
      status: response.status,
      code: CLIENT_ERROR_CODES.INVALID_RESPONSE,
      message: 'Response is not valid JSON',
      requestId: headerRequestId,
      body: text,
    })
  }

  const envelope = parsed.ok ? readEnvelope(parsed.value) : null
  if (parsed.ok && envelope) {
    throw new ApiError({
      status: response.status,
      code: envelope.code,
      message: envelope.message,
      details: envelope.details,
      requestId: envelope.requestId ?? headerRequestId,
      body: parsed.value,
      retryAfter,
    })
  }
  throw new ApiError({
    status: response.status,
    code: CLIENT_ERROR_CODES.HTTP,
    message: `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`,
    requestId: headerRequestId,
    body: parsed.ok ? parsed.value : text,
    retryAfter,
  })
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text === '') return { ok: false }
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch {
    return { ok: false }
  }
}

interface Envelope {
  code: string
  message: string
  details: ApiErrorDetail[]
  requestId: string | null
}

/** Reads {"error":{…}}; returns null when the body is not the hub's envelope. */
function readEnvelope(body: unknown): Envelope | null {
  if (!isRecord(body) || !isRecord(body.error)) return null
  const { code, message, details, request_id: requestId } = body.error
  if (typeof code !== 'string' || code === '') return null
  return {
    code,
    message: typeof message === 'string' ? message : code,
    details: Array.isArray(details)
      ? details.filter(isRecord).map((d) => ({
          field: typeof d.field === 'string' ? d.field : '',
          code: typeof d.code === 'string' ? d.code : '',
          params: readParams(d.params),
          message: typeof d.message === 'string' ? d.message : '',
          ...(typeof d.limit === 'number' ? { limit: d.limit } : {}),
          ...(typeof d.used === 'number' ? { used: d.used } : {}),
        }))
      : [],
    requestId: typeof requestId === 'string' && requestId !== '' ? requestId : null,
  }
}

function readParams(value: unknown): Record<string, string | number> {
  const out: Record<string, string | number> = {}
  if (!isRecord(value)) return out
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string' || typeof v === 'number') out[k] = v
  return out
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The app's shared client; main.ts sets its base from the document. */
export const api = new ApiClient()
