/**
 * The WhatsApp gateway of an account: {base}api/v1/accounts/{accountID}/gateway/
 * numbers (per-number counters and settings), dead-letters (and their replay).
 */
import { api, type ApiClient, type Page, type PageParams } from './client'

export interface NumberStats {
  instance_id: string
  messages_in_today: number
  messages_out_today: number
  messages_in_month: number
  messages_out_month: number
  failed_month: number
  queued: number
  dead_letters: number
  last_error: string
}

export interface DeadLetter {
  id: string
  instance_id: string
  lane: string
  kind: string
  attempts: number
  last_error: string
  payload: unknown
  created_at: string
  died_at: string
}

function gatewayPath(accountId: string, rest: string): string {
  return `api/v1/accounts/${encodeURIComponent(accountId)}/gateway${rest}`
}

export function listNumberStats(accountId: string, client: ApiClient = api): Promise<{ data: NumberStats[] }> {
  return client.get(gatewayPath(accountId, '/numbers'))
}

export function listDeadLetters(
  accountId: string,
  params: PageParams & { instance_id?: string } = {},
  client: ApiClient = api,
): Promise<Page<DeadLetter>> {
  return client.get(gatewayPath(accountId, '/dead-letters'), { query: { ...params, cursor: params.cursor ?? undefined } })
}

export function replayDeadLetter(accountId: string, id: string, client: ApiClient = api): Promise<{ replayed: number }> {
  return client.post(gatewayPath(accountId, `/dead-letters/${encodeURIComponent(id)}/replay`))
}

/** Replays every dead letter of the account, or of one number. */
export function replayAllDeadLetters(accountId: string, instanceId = '', client: ApiClient = api): Promise<{ replayed: number }> {
  return client.post(gatewayPath(accountId, '/dead-letters/replay'), instanceId ? { instance_id: instanceId } : undefined)
}

export interface BridgeLogEntry {
  direction: 'in' | 'out'
  provider_message_id: string | null
  chatwoot_message_id: number | null
  part: number
  parts: number
  kind: string
  status: string
  attempts: number
  last_error: string
  instance_id: string
  created_at: string
  updated_at: string
}

/** A Chatwoot conversation's bridge log; 404 when the caller may not see the conversation. */
export function conversationLog(accountId: string, conversationId: number, client: ApiClient = api): Promise<{ data: BridgeLogEntry[] }> {
  return client.get(gatewayPath(accountId, `/conversations/${conversationId}/log`))
}

/** An approved WhatsApp message template of a Cloud API number. */
export interface MessageTemplate {
  id: string
  name: string
  language: string
  category: string
  parameter_format: 'POSITIONAL' | 'NAMED'
  /** TEXT, IMAGE, VIDEO or DOCUMENT ('' without a header); a media header takes a link at send time. */
  header_format?: '' | 'TEXT' | 'IMAGE' | 'VIDEO' | 'DOCUMENT'
  header: string
  body: string
  footer: string
  header_parameters: string[] | null
  body_parameters: string[] | null
  /** The buttons in order; a URL button with `variable` takes the ending of its link, a copy-code button (`coupon`) its code. */
  buttons?: TemplateButton[] | null
  unsupported: string
}

export interface TemplateButton {
  index: number
  type: string
  text: string
  url?: string
  variable: boolean
  /** A copy-code button: the send gives the code the customer copies (at most 15 characters). */
  coupon?: boolean
}

export interface TemplateList {
  instance_id: string
  data: MessageTemplate[]
  last_inbound_at?: string
}

export interface TemplateParam {
  name?: string
  text: string
}

/** A template send: its variables, a media header's https link (a document may name its file), URL buttons' endings, a copy-code button's code. */
export interface TemplateSend {
  name: string
  language: string
  header_parameters: TemplateParam[]
  body_parameters: TemplateParam[]
  header_media?: { link: string; filename?: string }
  button_parameters?: { index: number; text: string }[]
}

/** The approved templates of a conversation's number (422 for a number not on the Cloud API). */
export function conversationTemplates(accountId: string, conversationId: number, client: ApiClient = api): Promise<TemplateList> {
  return client.get(gatewayPath(accountId, `/conversations/${conversationId}/templates`))
}

/** Queues a template for the conversation's customer. */
export function sendTemplate(
  accountId: string,
  conversationId: number,
  body: TemplateSend,
  client: ApiClient = api,
): Promise<{ id: string; status: string; text: string }> {
  return client.post(gatewayPath(accountId, `/conversations/${conversationId}/templates`), body)
}

/** Pacing values in the API's units. */
export interface PacingValues {
  send_gap_ms: number
  send_per_minute: number
  send_typing: boolean
}

/** A number's gateway settings; a pacing value that is null is the hub's default (in defaults). */
export interface NumberSettings {
  instance_id: string
  groups: 'contact' | 'ignore'
  send_gap_ms: number | null
  send_per_minute: number | null
  send_typing: boolean | null
  defaults: PacingValues
  effective: PacingValues
  updated_at: string | null
}

/** Replaces a number's settings: a field left out or null is its default. */
export interface NumberSettingsInput {
  groups: 'contact' | 'ignore'
  send_gap_ms: number | null
  send_per_minute: number | null
  send_typing: boolean | null
}

export function getNumberSettings(accountId: string, numberId: string, client: ApiClient = api): Promise<NumberSettings> {
  return client.get(gatewayPath(accountId, `/numbers/${encodeURIComponent(numberId)}/settings`))
}

export function putNumberSettings(accountId: string, numberId: string, input: NumberSettingsInput, client: ApiClient = api): Promise<NumberSettings> {
  return client.put(gatewayPath(accountId, `/numbers/${encodeURIComponent(numberId)}/settings`), input)
}
