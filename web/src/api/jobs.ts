/** The job queue (super admins): GET {base}api/v1/job-kinds, GET …/jobs, POST …/jobs/{id}/retry|discard. */
import { api, type ApiClient, type Page } from './client'

export const JOB_STATES = ['available', 'scheduled', 'pending', 'running', 'retryable', 'discarded', 'cancelled', 'completed'] as const
export type JobState = (typeof JOB_STATES)[number]

export interface JobKind {
  kind: string
  counts: Record<JobState, number>
  /** Waiting to run: available, scheduled, pending and retryable. */
  depth: number
}

export interface JobSummary {
  data: JobKind[]
  totals: Record<JobState, number>
}

export interface Job {
  id: number
  kind: string
  state: JobState
  attempt: number
  max_attempts: number
  account_id?: string
  last_error?: string
  created_at: string
  scheduled_at: string
  attempted_at: string | null
  finalized_at: string | null
}

export function fetchJobSummary(client: ApiClient = api): Promise<JobSummary> {
  return client.get<JobSummary>('api/v1/job-kinds')
}

export function fetchJobs(state: JobState, kind: string, cursor?: string, client: ApiClient = api): Promise<Page<Job>> {
  return client.get<Page<Job>>('api/v1/jobs', { query: { state, kind: kind || undefined, cursor } })
}

export function retryJob(id: number, client: ApiClient = api): Promise<Job> {
  return client.post<Job>(`api/v1/jobs/${id}/retry`)
}

export function discardJob(id: number, client: ApiClient = api): Promise<Job> {
  return client.post<Job>(`api/v1/jobs/${id}/discard`)
}
