/** The users of the account being viewed. */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { inviteUser, listUsers, reinviteUser, removeUser, updateUser, type AccountUser, type Invitation, type InviteInput } from '@/api/users'
import { usePagedList } from '@/lib/pagedList'

export const useUsersStore = defineStore('users', () => {
  const accountId = ref<string | null>(null)
  const list = usePagedList<AccountUser>((params) => listUsers(accountId.value ?? '', params))

  function load(id: string): Promise<void> {
    if (id !== accountId.value) list.reset()
    accountId.value = id
    return list.load()
  }

  function requireAccount(): string {
    if (!accountId.value) throw new Error('users store: no account loaded')
    return accountId.value
  }

  async function invite(input: InviteInput): Promise<Invitation> {
    const created = await inviteUser(requireAccount(), input)
    await list.load()
    return created
  }

  function reinvite(userId: string): Promise<Invitation> {
    return reinviteUser(requireAccount(), userId)
  }

  async function setRole(userId: string, role: string): Promise<void> {
    const id = requireAccount()
    const updated = await updateUser(id, userId, { role })
    list.setItems(list.items.value.map((u) => (u.id === userId ? { ...u, ...updated, role: updated?.role ?? role } : u)))
  }

  async function remove(userId: string): Promise<void> {
    await removeUser(requireAccount(), userId)
    list.setItems(list.items.value.filter((u) => u.id !== userId))
  }

  return {
    accountId,
    users: list.items,
    hasMore: list.hasMore,
    loading: list.loading,
    error: list.error,
    load,
    loadMore: list.loadMore,
    invite,
    reinvite,
    setRole,
    remove,
  }
})
