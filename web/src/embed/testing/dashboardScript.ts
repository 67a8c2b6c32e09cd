/**
 * Loads the real dashboard script (internal/embed/assets/dashboard-script.js) for unit tests, with
 * the hub URL baked in the way the server does it. With the test hook set, the script hands back
 * its helpers (and its start function) instead of running.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const SCRIPT_PATH = join(dirname(fileURLToPath(import.meta.url)), '../../../../internal/embed/assets/dashboard-script.js')

export interface ScriptSession {
  accessToken: string
  client: string
  uid: string
}

export interface DashboardScriptExports {
  HUB_URL: string
  originOf(url: string): string
  accountFromPath(pathname: string): number | null
  parseSessionCookie(cookie: unknown, nowMs?: number): ScriptSession | null
  isHello(data: unknown): boolean
  navigatePath(data: unknown, chatwootAccountId: unknown): string | null
  frameOnOrigin(frame: Element, origin: string, baseHref: string): boolean
  headerClasses(donor: string, active: boolean): string
  labelsFor(locale: string): Record<string, string>
  badgeText(unread: number, mentions: number): string
  roomMuted(room: unknown, nowMs: number): boolean
  chatNotifies(message: unknown, room: unknown, me: string, nowMs: number): boolean
  start(win: unknown): void
}

export function scriptSource(hubURL: string): string {
  return readFileSync(SCRIPT_PATH, 'utf8').split('__WHATPRO_HUB_URL__').join(hubURL)
}

export function loadDashboardScript(hubURL = 'https://hub.example.com'): DashboardScriptExports {
  const hook: { exports?: DashboardScriptExports } = {}
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- test-only: evaluates the shipped file
  new Function('window', scriptSource(hubURL))({ __whatproDashboardScriptTest: hook })
  if (!hook.exports) throw new Error('the dashboard script did not fill the test hook')
  return hook.exports
}
