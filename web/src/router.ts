import { createRouter, type RouteLocationNormalized, type RouteLocationRaw, type RouterHistory, type RouteRecordRaw } from 'vue-router'
import DashboardLayout from './layouts/DashboardLayout.vue'
import AccountDataPage from './pages/AccountDataPage.vue'
import AccountPage from './pages/AccountPage.vue'
import AccountsPage from './pages/AccountsPage.vue'
import ApiDocsPage from './pages/ApiDocsPage.vue'
import ApiKeysPage from './pages/ApiKeysPage.vue'
import AuditLogPage from './pages/AuditLogPage.vue'
import ChatPage from './pages/ChatPage.vue'
import ChatwootPage from './pages/ChatwootPage.vue'
import HubUsagePage from './pages/HubUsagePage.vue'
import InboxesPage from './pages/InboxesPage.vue'
import JobsPage from './pages/JobsPage.vue'
import KanbanPage from './pages/KanbanPage.vue'
import SignInHandoffPage from './pages/SignInHandoffPage.vue'
import LinkChatwootPage from './pages/LinkChatwootPage.vue'
import ForgotPasswordPage from './pages/ForgotPasswordPage.vue'
import InvitationPage from './pages/InvitationPage.vue'
import ResetPasswordPage from './pages/ResetPasswordPage.vue'
import LoginPage from './pages/LoginPage.vue'
import NotAllowedPage from './pages/NotAllowedPage.vue'
import NotFoundPage from './pages/NotFoundPage.vue'
import NumbersPage from './pages/NumbersPage.vue'
import PlansPage from './pages/PlansPage.vue'
import PlanUsagePage from './pages/PlanUsagePage.vue'
import ProfilePage from './pages/ProfilePage.vue'
import ProvidersPage from './pages/ProvidersPage.vue'
import SessionsPage from './pages/SessionsPage.vue'
import StatusPage from './pages/StatusPage.vue'
import UsersPage from './pages/UsersPage.vue'
import GatewayPage from './pages/GatewayPage.vue'
import WebhookEventsPage from './pages/WebhookEventsPage.vue'
import { useAccountsStore } from './stores/accounts'
import { useAuthStore } from './stores/auth'
import { useFeaturesStore } from './stores/features'
import { handoffLocation, loginLocation, safeRedirect } from './lib/loginRedirect'
import { keepSecret, secretInHash } from './lib/oneTimeSecret'

export const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: LoginPage, meta: { public: true, titleKey: 'LOGIN.TITLE' } },
  { path: '/forgot-password', name: 'forgot-password', component: ForgotPasswordPage, meta: { public: true, titleKey: 'FORGOT_PASSWORD.TITLE' } },
  { path: '/reset-password', name: 'reset-password', component: ResetPasswordPage, meta: { public: true, titleKey: 'RESET_PASSWORD.TITLE' } },
  { path: '/invitation', name: 'invitation', component: InvitationPage, meta: { public: true, titleKey: 'INVITATION.TITLE' } },
  // The sign-in popup of an embedded page: signed in, it hands an instance token to its opener.
  { path: '/sign-in/handoff', name: 'handoff', component: SignInHandoffPage, meta: { titleKey: 'HANDOFF.TITLE' } },
  {
    path: '/',
    component: DashboardLayout,
    children: [
      { path: '', name: 'status', component: StatusPage, meta: { titleKey: 'STATUS.TITLE' } },
      { path: 'accounts', name: 'accounts', component: AccountsPage, meta: { titleKey: 'ACCOUNTS.TITLE' } },
      { path: 'accounts/:accountId', name: 'account', component: AccountPage, meta: { titleKey: 'ACCOUNT.TITLE' } },
      {
        path: 'accounts/:accountId/users',
        name: 'users',
        component: UsersPage,
        meta: { titleKey: 'USERS.TITLE', permission: 'users:read' },
      },
      {
        path: 'accounts/:accountId/api-keys',
        name: 'api-keys',
        component: ApiKeysPage,
        meta: { titleKey: 'API_KEYS.TITLE', permission: 'keys:read' },
      },
      {
        path: 'accounts/:accountId/audit-log',
        name: 'audit',
        component: AuditLogPage,
        meta: { titleKey: 'AUDIT.TITLE', permission: 'audit:read' },
      },
      {
        path: 'accounts/:accountId/chatwoot',
        name: 'chatwoot',
        component: ChatwootPage,
        meta: { titleKey: 'CHATWOOT.TITLE', permission: 'chatwoot:read' },
      },
      {
        path: 'accounts/:accountId/inboxes',
        name: 'inboxes',
        component: InboxesPage,
        meta: { titleKey: 'INBOXES.TITLE', permission: 'inboxes:read' },
      },
      {
        path: 'accounts/:accountId/boards/:boardId?',
        name: 'kanban',
        component: KanbanPage,
        meta: { titleKey: 'KANBAN.TITLE', permission: 'kanban:read', feature: 'kanban', fullBleed: true },
      },
      {
        path: 'accounts/:accountId/chat/:roomId?',
        name: 'chat',
        component: ChatPage,
        meta: { titleKey: 'CHAT.TITLE', permission: 'chat:read', feature: 'internal_chat', fullBleed: true },
      },
      {
        path: 'accounts/:accountId/providers',
        name: 'providers',
        component: ProvidersPage,
        meta: { titleKey: 'PROVIDERS.TITLE', permission: 'providers:read', feature: 'gateway' },
      },
      {
        path: 'accounts/:accountId/numbers',
        name: 'numbers',
        component: NumbersPage,
        meta: { titleKey: 'NUMBERS.TITLE', permission: 'providers:read', feature: 'gateway' },
      },
      {
        path: 'accounts/:accountId/gateway',
        name: 'gateway',
        component: GatewayPage,
        meta: { titleKey: 'GATEWAY.TITLE', permission: 'providers:read', feature: 'gateway' },
      },
      {
        path: 'accounts/:accountId/webhook-events',
        name: 'webhook-events',
        component: WebhookEventsPage,
        meta: { titleKey: 'WEBHOOK_EVENTS.TITLE', permission: 'webhooks:read' },
      },
      {
        path: 'accounts/:accountId/data',
        name: 'account-data',
        component: AccountDataPage,
        meta: { titleKey: 'ACCOUNT_DATA.TITLE', permission: 'account:write' },
      },
      {
        path: 'accounts/:accountId/plan',
        name: 'plan',
        component: PlanUsagePage,
        meta: { titleKey: 'PLAN.TITLE', permission: 'account:read' },
      },
      { path: 'plans', name: 'plans', component: PlansPage, meta: { titleKey: 'PLANS.TITLE', permission: 'platform:manage' } },
      { path: 'jobs', name: 'jobs', component: JobsPage, meta: { titleKey: 'JOBS.TITLE', permission: 'platform:manage' } },
      { path: 'usage', name: 'hub-usage', component: HubUsagePage, meta: { titleKey: 'HUB_USAGE.TITLE', permission: 'platform:manage' } },
      { path: 'api-docs', name: 'api-docs', component: ApiDocsPage, meta: { titleKey: 'API_DOCS.TITLE' } },
      { path: 'sessions', name: 'sessions', component: SessionsPage, meta: { titleKey: 'SESSIONS.TITLE' } },
      { path: 'profile', name: 'profile', component: ProfilePage, meta: { titleKey: 'PROFILE.TITLE' } },
      // Where the guard sends a page the caller may not see, or whose feature is off, saying why.
      { path: 'not-allowed', name: 'not-allowed', component: NotAllowedPage, meta: { titleKey: 'NOT_ALLOWED.TITLE' } },
      { path: 'link-chatwoot', name: 'link-chatwoot', component: LinkChatwootPage, meta: { titleKey: 'LINK_CHATWOOT.TITLE' } },
      {
        path: ':pathMatch(.*)*',
        name: 'not-found',
        component: NotFoundPage,
        meta: { titleKey: 'NOT_FOUND.TITLE' },
      },
    ],
  },
]

/**
 * Where the login page sends the caller back: the path and query, never the fragment, which may
 * hold a one-time secret (a Chatwoot link code): that waits in this tab instead.
 */
function returnPath(to: RouteLocationNormalized): string {
  if (to.name === 'link-chatwoot') {
    const code = secretInHash(to.hash, 'link-code')
    if (code) keepSecret('link-code', code)
  }
  return to.fullPath.split('#')[0] ?? to.path
}

/** The not-allowed page, told why and which page was asked for (its path, never its fragment). */
function notAllowed(to: RouteLocationNormalized, query: Record<string, string>): RouteLocationRaw {
  return { name: 'not-allowed', query: { ...query, from: to.path } }
}

function accountIdOf(route: RouteLocationNormalized): string | null {
  const id = route.params.accountId
  return typeof id === 'string' && id !== '' ? id : null
}

/** main.ts passes createWebHistory(base); tests pass createMemoryHistory(). Needs an active Pinia. */
export function createAppRouter(history: RouterHistory) {
  const router = createRouter({ history, routes })

  router.beforeEach(async (to) => {
    const auth = useAuthStore()
    await auth.init()
    const accounts = useAccountsStore()

    if (to.meta.public) {
      if (to.name !== 'login' || !auth.isAuthenticated) return true
      // Already signed in (a reload, another tab logged in): go where the login would have.
      if (to.query.popup === '1') return handoffLocation(to.query.account)
      const redirect = safeRedirect(to.query.redirect)
      if (redirect) return redirect
      await accounts.ensureMe().catch(() => undefined)
      return auth.isAuthenticated ? accounts.homeLocation() : true
    }

    if (!auth.isAuthenticated) return loginLocation(returnPath(to), auth.signOutReason)
    try {
      await accounts.ensureMe()
    } catch {
      // A 401 signed the tab out; anything else lets the page show its own error.
      if (!auth.isAuthenticated) return loginLocation(returnPath(to), auth.signOutReason)
      return true
    }

    // Until two-factor authentication is on, the hub answers nothing but the profile's setup.
    if (accounts.mfaPending && to.name !== 'profile') return { name: 'profile' }

    const accountId = accountIdOf(to)
    const permission = to.meta.permission
    if (accountId) {
      if (!accounts.canOpen(accountId)) return accounts.homeLocation()
      if (permission && !accounts.can(accountId, permission)) {
        return notAllowed(to, { reason: 'permission', account: accountId })
      }
      const feature = to.meta.feature
      if (feature) {
        const flags = useFeaturesStore()
        await flags.ensure(accountId)
        if (!flags.allows(accountId, feature)) return notAllowed(to, { reason: 'feature', account: accountId, feature })
      }
    } else if (permission && !accounts.canGlobally(permission)) {
      // Hub-wide pages (plans, hub usage): only super admins hold permissions outside an account.
      return notAllowed(to, { reason: 'permission' })
    }
    return true
  })

  router.afterEach((to) => {
    const accountId = accountIdOf(to)
    if (accountId) useAccountsStore().currentAccountId = accountId
  })

  return router
}
