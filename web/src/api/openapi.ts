/** The hub's API contract: GET {base}api/v1/openapi.json (no credentials needed). */
import { api, type ApiClient } from './client'

export type Schema = { [key: string]: unknown }

export interface OpenAPIOperation {
  operationId?: string
  summary?: string
  description?: string
  tags?: string[]
  security?: Record<string, string[]>[]
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: Schema }[]
  requestBody?: { content: Record<string, { schema?: Schema }> }
  responses: Record<string, { description?: string; content?: Record<string, { schema?: Schema }>; $ref?: string }>
  'x-permission'?: string
  'x-feature'?: string
}

export interface OpenAPIDocument {
  openapi: string
  info: { title: string; version: string; description?: string }
  paths: Record<string, Record<string, OpenAPIOperation>>
  components: { schemas: Record<string, Schema> }
  tags?: { name: string }[]
}

export function fetchOpenAPI(client: ApiClient = api): Promise<OpenAPIDocument> {
  return client.get<OpenAPIDocument>('api/v1/openapi.json', { auth: false })
}
