/** Translated names for values the API sends as codes (roles, statuses, limits…), raw when unknown. */
import { useI18n } from 'vue-i18n'

export function useLabels() {
  const { t, te } = useI18n()
  const label = (group: string, value: string): string => {
    const key = `${group}.${value.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`
    return value && te(key) ? t(key) : value
  }
  return {
    label,
    roleLabel: (role: string) => label('ROLES', role),
    statusLabel: (status: string) => label('STATUSES', status),
    limitLabel: (name: string) => label('LIMITS', name),
    metricLabel: (metric: string) => label('METRICS', metric),
    featureLabel: (feature: string) => label('FEATURES', feature),
  }
}
