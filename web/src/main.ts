import './styles/main.css'
import { createPinia } from 'pinia'
import { createApp } from 'vue'
import { createWebHistory } from 'vue-router'
import { api } from './api/client'
import App from './App.vue'
import { createAppI18n, followUiLocale } from './i18n'
import { readBase } from './lib/base'
import { createAppRouter } from './router'
import { useAuthStore } from './stores/auth'
import { useUiStore } from './stores/ui'

// The Go server writes the mount path (e.g. "/hub/") into index.html; the router and every
// API request are rooted there.
const base = readBase()
api.configure({ base })

const pinia = createPinia()
const ui = useUiStore(pinia)
ui.init()

// A reload keeps the session: the refresh cookie becomes a new access token before the first
// route is resolved (the router's guard waits for it).
void useAuthStore(pinia).init()

const i18n = createAppI18n(ui.locale)
followUiLocale(i18n, ui)

const app = createApp(App).use(pinia).use(i18n)
app.use(createAppRouter(createWebHistory(base))).mount('#app')
