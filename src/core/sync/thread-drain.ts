/**
 * Drains one chat thread's deliveries, oldest first: the decisions (send, wait, retry, give up, break the link) over
 * a narrow repository, so every case is tested without a database.
 *
 * A delivery is claimed (`sending`, with a lease) and committed before the platform call, and marked `sent` with the
 * platform's message id right after. A crash between the two leaves it `sending`: once the lease has run out the
 * next drain asks the adapter whether the message is already there (findDelivered, where the platform allows it)
 * and only sends again when it is not, or cannot be known (README, "Delivery guarantees"). The lease also keeps a
 * second drain of the same thread (two instances, a worker wrongly thought dead) from sending what the first one is
 * sending right now.
 */
import { toLocale } from '../locale.ts';
import type { ChannelAdapter, OutboundFile, SentMessage, ThreadTarget } from '../ports/channel-port.ts';
import { attachmentUrl } from '../attachments/attachment-rules.ts';
import { ticketUrl } from '../tickets/ticket-links.ts';
import type { TicketPriority, TicketStatus, Visibility } from '../tickets/ticket-types.ts';
import { createPacer, onSendFailure } from './delivery-policy.ts';
import type { EngineLog } from './inbound-processor.ts';
import { outboundAction, type CommentData, type OutboxEventData } from './outbound-messages.ts';

export interface ThreadLinkRow {
  id: string;
  ticketId: string;
  platform: string;
  workspaceId: string;
  chatId: string;
  /** "" for a chat without threads. */
  threadRef: string;
  /** Set for a direct message to this platform user (sendDirect) rather than a post into a chat. */
  directUserId: string | null;
  locale: string;
  status: 'active' | 'broken';
  brokenReason: string | null;
}

export interface PendingDelivery {
  id: string;
  status: 'pending' | 'sending';
  attempts: number;
  /** Until when the drain that claimed it is sending it (null: not claimed). */
  claimedUntil: Date | null;
  event: OutboxEventData & { createdAt: Date };
  ticket: { number: number; subject: string; status: TicketStatus; priority: TicketPriority; visibility: Visibility };
  comment: CommentData | null;
  /** For an edit or delete of a comment: the message that carried the comment into this thread. */
  deliveredMessageId: string | null;
}

export interface DrainRepo {
  loadThreadLink(id: string): Promise<ThreadLinkRow | null>;
  /**
   * The oldest delivery of the thread not yet sent or given up, as it was when read. The read may also claim it,
   * as claimDelivery would for CLAIM_MS (one statement fewer per message): claimDelivery of it then succeeds
   * without claiming again, and a drainLater of the thread instead gives that claim back.
   */
  nextDelivery(threadLinkId: string): Promise<PendingDelivery | null>;
  /**
   * Claims it for sending until `until`: only if it is pending, or sending with a lease that ran out. False when
   * another drain holds it (or it changed meanwhile).
   */
  claimDelivery(id: string, until: Date): Promise<boolean>;
  /**
   * `thenNextOf`: the caller's next call is nextDelivery of this thread, and the mark may go with it (one
   * statement fewer per message); without it the mark is written at once.
   */
  markDeliverySent(id: string, platformMessageId: string | null, note?: string, thenNextOf?: string): Promise<void>;
  markDeliveryFailed(id: string, reason: string): Promise<void>;
  /**
   * A failed try that will be retried: the claim ends. `nothingSent` (the platform refused, e.g. a rate limit) puts
   * it back to pending; otherwise it stays `sending`, so the next try first looks whether it arrived after all.
   */
  noteDeliveryError(id: string, reason: string, nothingSent: boolean): Promise<void>;
  /** A permanent error: the link stops, its waiting deliveries fail with the reason. */
  breakThreadLink(threadLinkId: string, reason: string): Promise<void>;
  /** A direct message landed in a chat the platform chose (e.g. a DM channel): edits and replies go there. */
  moveThreadLink(threadLinkId: string, chatId: string): Promise<void>;
}

export interface DrainScheduler {
  drainLater(threadLinkId: string, runAt: Date): Promise<void>;
}

export interface DrainDeps {
  repo: DrainRepo;
  scheduler: DrainScheduler;
  adapters: ReadonlyMap<string, ChannelAdapter>;
  publicUrl: string;
  log: EngineLog;
  /** A comment's stored files, to deliver after its text (absent: files are not delivered). */
  files?: { outboundFiles(commentId: string): Promise<OutboundFile[]> };
  metrics?: { delivered(platform: string, latencyMs: number): void; failed(platform: string, kind: string): void };
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** Longer waits than this give the worker back and come again later instead of sleeping in the job. */
export const MAX_INLINE_WAIT_MS = 1500;
/** How long a claim protects a send in flight; longer than any platform call may take. */
export const CLAIM_MS = 30_000;
/** The same for a comment's files: uploading a few large files takes far longer than posting a message. */
export const FILES_CLAIM_MS = 15 * 60_000;

const cut = (s: string) => s.slice(0, 500);

export function createThreadDrain(deps: DrainDeps) {
  const { repo, scheduler, log } = deps;
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const pacers = new Map<string, ReturnType<typeof createPacer>>();
  const pacerFor = (a: ChannelAdapter) => {
    let p = pacers.get(a.platform);
    if (!p) pacers.set(a.platform, (p = createPacer(a.limits, now)));
    return p;
  };

  return async function drainThread(threadLinkId: string): Promise<void> {
    const link = await repo.loadThreadLink(threadLinkId);
    if (!link) return;
    const adapter = deps.adapters.get(link.platform);
    if (!adapter) {
      // The channel is off on this instance; the deliveries wait until it is on (the start-up sweep drains them).
      log.warn({ platform: link.platform, threadLinkId }, 'no adapter for thread; deliveries left pending');
      return;
    }
    const isGroup = link.threadRef !== '' && !link.directUserId;
    for (;;) {
      const d = await repo.nextDelivery(threadLinkId);
      if (!d) return;
      if (link.status !== 'active') {
        await repo.breakThreadLink(link.id, link.brokenReason ?? 'link inactive');
        return;
      }
      // Another drain is sending it right now: come back when its claim has run out.
      if (d.status === 'sending' && d.claimedUntil && d.claimedUntil.getTime() > now()) {
        await scheduler.drainLater(link.id, new Date(d.claimedUntil.getTime() + 100));
        return;
      }
      const target: ThreadTarget = { platform: link.platform, workspaceId: link.workspaceId, chatId: link.chatId, threadRef: link.threadRef === '' ? null : link.threadRef };
      const summary = { ...d.ticket, url: ticketUrl(deps.publicUrl, d.ticket.number) };
      const action = d.ticket.visibility === 'public' ? outboundAction(d.event, summary, d.comment, d.deliveredMessageId) : null;
      if (!action) {
        await repo.markDeliverySent(d.id, null, 'nothing to send', link.id);
        continue;
      }
      const ctx = { locale: toLocale(link.locale), deliveryKey: `delivery-${d.id}` };
      const files = action.action === 'files' ? ((await deps.files?.outboundFiles(action.commentId)) ?? []) : [];
      if (action.action === 'files' && files.length === 0) {
        await repo.markDeliverySent(d.id, null, 'no stored files', link.id);
        continue;
      }
      if (d.status === 'sending' && (action.action === 'post' || action.action === 'files') && adapter.findDelivered) {
        // A drain died after claiming it: the message may be there already.
        const found = await adapter.findDelivered(target, ctx).catch(() => null);
        if (found) {
          await repo.markDeliverySent(d.id, found.messageId, undefined, link.id);
          continue;
        }
      }
      const wait = pacerFor(adapter).reserve(`${link.workspaceId}:${link.chatId}`, isGroup, MAX_INLINE_WAIT_MS);
      if (wait > MAX_INLINE_WAIT_MS) {
        await scheduler.drainLater(link.id, new Date(now() + wait));
        return;
      }
      if (wait > 0) await sleep(wait);
      if (!(await repo.claimDelivery(d.id, new Date(now() + (action.action === 'files' ? FILES_CLAIM_MS : CLAIM_MS))))) {
        await scheduler.drainLater(link.id, new Date(now() + CLAIM_MS));
        return;
      }
      try {
        let messageId: string | null = null;
        if (action.action === 'post') {
          const sent = link.directUserId
            ? await adapter.sendDirect({ workspaceId: link.workspaceId, platformUserId: link.directUserId }, action.message, ctx)
            : await adapter.post(target, action.message, ctx);
          messageId = sent.messageId;
          if (link.directUserId && sent.chatId && sent.chatId !== link.chatId) {
            await repo.moveThreadLink(link.id, sent.chatId);
            link.chatId = sent.chatId;
          }
        } else if (action.action === 'files') {
          // Into the thread, or the direct chat (threadRef null) of a direct link.
          const where: ThreadTarget = link.directUserId ? { ...target, threadRef: null } : target;
          let sent: SentMessage[];
          if (adapter.postFiles) sent = await adapter.postFiles(where, files, ctx);
          else {
            // A channel that cannot carry files gets their help-center links, which the requester can open signed in.
            const body = files.map((f) => `${f.name}: ${attachmentUrl(deps.publicUrl, f)}`).join('\n');
            const message = { kind: 'agent_reply' as const, ticket: summary, authorName: action.authorName, body };
            sent = [
              link.directUserId
                ? await adapter.sendDirect({ workspaceId: link.workspaceId, platformUserId: link.directUserId }, message, ctx)
                : await adapter.post(target, message, ctx),
            ];
          }
          messageId = sent[0]?.messageId ?? null;
        } else if (action.action === 'update') {
          await adapter.update(target, action.messageId, action.message, ctx);
        } else {
          await adapter.delete(target, action.messageId);
        }
        await repo.markDeliverySent(d.id, messageId, undefined, link.id);
        deps.metrics?.delivered(link.platform, now() - d.event.createdAt.getTime());
      } catch (err) {
        const decision = onSendFailure(err, d.attempts + 1, deps.random);
        deps.metrics?.failed(link.platform, decision.action);
        log.warn({ platform: link.platform, deliveryId: d.id, decision }, 'delivery failed');
        if (decision.action === 'break_link') {
          await repo.breakThreadLink(link.id, cut(decision.reason));
          return;
        }
        if (decision.action === 'give_up') {
          await repo.markDeliveryFailed(d.id, cut(decision.reason));
          continue;
        }
        // A rate limit means the platform refused: nothing was posted, so no lookup is needed next time.
        const rateLimited = (err as { kind?: string }).kind === 'rate_limited';
        await repo.noteDeliveryError(d.id, cut(decision.reason), rateLimited);
        await scheduler.drainLater(link.id, new Date(now() + decision.delayMs));
        return;
      }
    }
  };
}
