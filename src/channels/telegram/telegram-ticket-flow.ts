/**
 * A customer's own tickets: /tickets list, detail, add a comment, read public comments, and the solved-ticket
 * choices (rate 1-5 then an optional comment; return to work: confirm, then the reason). Whatever chat a button
 * was pressed in, details and prompts go to the person's private chat: they carry emails and expect a typed answer.
 */
import { isDomainError } from '../../core/errors.ts';
import type { DeskUser } from '../../core/ports/desk-port.ts';
import { t } from '../../i18n/catalog.ts';
import {
  domainErrorText,
  PLATFORM,
  setState,
  type Actor,
  type FlowDeps,
  type Press,
} from './telegram-flow-context.ts';
import { escapeHtml } from './telegram-html.ts';
import { button, renderComments, renderTicketDetail, renderTicketList, tx } from './telegram-render.ts';

type Reply = (text: string) => Promise<void>;

/** Runs a core call; a DomainError becomes its catalog text through `reply`, anything else propagates. */
async function guarded(deps: FlowDeps, actor: Actor, reply: Reply, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    const text = domainErrorText(e, actor.locale, deps.desk);
    if (text === null) throw e;
    await reply(text);
  }
}

function alertTo(press: Press): Reply {
  return (text) => press.answer(text, true);
}

function dmTo(deps: FlowDeps, actor: Actor): Reply {
  return async (text) => {
    await deps.io.send(actor.dmChatId, { html: escapeHtml(text) });
  };
}

/** In a group the answer goes to the private chat; say so where the button was pressed. */
async function ackPress(press: Press, actor: Actor): Promise<void> {
  await press.answer(press.isPrivate ? undefined : t(actor.locale, 'telegram:group.sent_privately'));
}

export async function listTickets(deps: FlowDeps, actor: Actor, user: DeskUser): Promise<void> {
  const tickets = await deps.desk.listActiveTickets(user.id);
  await deps.io.send(actor.dmChatId, renderTicketList(tickets, actor.locale));
}

export async function showDetail(deps: FlowDeps, actor: Actor, user: DeskUser, press: Press, ticket: number) {
  await guarded(deps, actor, alertTo(press), async () => {
    const detail = await deps.desk.getTicketForRequester(ticket, user.id);
    if (!detail) return press.answer(t(actor.locale, 'error.ticket_not_found'), true);
    await ackPress(press, actor);
    await deps.io.send(actor.dmChatId, renderTicketDetail(detail, actor.locale));
  });
}

export async function askComment(deps: FlowDeps, actor: Actor, press: Press, ticket: number) {
  await setState(deps, actor, { flow: 'comment', ticket });
  await ackPress(press, actor);
  await deps.io.send(actor.dmChatId, { html: tx(actor.locale, 'telegram:comment.prompt', { number: ticket }) });
}

export async function receiveComment(deps: FlowDeps, actor: Actor, user: DeskUser, ticket: number, text: string, ref: string) {
  await guarded(deps, actor, dmTo(deps, actor), async () => {
    await deps.desk.addRequesterComment({ via: PLATFORM, ticketNumber: ticket, userId: user.id, body: text, externalRef: ref });
    await setState(deps, actor, null);
    await deps.io.send(actor.dmChatId, { html: tx(actor.locale, 'telegram:comment.added', { number: ticket }) });
  });
}

export async function showComments(deps: FlowDeps, actor: Actor, user: DeskUser, press: Press, ticket: number) {
  await guarded(deps, actor, alertTo(press), async () => {
    const comments = await deps.desk.listPublicComments(ticket, user.id);
    if (comments === null) return press.answer(t(actor.locale, 'error.ticket_not_found'), true);
    await ackPress(press, actor);
    await deps.io.send(actor.dmChatId, renderComments(ticket, comments, actor.locale));
  });
}

export async function rate(deps: FlowDeps, actor: Actor, user: DeskUser, press: Press, ticket: number, score: number) {
  await guarded(deps, actor, alertTo(press), async () => {
    await deps.desk.rate({ via: PLATFORM, ticketNumber: ticket, userId: user.id, score });
    await setState(deps, actor, { flow: 'rating_comment', ticket });
    await press.answer(t(actor.locale, 'rating.thanks', { number: ticket, score }));
    await deps.io.clearKeyboard(press.chatId, press.messageId);
    await deps.io.send(actor.dmChatId, {
      html: `${tx(actor.locale, 'rating.thanks', { number: ticket, score })}\n${tx(actor.locale, 'rating.comment_prompt')}`,
      keyboard: [[button(t(actor.locale, 'telegram:rating.skip'), { kind: 'rate_skip', ticket })]],
    });
  });
}

export async function skipRatingComment(deps: FlowDeps, actor: Actor, press: Press) {
  await setState(deps, actor, null);
  await press.answer(t(actor.locale, 'telegram:rating.skipped'));
  await deps.io.clearKeyboard(press.chatId, press.messageId);
}

export async function receiveRatingComment(deps: FlowDeps, actor: Actor, user: DeskUser, ticket: number, text: string) {
  await guarded(deps, actor, dmTo(deps, actor), async () => {
    await deps.desk.commentRating({ ticketNumber: ticket, userId: user.id, comment: text });
    await setState(deps, actor, null);
    await deps.io.send(actor.dmChatId, { html: tx(actor.locale, 'telegram:rating.comment_saved', { number: ticket }) });
  });
}

export async function askReopen(deps: FlowDeps, actor: Actor, press: Press, ticket: number) {
  await ackPress(press, actor);
  await deps.io.send(actor.dmChatId, {
    html: tx(actor.locale, 'telegram:reopen.confirm', { number: ticket }),
    keyboard: [
      [
        button(t(actor.locale, 'action.yes'), { kind: 'reopen_yes', ticket }),
        button(t(actor.locale, 'action.no'), { kind: 'reopen_no', ticket }),
      ],
    ],
  });
}

export async function confirmReopen(deps: FlowDeps, actor: Actor, press: Press, ticket: number, yes: boolean) {
  await setState(deps, actor, yes ? { flow: 'reopen_reason', ticket } : null);
  await press.answer();
  const key = yes ? 'ticket.reopen_prompt' : 'telegram:reopen.kept';
  await deps.io.edit(press.chatId, press.messageId, { html: tx(actor.locale, key, { number: ticket }) });
}

export async function receiveReopenReason(deps: FlowDeps, actor: Actor, user: DeskUser, ticket: number, text: string) {
  await guarded(deps, actor, dmTo(deps, actor), async () => {
    try {
      await deps.desk.reopen({ via: PLATFORM, ticketNumber: ticket, userId: user.id, reason: text });
    } catch (e) {
      // A refused reopen (not solved any more, gone) must not keep capturing the person's next messages; a
      // missing reason may be typed again, and an infrastructure failure is retried with the state intact.
      if (isDomainError(e) && e.code !== 'reason_required') await setState(deps, actor, null);
      throw e;
    }
    await setState(deps, actor, null);
    await deps.io.send(actor.dmChatId, { html: tx(actor.locale, 'reopen.done', { number: ticket }) });
  });
}
