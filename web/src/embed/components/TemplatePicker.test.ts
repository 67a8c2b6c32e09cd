import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '@/api/client'
import { createEmbedI18n } from '../i18n'
import TemplatePicker from './TemplatePicker.vue'

const gateway = vi.hoisted(() => ({ conversationTemplates: vi.fn(), sendTemplate: vi.fn() }))
vi.mock('@/api/gateway', () => gateway)

const templates = {
  instance_id: 'inst_1',
  last_inbound_at: new Date(Date.now() - 48 * 3600 * 1000).toISOString(),
  data: [
    {
      id: '1', name: 'retomar_atendimento', language: 'pt_BR', category: 'UTILITY', parameter_format: 'POSITIONAL',
      header: '', body: 'Olá {{1}}, aqui é da {{2}}.', footer: '', header_parameters: null, body_parameters: ['1', '2'], unsupported: '',
    },
    {
      id: '2', name: 'pedido_pronto', language: 'pt_BR', category: 'UTILITY', parameter_format: 'NAMED',
      header: 'Pedido {{pedido}}', body: 'Olá {{nome}}.', footer: 'Rodapé', header_parameters: ['pedido'], body_parameters: ['nome'], unsupported: '',
    },
  ],
}

function setup() {
  return mount(TemplatePicker, { props: { accountId: 'acct_1', conversationId: 9 }, global: { plugins: [createEmbedI18n('en')] } })
}

beforeEach(() => {
  gateway.conversationTemplates.mockReset()
  gateway.sendTemplate.mockReset()
})
afterEach(() => vi.clearAllMocks())

describe('TemplatePicker', () => {
  it('lists the approved templates, says the window is closed and sends the filled variables', async () => {
    gateway.conversationTemplates.mockResolvedValue(templates)
    gateway.sendTemplate.mockResolvedValue({ id: 'r1', status: 'queued', text: 'x' })
    const w = setup()
    await flushPromises()
    expect(gateway.conversationTemplates).toHaveBeenCalledWith('acct_1', 9)
    expect(w.get('[data-testid="template-window"]').attributes('data-open')).toBe('false')
    expect(w.findAll('option')).toHaveLength(3)
    await w.get('[data-testid="template-select"]').setValue('retomar_atendimento/pt_BR')
    expect(w.get('[data-testid="template-send"]').attributes('disabled')).toBeDefined()
    const inputs = w.findAll('[data-testid="template-body-value"]')
    await inputs[0]!.setValue('Ana')
    await inputs[1]!.setValue('Loja Azul')
    expect(w.get('[data-testid="template-preview"]').text()).toBe('Olá Ana, aqui é da Loja Azul.')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(gateway.sendTemplate).toHaveBeenCalledWith('acct_1', 9, {
      name: 'retomar_atendimento', language: 'pt_BR', header_parameters: [], body_parameters: [{ text: 'Ana' }, { text: 'Loja Azul' }],
    })
    expect(w.get('[data-testid="template-outcome"]').attributes('data-ok')).toBe('true')
  })

  it('names the variables of a NAMED template and shows the refusal', async () => {
    gateway.conversationTemplates.mockResolvedValue(templates)
    gateway.sendTemplate.mockRejectedValue(
      new ApiError({ status: 400, code: 'VALIDATION_ERROR', message: 'invalid', details: [{ field: 'name', code: 'unknown', message: 'is not approved' }] }),
    )
    const w = setup()
    await flushPromises()
    await w.get('[data-testid="template-select"]').setValue('pedido_pronto/pt_BR')
    await w.get('[data-testid="template-header-value"]').setValue('42')
    await w.get('[data-testid="template-body-value"]').setValue('Ana')
    expect(w.get('[data-testid="template-preview"]').text()).toContain('Pedido 42')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(gateway.sendTemplate.mock.calls[0]![2].body_parameters).toEqual([{ name: 'nome', text: 'Ana' }])
    expect(w.get('[data-testid="template-outcome"]').text()).toContain('is not approved')
  })

  it('asks for the image link and the URL button ending, previews them and sends them', async () => {
    const media = {
      ...templates,
      data: [
        {
          id: '3', name: 'pedido_enviado', language: 'pt_BR', category: 'UTILITY', parameter_format: 'POSITIONAL', header_format: 'IMAGE',
          header: '', body: 'Olá {{1}}, o pedido saiu.', footer: '', header_parameters: null, body_parameters: ['1'], unsupported: '',
          buttons: [
            { index: 0, type: 'QUICK_REPLY', text: 'Falar', variable: false },
            { index: 1, type: 'URL', text: 'Rastrear', url: 'https://loja.example.com/r/{{1}}', variable: true },
          ],
        },
        {
          id: '4', name: 'nota_fiscal', language: 'pt_BR', category: 'UTILITY', parameter_format: 'POSITIONAL', header_format: 'DOCUMENT',
          header: '', body: 'A sua nota.', footer: '', header_parameters: null, body_parameters: null, buttons: [], unsupported: '',
        },
      ],
    }
    gateway.conversationTemplates.mockResolvedValue(media)
    gateway.sendTemplate.mockResolvedValue({ id: 'r2', status: 'queued', text: 'x' })
    const w = setup()
    await flushPromises()
    await w.get('[data-testid="template-select"]').setValue('pedido_enviado/pt_BR')
    await w.get('[data-testid="template-body-value"]').setValue('Ana')
    await w.get('[data-testid="template-button-value"]').setValue('BR123')
    const send = () => w.get('[data-testid="template-send"]').attributes('disabled')
    expect(send()).toBeDefined() // the image is missing
    await w.get('[data-testid="template-media-link"]').setValue('http://cdn.example.com/p.jpg')
    expect(w.get('[data-testid="template-media-error"]').text()).toContain('https://')
    expect(send()).toBeDefined()
    await w.get('[data-testid="template-media-link"]').setValue('https://cdn.example.com/p.jpg')
    expect(w.find('[data-testid="template-media-error"]').exists()).toBe(false)
    expect(w.find('[data-testid="template-media-filename"]').exists()).toBe(false)
    expect(w.get('[data-testid="template-preview"]').text()).toBe(
      '[image] https://cdn.example.com/p.jpg\n\nOlá Ana, o pedido saiu.\n\nRastrear: https://loja.example.com/r/BR123',
    )
    expect(send()).toBeUndefined()
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(gateway.sendTemplate).toHaveBeenCalledWith('acct_1', 9, {
      name: 'pedido_enviado', language: 'pt_BR', header_parameters: [], body_parameters: [{ text: 'Ana' }],
      header_media: { link: 'https://cdn.example.com/p.jpg' }, button_parameters: [{ index: 1, text: 'BR123' }],
    })

    // a document may name its file
    await w.get('[data-testid="template-select"]').setValue('nota_fiscal/pt_BR')
    await w.get('[data-testid="template-media-link"]').setValue('https://cdn.example.com/nf.pdf')
    await w.get('[data-testid="template-media-filename"]').setValue('NF 42.pdf')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(gateway.sendTemplate.mock.calls[1]![2].header_media).toEqual({ link: 'https://cdn.example.com/nf.pdf', filename: 'NF 42.pdf' })
  })

  it('asks for the code of a copy-code button, previews it and sends it', async () => {
    gateway.conversationTemplates.mockResolvedValue({
      ...templates,
      data: [
        {
          id: '5', name: 'cupom_natal', language: 'pt_BR', category: 'MARKETING', parameter_format: 'POSITIONAL',
          header: '', body: 'Ganhe 10% no Natal.', footer: '', header_parameters: null, body_parameters: null, unsupported: '',
          buttons: [
            { index: 0, type: 'COPY_CODE', text: 'Copiar código', variable: false, coupon: true },
            { index: 1, type: 'QUICK_REPLY', text: 'Parar', variable: false, coupon: false },
          ],
        },
      ],
    })
    gateway.sendTemplate.mockResolvedValue({ id: 'r3', status: 'queued', text: 'x' })
    const w = setup()
    await flushPromises()
    await w.get('[data-testid="template-select"]').setValue('cupom_natal/pt_BR')
    const input = w.get('[data-testid="template-button-value"]')
    expect(input.attributes('maxlength')).toBe('15')
    expect(w.text()).toContain('Code the button “Copiar código” copies')
    expect(w.get('[data-testid="template-send"]').attributes('disabled')).toBeDefined() // the code is missing
    await input.setValue('NATAL10')
    expect(w.get('[data-testid="template-preview"]').text()).toBe('Ganhe 10% no Natal.\n\nCopiar código: NATAL10')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(gateway.sendTemplate.mock.calls[0]![2].button_parameters).toEqual([{ index: 0, text: 'NATAL10' }])
  })

  it('hides itself for a number without templates (not on the Cloud API)', async () => {
    gateway.conversationTemplates.mockRejectedValue(new ApiError({ status: 422, code: 'UNPROCESSABLE', message: 'not cloud' }))
    const w = setup()
    await flushPromises()
    expect(w.find('[data-testid="template-picker"]').exists()).toBe(false)
  })
})
