/// <reference types="vite/client" />

import 'vue-router'

declare module 'vue-router' {
  interface RouteMeta {
    /** i18n key of the page title shown in the header and the document title. */
    titleKey?: string
    /** Reachable without a session (the login page). */
    public?: boolean
    /** Permission the caller needs in the route's :accountId; without it the guard redirects. */
    permission?: string
    /** Feature flag the route's :accountId must have on; off, the guard shows that it is off. */
    feature?: string
    /** The page fills the main area and scrolls inside itself (the Kanban). */
    fullBleed?: boolean
  }
}
