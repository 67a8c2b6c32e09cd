import './styles/main.css'
import { createPinia } from 'pinia'
import { createApp, watch } from 'vue'
import { createWebHistory } from 'vue-router'
import { api } from './api/client'
import App from './App.vue'
import { createAppI18n } from './i18n'
import { readBase } from './lib/base'
import { createAppRouter } from './router'
import { useUiStore } from './stores/ui'

// The Go server writes the mount path (e.g. "/hub/") into index.html; the router and every
// API request are rooted there.
const base = readBase()
api.configure({ base })

const pinia = createPinia()
const ui = useUiStore(pinia)
ui.init()

const i18n = createAppI18n(ui.locale)
watch(
  () => ui.locale,
  (locale) => {
    i18n.global.locale.value = locale
  },
)

createApp(App).use(pinia).use(i18n).use(createAppRouter(createWebHistory(base))).mount('#app')
