import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import { createAppI18n } from '@/i18n'
import { auditActionLabel, auditCodeKey } from './auditNames'

// Every action code the hub writes to the audit log. The Go test internal/audit/labels_test.go finds them in the
// sources and fails when one has no label; this list checks the lookup itself.
const HUB_ACTIONS = [
  'account.created', 'account.deletion_cancelled', 'account.deletion_requested', 'account.exported',
  'account.features.updated', 'account.joined', 'account.plan.updated', 'account.provisioned', 'account.purged',
  'account.reactivated', 'account.suspended', 'account.updated', 'api_key.created', 'api_key.revoked',
  'auth.chatwoot_sso', 'auth.login.failed', 'auth.login.succeeded', 'auth.logout', 'auth.refresh.reused',
  'chat.archived', 'chat.unarchived', 'chat.member.added', 'chat.member.left', 'chat.member.removed',
  'chat.member.removed_from_account', 'chat.member.role_changed', 'chat.message.deleted', 'chat.retention.updated',
  'chat.retention.deleted', 'chat.room.created', 'chatwoot.identity.linked', 'chatwoot.installed', 'chatwoot.linked',
  'chatwoot.origin_changed', 'chatwoot.unlinked', 'chatwoot.url_token.set', 'chatwoot.webhook_secret.set',
  'contact.erased', 'gateway_settings.updated', 'job.discarded', 'job.retried', 'kanban.board.created', 'kanban.board.deleted',
  'kanban.board.updated', 'kanban.stage.deleted', 'provider.created', 'provider.deleted', 'provider.health_changed',
  'provider.origin_changed', 'provider.updated', 'provider_instance.connect_started', 'provider_instance.created',
  'provider_instance.deleted', 'provider_instance.inbox_linked', 'provider_instance.logged_out', 'session.revoked',
  'user.activated', 'user.created', 'user.email.released', 'user.erased', 'user.invitation.accepted',
  'user.invitation.declined', 'user.invited', 'user.join.refused_unverified', 'user.password.changed',
  'user.password.reset', 'user.password.reset_requested', 'user.provisioned', 'user.removed', 'user.totp.enabled',
  'user.updated', 'webhook_event.replayed',
]

describe('audit action labels', () => {
  it('has a label for every action the hub writes, in both languages, and no two codes share one', () => {
    expect(new Set(HUB_ACTIONS.map(auditCodeKey)).size).toBe(HUB_ACTIONS.length)
    for (const locale of ['en', 'pt-BR'] as const) {
      const { t, te } = createAppI18n(locale).global
      const has = (k: string) => te(k, locale)
      for (const code of HUB_ACTIONS) {
        const label = auditActionLabel(code, (k) => t(k), has)
        expect(label, `${locale} ${code}`).not.toBe(code)
      }
    }
  })

  it('shows the code, not the fallback language, when the current language lacks the label', () => {
    const i18n = createI18n({
      legacy: false,
      locale: 'pt-BR',
      fallbackLocale: 'en',
      missingWarn: false,
      fallbackWarn: false,
      messages: { en: { AUDIT: { ACTIONS: { USER_INVITED: 'Person invited' } } }, 'pt-BR': {} },
    })
    const { t, te, locale } = i18n.global
    const has = (k: string) => te(k, locale.value)
    expect(auditActionLabel('user.invited', (k) => t(k), has)).toBe('user.invited')
    locale.value = 'en'
    expect(auditActionLabel('user.invited', (k) => t(k), has)).toBe('Person invited')
  })
})
