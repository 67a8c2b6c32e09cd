/**
 * localStorage that never throws: inside a cross-origin iframe (the hub embedded in Chatwoot)
 * browsers may block or partition storage, and a preference that cannot be saved must not
 * break the app.
 */
export function readStored(key: string): string | null {
  try {
    return window.localStorage.getItem(key)
  } catch {
    return null
  }
}

export function writeStored(key: string, value: string): void {
  try {
    window.localStorage.setItem(key, value)
  } catch {
    // Storage unavailable: the preference lasts for this page only.
  }
}
