/**
 * Browser notifications for the console's chat (inside Chatwoot the dashboard script shows them,
 * from Chatwoot's own origin). Shown only when the person allowed them; asking needs a click.
 */
import type { Notifier } from '@/stores/chat'

export type Permission = 'default' | 'granted' | 'denied' | 'unsupported'

export function permission(): Permission {
  if (typeof Notification === 'undefined') return 'unsupported'
  return Notification.permission
}

export async function askPermission(): Promise<Permission> {
  if (typeof Notification === 'undefined') return 'unsupported'
  try {
    return await Notification.requestPermission()
  } catch {
    return permission()
  }
}

/** A notifier that shows a Notification when permitted; a click focuses the page on the room. */
export function browserNotifier(openRoom: (roomId: string) => void): Notifier {
  return ({ title, body, roomId, tag }) => {
    if (permission() !== 'granted') return
    try {
      const n = new Notification(title, { body, tag })
      n.onclick = () => {
        window.focus()
        openRoom(roomId)
        n.close()
      }
    } catch {
      // Some browsers allow notifications only from a service worker: nothing is shown.
    }
  }
}
