import { PermanentJobError, RetryLaterError } from '../../../infra/outbox/jobs';

/** A message as the Send API takes it: text, or one attachment by URL. */
export type OutgoingMessage = { text: string } | { attachment: { type: 'image' | 'file'; payload: { url: string; is_reusable: false } } };

/** Graph API error codes that say "try again later" (throttling, temporary send failures). */
const TRANSIENT_CODES = new Set([1, 2, 4, 17, 32, 341, 613, 1200]);
const TIMEOUT_MS = 10_000;

/**
 * The little of Meta's Graph API that Parley uses: the Send API and the sender's name. The base
 * URL is MESSENGER_GRAPH_URL, which tests point at a local stand-in.
 */
export class GraphApi {
  constructor(private readonly options: { graphUrl: string; pageToken: string }) {}

  /**
   * Sends one message to a page-scoped id. Throws `PermanentJobError` when Meta refuses it for good
   * (a bad recipient, a revoked permission), `RetryLaterError` on 429 with Retry-After, and a plain
   * error for anything worth retrying (network, 5xx, throttling).
   */
  async send(psid: string, message: OutgoingMessage): Promise<{ messageId: string | null }> {
    const response = await this.request(`${this.options.graphUrl}/me/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ recipient: { id: psid }, messaging_type: 'RESPONSE', message }),
    });
    const body = (await response.json().catch(() => ({}))) as { message_id?: string; error?: GraphError };
    if (response.ok) return { messageId: body.message_id ?? null };
    const error = body.error ?? {};
    const text = `Send API answered ${response.status}: ${error.message ?? 'no details'} (code ${error.code ?? '?'}${error.error_subcode ? `/${error.error_subcode}` : ''})`;
    const retryAfter = Number(response.headers.get('retry-after'));
    if (response.status === 429 && Number.isFinite(retryAfter) && retryAfter > 0) throw new RetryLaterError(text, retryAfter * 1000);
    if (response.status >= 500 || response.status === 429 || error.is_transient || TRANSIENT_CODES.has(Number(error.code))) throw new Error(text);
    throw new PermanentJobError(text);
  }

  /** The sender's name as their profile gives it, or null when Meta will not say. */
  async senderName(psid: string): Promise<string | null> {
    try {
      const response = await this.request(`${this.options.graphUrl}/${encodeURIComponent(psid)}?fields=first_name,last_name`, { method: 'GET' });
      if (!response.ok) return null;
      const profile = (await response.json()) as { first_name?: string; last_name?: string };
      const name = [profile.first_name, profile.last_name].filter(Boolean).join(' ').trim();
      return name || null;
    } catch {
      return null;
    }
  }

  /** The page token travels in the Authorization header, which Graph accepts and which never lands in URL logs. */
  private request(url: string, init: RequestInit): Promise<Response> {
    return fetch(url, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${this.options.pageToken}` },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  }
}

interface GraphError {
  message?: string;
  code?: number;
  error_subcode?: number;
  is_transient?: boolean;
}
