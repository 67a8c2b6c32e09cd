import { describe, expect, it, vi } from 'vitest'
import { ApiClient } from '@/api/client'
import { json } from '@/testing/fakeFetch'
import { fakeHub } from '@/testing/fakeHub'
import { createHubRealtime, websocketURL } from './hubRealtime'
import type { SocketLike } from './realtime'

describe('the hub binding', () => {
  it('builds ws and wss URLs on the page host under the mount path', () => {
    expect(websocketURL('/hub/api/v1/realtime?ticket=wpt_1', { protocol: 'https:', host: 'chat.example.com' })).toBe(
      'wss://chat.example.com/hub/api/v1/realtime?ticket=wpt_1',
    )
    expect(websocketURL('/api/v1/realtime', { protocol: 'http:', host: '127.0.0.1:8080' })).toBe('ws://127.0.0.1:8080/api/v1/realtime')
  })

  it('mints the ticket for the account with the client credentials and opens the socket with it', async () => {
    const hub = fakeHub({ 'POST /hub/api/v1/realtime/tickets': () => json({ ticket: 'wpt_abc', expires_at: 'x', account_id: 'a1' }, 201) })
    const client = new ApiClient({ base: '/hub/', fetch: hub.fetch })
    client.setAuthProvider({ getToken: () => 'tok-1' })
    const urls: string[] = []
    const rt = createHubRealtime(client, 'a1', {
      connectivity: null,
      createSocket: (url) => {
        urls.push(url)
        return { readyState: 0, send: vi.fn(), close: vi.fn(), onopen: null, onmessage: null, onclose: null, onerror: null } as SocketLike
      },
    })
    rt.subscribe('board:b1', 3, { onEvent: vi.fn(), onResync: vi.fn() })
    await vi.waitFor(() => expect(urls).toHaveLength(1))
    expect(hub.requests[0]).toMatchObject({ body: { account_id: 'a1' }, token: 'tok-1' })
    expect(urls[0]).toBe(`ws://${window.location.host}/hub/api/v1/realtime?ticket=wpt_abc`)
    rt.stop()
  })
})
