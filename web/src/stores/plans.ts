/** The hub's plans (super admins): the built-in one, read-only, and the custom ones. */
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { ApiError } from '@/api/client'
import { createPlan, deletePlan, listPlans, updatePlan, type Plan, type PlanInput } from '@/api/plans'
import { toApiError } from '@/lib/pagedList'

export const usePlansStore = defineStore('plans', () => {
  const plans = shallowRef<Plan[]>([])
  const loading = ref(false)
  const error = shallowRef<ApiError | null>(null)

  async function load(): Promise<void> {
    loading.value = true
    error.value = null
    try {
      plans.value = (await listPlans()).data
    } catch (err) {
      error.value = toApiError(err)
    } finally {
      loading.value = false
    }
  }

  async function create(input: PlanInput): Promise<Plan> {
    const plan = await createPlan(input)
    plans.value = [...plans.value, plan]
    return plan
  }

  async function update(planId: string, input: PlanInput): Promise<Plan> {
    const plan = await updatePlan(planId, input)
    plans.value = plans.value.map((p) => (p.id === planId ? plan : p))
    return plan
  }

  async function remove(planId: string): Promise<void> {
    await deletePlan(planId)
    plans.value = plans.value.filter((p) => p.id !== planId)
  }

  return { plans, loading, error, load, create, update, remove }
})
