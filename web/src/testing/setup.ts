/**
 * Runs before every test file: auth stores get no Web Locks and no BroadcastChannel unless a
 * test hands them fakes (Node's real BroadcastChannel would connect stores across tests).
 */
import { afterEach } from 'vitest'
import { setAuthEnvironment } from '@/stores/auth'

setAuthEnvironment({ locks: null, openChannel: () => null })
afterEach(() => {
  setAuthEnvironment({ locks: null, openChannel: () => null })
})
