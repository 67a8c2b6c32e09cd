/** Test helpers: a fetch that answers from a route table and records what it was asked. */
import { vi } from 'vitest'

export interface Recorded {
  url: string
  init: RequestInit
}

type Answer = Response | (() => Response | Promise<Response>)

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  })
}

/** A fetch answering by exact URL; unknown URLs answer 404 with the hub's envelope. */
export function routeFetch(routes: Record<string, Answer>) {
  const calls: Recorded[] = []
  const fetch = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input)
    calls.push({ url, init })
    const answer = routes[url]
    if (!answer) return json({ error: { code: 'NOT_FOUND', message: 'no route' } }, 404)
    return typeof answer === 'function' ? answer() : answer.clone()
  })
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls }
}
