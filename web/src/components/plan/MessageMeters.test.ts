import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import en from '@/locales/en.json'
import MessageMeters from './MessageMeters.vue'

const i18n = () => createI18n({ legacy: false, locale: 'en', messages: { en } })
const usage = {
  from: '2026-02-20',
  to: '2026-03-05',
  metrics: [
    { metric: 'messages_in', series: [{ day: '2026-02-27', value: 50 }, { day: '2026-03-02', value: 7 }, { day: '2026-03-04', value: 3 }] },
    { metric: 'messages_out', series: [{ day: '2026-03-03', value: 5 }] },
  ],
}

describe('MessageMeters', () => {
  it('counts this month received and sent against the plan limit', () => {
    const w = mount(MessageMeters, {
      props: { usage, limit: { name: 'max_messages_per_month', limit: 100, used: 15 }, today: new Date('2026-03-05T12:00:00Z') },
      global: { plugins: [i18n()] },
    })
    expect(w.get('[data-testid="meter-messages-in"]').text()).toContain('10 received')
    expect(w.get('[data-testid="meter-messages-out"]').text()).toContain('5 sent')
    expect(w.get('[data-testid="message-meters-text"]').text()).toBe('15 of 100')
    expect(w.find('[data-testid="message-meters-over"]').exists()).toBe(false)
  })

  it('warns that replies are refused over the limit', () => {
    const w = mount(MessageMeters, {
      props: { usage, limit: { name: 'max_messages_per_month', limit: 15, used: 15 }, today: new Date('2026-03-05T12:00:00Z') },
      global: { plugins: [i18n()] },
    })
    expect(w.get('[data-testid="message-meters"]').attributes('data-over')).toBe('true')
    expect(w.get('[data-testid="message-meters-over"]').text()).toContain('still reach Chatwoot')
  })
})
