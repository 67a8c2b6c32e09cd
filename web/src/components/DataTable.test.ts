import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import DataTable from './DataTable.vue'

const base = { columns: ['Nome', 'Situação'], emptyText: 'Nenhum item ainda.', loadingText: 'Carregando…' }

describe('DataTable', () => {
  it('shows skeleton rows while loading, not the empty sentence', () => {
    const w = mount(DataTable, { props: { ...base, empty: true, loading: true } })
    expect(w.findAll('[data-skeleton]')).toHaveLength(3)
    expect(w.find('[data-testid="table-empty"]').exists()).toBe(false)
    expect(w.get('table').attributes('aria-busy')).toBe('true')
  })

  it('claims nothing when the list failed to load', () => {
    const w = mount(DataTable, { props: { ...base, empty: true, failed: true } })
    expect(w.find('[data-skeleton]').exists()).toBe(false)
    expect(w.find('[data-testid="table-empty"]').exists()).toBe(false)
  })

  it('says the list is empty only when it loaded empty', () => {
    const w = mount(DataTable, { props: { ...base, empty: true } })
    expect(w.get('[data-testid="table-empty"]').text()).toBe('Nenhum item ainda.')
  })
})
