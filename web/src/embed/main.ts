/**
 * Entry of the embed pages (embed.html): /embed/app/{feature}?account=… (panels opened by the
 * dashboard script) and /embed/conversation (Chatwoot's Dashboard App tab). A separate bundle
 * without the console's router, sharing its API client, API modules and Pinia stores (the
 * instance-token session is the client's auth provider); no storage of any credential.
 */
import '@/styles/main.css'
import { createPinia } from 'pinia'
import { createApp, watch } from 'vue'
import { readBase } from '@/lib/base'
import { api } from '@/api/client'
import { watchAppContext } from './appContext'
import EmbedApp from './EmbedApp.vue'
import { readFrameOrigins } from './handshake'
import { createEmbedI18n } from './i18n'
import { AppContextKey, SessionKey } from './keys'
import { embedRoute, requestedAccount } from './route'
import { createEmbedSession } from './session'
import { applyTheme } from './theme'

const base = readBase()
// The console's client: the embed pages send no cookies; the session supplies the instance token.
api.configure({ base, credentials: 'omit', cache: 'no-store' })
const session = createEmbedSession({
  win: window,
  api,
  frameOrigins: readFrameOrigins(),
  requestedAccount: requestedAccount(window.location.search),
  loginURL: api.url('login', { popup: '1' }),
})
// Subscribed before the session starts: Chatwoot may post the context right after load.
const appContext = watchAppContext(session)
session.start()

const i18n = createEmbedI18n(session.state.locale)
watch(
  () => session.state.locale,
  (locale) => {
    i18n.global.locale.value = locale
    document.documentElement.lang = locale
  },
  { immediate: true },
)
watch(() => session.state.theme, (theme) => applyTheme(theme), { immediate: true })

createApp(EmbedApp, { route: embedRoute(window.location.pathname, base) })
  .use(createPinia())
  .provide(SessionKey, session)
  .provide(AppContextKey, appContext)
  .use(i18n)
  .mount('#app')
