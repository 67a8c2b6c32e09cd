import { createRouter, type RouterHistory, type RouteRecordRaw } from 'vue-router'
import NotFoundPage from './pages/NotFoundPage.vue'
import StatusPage from './pages/StatusPage.vue'

export const routes: RouteRecordRaw[] = [
  { path: '/', name: 'status', component: StatusPage, meta: { titleKey: 'STATUS.TITLE' } },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: NotFoundPage,
    meta: { titleKey: 'NOT_FOUND.TITLE' },
  },
]

/** main.ts passes createWebHistory(base); tests pass createMemoryHistory(). */
export function createAppRouter(history: RouterHistory) {
  return createRouter({ history, routes })
}
