/**
 * Sends requests to our endpoint exactly as Slack does: v0-signed raw bodies; events as application/json; slash
 * commands and interactivity as application/x-www-form-urlencoded (interactivity as a single `payload=` field);
 * retries with X-Slack-Retry-Num / X-Slack-Retry-Reason. Knobs for the bad cases: another secret, a timestamp,
 * no signature, a different content type.
 */
import { createHmac } from 'node:crypto';

export interface SignOptions {
  /** Seconds since the epoch; default now. */
  timestamp?: number;
  /** Sign with another secret (a forged request). */
  secret?: string;
  /** Leave the signature headers out. */
  unsigned?: boolean;
  /** Overrides the content type (the body is sent as given). */
  contentType?: string;
  retryNum?: number;
  retryReason?: string;
}

export interface SignedRequest {
  body: string;
  headers: Record<string, string>;
}

export function slackSignature(secret: string, timestamp: number | string, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export function signedRequest(signingSecret: string, body: string, contentType: string, opts: SignOptions = {}): SignedRequest {
  const ts = opts.timestamp ?? nowSeconds();
  const headers: Record<string, string> = { 'content-type': opts.contentType ?? contentType };
  if (!opts.unsigned) {
    headers['x-slack-request-timestamp'] = String(ts);
    headers['x-slack-signature'] = slackSignature(opts.secret ?? signingSecret, ts, body);
  }
  if (opts.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(opts.retryNum);
    headers['x-slack-retry-reason'] = opts.retryReason ?? 'http_timeout';
  }
  return { body, headers };
}

/** Slack's own encoding of form bodies (spaces as +), as URLSearchParams produces it. */
export function formBody(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

export function eventRequest(secret: string, envelope: unknown, opts?: SignOptions): SignedRequest {
  return signedRequest(secret, JSON.stringify(envelope), 'application/json', opts);
}

export function commandRequest(secret: string, fields: Record<string, string>, opts?: SignOptions): SignedRequest {
  return signedRequest(secret, formBody(fields), 'application/x-www-form-urlencoded', opts);
}

export function interactionRequest(secret: string, payload: unknown, opts?: SignOptions): SignedRequest {
  return signedRequest(secret, formBody({ payload: JSON.stringify(payload) }), 'application/x-www-form-urlencoded', opts);
}

export interface SlackResponse {
  status: number;
  contentType: string | null;
  text: string;
  json(): unknown;
}

/** Sends signed requests to a running endpoint (e.g. http://127.0.0.1:PORT/slack/events). */
export class SlackInbound {
  constructor(
    readonly url: string,
    readonly signingSecret: string,
  ) {}

  async send(req: SignedRequest): Promise<SlackResponse> {
    const res = await fetch(this.url, { method: 'POST', headers: req.headers, body: req.body });
    const text = await res.text();
    return { status: res.status, contentType: res.headers.get('content-type'), text, json: () => JSON.parse(text) };
  }

  event(envelope: unknown, opts?: SignOptions): Promise<SlackResponse> {
    return this.send(eventRequest(this.signingSecret, envelope, opts));
  }

  command(fields: Record<string, string>, opts?: SignOptions): Promise<SlackResponse> {
    return this.send(commandRequest(this.signingSecret, fields, opts));
  }

  interaction(payload: unknown, opts?: SignOptions): Promise<SlackResponse> {
    return this.send(interactionRequest(this.signingSecret, payload, opts));
  }
}
