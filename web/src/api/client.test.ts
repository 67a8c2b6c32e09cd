import { describe, expect, it, vi } from 'vitest'
import { json, routeFetch } from '@/testing/fakeFetch'
import { ApiClient, ApiError, type AuthProvider } from './client'

function headersOf(init: RequestInit | undefined): Record<string, string> {
  return (init?.headers ?? {}) as Record<string, string>
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError)
    return err as ApiError
  }
  throw new Error('expected the request to fail')
}

describe('ApiClient URLs', () => {
  it('prefixes every path with the mount base', async () => {
    const { fetch, calls } = routeFetch({ '/hub/api/v1/version': json({ version: 'v1' }) })
    const client = new ApiClient({ base: '/hub/', fetch })

    await expect(client.get('api/v1/version')).resolves.toEqual({ version: 'v1' })
    await client.get('/api/v1/version') // a leading slash is still relative to the base
    expect(calls.map((c) => c.url)).toEqual(['/hub/api/v1/version', '/hub/api/v1/version'])
  })

  it('adds a trailing slash to the base and encodes the query', () => {
    const client = new ApiClient({ base: '/hub' })
    expect(client.url('readyz')).toBe('/hub/readyz')
    expect(client.url('api/v1/x', { q: 'a b&c', limit: 50, cursor: undefined, flag: null })).toBe(
      '/hub/api/v1/x?q=a+b%26c&limit=50',
    )
    expect(new ApiClient().url('readyz')).toBe('/readyz')
  })
})

describe('ApiClient JSON', () => {
  it('sends JSON bodies and asks for JSON', async () => {
    const { fetch, calls } = routeFetch({ '/api/v1/things': json({ id: 'x' }, 201) })
    const client = new ApiClient({ fetch })

    await expect(client.post('api/v1/things', { name: 'Ana' })).resolves.toEqual({ id: 'x' })
    const [call] = calls
    expect(call?.init.method).toBe('POST')
    expect(call?.init.body).toBe('{"name":"Ana"}')
    expect(headersOf(call?.init)).toMatchObject({
      Accept: 'application/json',
      'Content-Type': 'application/json',
    })
  })

  it('sends no body and no Content-Type on GET', async () => {
    const { fetch, calls } = routeFetch({ '/readyz': json({ status: 'ok' }) })
    await new ApiClient({ fetch }).get('readyz')
    expect(calls[0]?.init.body).toBeUndefined()
    expect(headersOf(calls[0]?.init)['Content-Type']).toBeUndefined()
  })

  it('answers undefined for 204 No Content', async () => {
    const { fetch } = routeFetch({ '/api/v1/things/1': new Response(null, { status: 204 }) })
    await expect(new ApiClient({ fetch }).delete('api/v1/things/1')).resolves.toBeUndefined()
  })

  it('rejects a 200 whose body is not JSON', async () => {
    const { fetch } = routeFetch({ '/readyz': new Response('<html>proxy page</html>', { status: 200 }) })
    const err = await failure(new ApiClient({ fetch }).get('readyz'))
    expect(err).toMatchObject({ status: 200, code: 'INVALID_RESPONSE', body: '<html>proxy page</html>' })
  })

  it('returns the body of an accepted non-2xx status', async () => {
    const body = { status: 'unavailable', checks: { database: 'error: down' } }
    const { fetch } = routeFetch({ '/readyz': json(body, 503) })
    await expect(new ApiClient({ fetch }).get('readyz', { acceptStatuses: [503] })).resolves.toEqual(body)
  })
})

describe('ApiClient errors', () => {
  it('parses the error envelope', async () => {
    const envelope = {
      error: {
        code: 'VALIDATION_ERROR',
        message: 'Invalid input',
        details: [
          { field: 'name', message: 'is required' },
          { field: 'password', code: 'too_short', params: { min: 10, bad: { x: 1 } }, message: 'too short' },
        ],
        request_id: 'req-envelope',
      },
    }
    const { fetch } = routeFetch({ '/api/v1/things': json(envelope, 422, { 'X-Request-Id': 'req-header' }) })
    const err = await failure(new ApiClient({ fetch }).post('api/v1/things', {}))

    expect(err.status).toBe(422)
    expect(err.code).toBe('VALIDATION_ERROR')
    expect(err.message).toBe('Invalid input')
    expect(err.details).toEqual([
      { field: 'name', code: '', params: {}, message: 'is required' },
      { field: 'password', code: 'too_short', params: { min: 10 }, message: 'too short' },
    ])
    expect(err.requestId).toBe('req-envelope')
    expect(err.body).toEqual(envelope)
  })

  it('takes the request id from X-Request-Id when the envelope has none', async () => {
    const { fetch } = routeFetch({
      '/api/v1/x': json({ error: { code: 'NOT_FOUND', message: 'Not found' } }, 404, { 'X-Request-Id': 'req-42' }),
    })
    const err = await failure(new ApiClient({ fetch }).get('api/v1/x'))
    expect(err).toMatchObject({ status: 404, code: 'NOT_FOUND', requestId: 'req-42', details: [] })
  })

  it('handles a non-JSON error body', async () => {
    const { fetch } = routeFetch({
      '/api/v1/x': new Response('<h1>Bad Gateway</h1>', {
        status: 502,
        statusText: 'Bad Gateway',
        headers: { 'Content-Type': 'text/html', 'X-Request-Id': 'req-502' },
      }),
    })
    const err = await failure(new ApiClient({ fetch }).get('api/v1/x'))
    expect(err).toMatchObject({
      status: 502,
      code: 'HTTP_ERROR',
      message: 'HTTP 502 Bad Gateway',
      requestId: 'req-502',
      body: '<h1>Bad Gateway</h1>',
    })
  })

  it('handles a JSON error body that is not the envelope', async () => {
    const { fetch } = routeFetch({ '/api/v1/x': json({ message: 'nope' }, 500) })
    const err = await failure(new ApiClient({ fetch }).get('api/v1/x'))
    expect(err).toMatchObject({ status: 500, code: 'HTTP_ERROR', requestId: null, body: { message: 'nope' } })
  })

  it('reports a network failure as status 0', async () => {
    const fetch = vi.fn().mockRejectedValue(new TypeError('Failed to fetch'))
    const err = await failure(new ApiClient({ fetch }).get('readyz'))
    expect(err).toMatchObject({ status: 0, code: 'NETWORK_ERROR', requestId: null })
    expect(err.message).toContain('Failed to fetch')
    expect(err.cause).toBeInstanceOf(TypeError)
  })

  it('gives up after the timeout', async () => {
    const fetch = vi.fn(
      (_url: string, init: RequestInit) =>
        new Promise<Response>((_resolve, reject) => {
          init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))
        }),
    )
    const err = await failure(new ApiClient({ fetch: fetch as typeof globalThis.fetch, timeoutMs: 5 }).get('readyz'))
    expect(err).toMatchObject({ status: 0, code: 'TIMEOUT' })
  })

  it('reports a caller abort as ABORTED', async () => {
    const controller = new AbortController()
    controller.abort()
    const fetch = vi.fn((_url: string, init: RequestInit) =>
      init.signal?.aborted ? Promise.reject(new DOMException('aborted', 'AbortError')) : Promise.resolve(json({})),
    )
    const client = new ApiClient({ fetch: fetch as typeof globalThis.fetch })
    const err = await failure(client.get('readyz', { signal: controller.signal }))
    expect(err.code).toBe('ABORTED')
  })
})

describe('ApiClient auth provider', () => {
  it('sends no Authorization header without a provider', async () => {
    const { fetch, calls } = routeFetch({ '/api/v1/me': json({}) })
    await new ApiClient({ fetch }).get('api/v1/me')
    expect(headersOf(calls[0]?.init).Authorization).toBeUndefined()
  })

  it('sends the bearer token and stops after the provider is removed', async () => {
    const { fetch, calls } = routeFetch({ '/api/v1/me': json({}) })
    const client = new ApiClient({ fetch })
    client.setAuthProvider({ getToken: async () => 'tok-1' })
    await client.get('api/v1/me')
    client.setAuthProvider(null)
    await client.get('api/v1/me')
    expect(headersOf(calls[0]?.init).Authorization).toBe('Bearer tok-1')
    expect(headersOf(calls[1]?.init).Authorization).toBeUndefined()
  })

  it('retries once with a fresh token after a successful refresh', async () => {
    let token = 'expired'
    const fetch = vi.fn(async (_url: string, init: RequestInit) =>
      headersOf(init).Authorization === 'Bearer fresh'
        ? json({ id: 'me' })
        : json({ error: { code: 'UNAUTHORIZED', message: 'expired' } }, 401),
    )
    const provider: AuthProvider = {
      getToken: () => token,
      onUnauthorized: vi.fn(async (err: ApiError) => {
        expect(err.status).toBe(401)
        token = 'fresh'
        return true
      }),
    }
    const client = new ApiClient({ fetch: fetch as typeof globalThis.fetch })
    client.setAuthProvider(provider)

    await expect(client.get('api/v1/me')).resolves.toEqual({ id: 'me' })
    expect(provider.onUnauthorized).toHaveBeenCalledTimes(1)
    expect(fetch).toHaveBeenCalledTimes(2)
  })

  it('lets the 401 through when the refresh fails, without looping', async () => {
    const fetch = vi.fn(async () => json({ error: { code: 'UNAUTHORIZED', message: 'no' } }, 401))
    for (const onUnauthorized of [async () => false, async () => Promise.reject(new Error('refresh down'))]) {
      fetch.mockClear()
      const client = new ApiClient({ fetch: fetch as typeof globalThis.fetch })
      client.setAuthProvider({ getToken: () => 't', onUnauthorized })
      const err = await failure(client.get('api/v1/me'))
      expect(err).toMatchObject({ status: 401, code: 'UNAUTHORIZED' })
      expect(fetch).toHaveBeenCalledTimes(1)
    }
  })

  it('does not retry more than once when the retried request is also 401', async () => {
    const fetch = vi.fn(async () => json({ error: { code: 'UNAUTHORIZED', message: 'no' } }, 401))
    const onUnauthorized = vi.fn(async () => true)
    const client = new ApiClient({ fetch: fetch as typeof globalThis.fetch })
    client.setAuthProvider({ getToken: () => 't', onUnauthorized })
    const err = await failure(client.get('api/v1/me'))
    expect(err.status).toBe(401)
    // The provider hears about the second 401 too (to end the session), but nothing is retried.
    expect(onUnauthorized.mock.calls.map((c) => (c as unknown[])[1])).toEqual([
      { token: 't', retried: false },
      { token: 't', retried: true },
    ])
    expect(fetch).toHaveBeenCalledTimes(2)
  })

  it('leaves the provider out of requests made with auth: false', async () => {
    const { fetch, calls } = routeFetch({
      '/api/v1/auth/login': json({ error: { code: 'UNAUTHORIZED', message: 'wrong password' } }, 401),
    })
    const onUnauthorized = vi.fn(async () => true)
    const client = new ApiClient({ fetch })
    client.setAuthProvider({ getToken: () => 't', onUnauthorized })
    const err = await failure(client.post('api/v1/auth/login', {}, { auth: false }))
    expect(err.message).toBe('wrong password')
    expect(headersOf(calls[0]?.init).Authorization).toBeUndefined()
    expect(onUnauthorized).not.toHaveBeenCalled()
  })

  it('reads Retry-After from a 429', async () => {
    const { fetch } = routeFetch({
      '/api/v1/auth/login': json({ error: { code: 'RATE_LIMITED', message: 'slow down' } }, 429, { 'Retry-After': '42' }),
    })
    const err = await failure(new ApiClient({ fetch }).post('api/v1/auth/login', {}))
    expect(err).toMatchObject({ status: 429, code: 'RATE_LIMITED', retryAfter: 42 })
  })
})

describe('ApiClient credentials', () => {
  it('sends same-origin cookies by default and none when configured to omit them', async () => {
    const { fetch, calls } = routeFetch({ '/api/v1/version': json({ version: 'v1' }) })
    const console = new ApiClient({ fetch })
    await console.get('api/v1/version')
    expect(calls[0]?.init.credentials).toBe('same-origin')
    expect('cache' in (calls[0]?.init ?? {})).toBe(false)

    const embed = new ApiClient({ fetch })
    embed.configure({ credentials: 'omit', cache: 'no-store' })
    await embed.get('api/v1/version')
    expect(calls[1]?.init.credentials).toBe('omit')
    expect(calls[1]?.init.cache).toBe('no-store')
  })
})
