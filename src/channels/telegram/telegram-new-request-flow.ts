/**
 * /new in a private chat: service (buttons from the catalog) -> description (text) -> priority (buttons) ->
 * confirm. The draft lives in the dialog state; the ticket is created by the core, which also delivers the
 * confirmation (number, link, status) into the private chat through the sync engine.
 */
import type { TicketPriority } from '../../core/tickets/ticket-types.ts';
import { t } from '../../i18n/catalog.ts';
import { resolveServiceRef } from './telegram-callback-data.ts';
import {
  chatThread,
  domainErrorText,
  getState,
  longEnough,
  PLATFORM,
  setState,
  subjectOf,
  type Actor,
  type DialogState,
  type FlowDeps,
  type Press,
} from './telegram-flow-context.ts';
import { escapeHtml } from './telegram-html.ts';
import { button, priorityKeyboard, serviceKeyboard, tx, wizardSummary } from './telegram-render.ts';

export async function startNewRequest(deps: FlowDeps, actor: Actor): Promise<void> {
  const services = await deps.desk.listServices();
  if (services.length === 0) {
    await setState(deps, actor, { flow: 'new_description', serviceId: null, serviceName: null });
    await deps.io.send(actor.dmChatId, { html: tx(actor.locale, 'telegram:new.describe', { min: deps.desk.minDescriptionLength }) });
    return;
  }
  await setState(deps, actor, { flow: 'new_service' });
  await deps.io.send(actor.dmChatId, {
    html: tx(actor.locale, 'telegram:new.choose_service'),
    keyboard: [...serviceKeyboard(services, 'new_service'), [cancelButton(actor)]],
  });
}

function cancelButton(actor: Actor) {
  return button(t(actor.locale, 'action.cancel'), { kind: 'new_cancel' });
}

async function expired(press: Press, actor: Actor): Promise<void> {
  await press.answer(t(actor.locale, 'telegram:new.expired'), true);
}

export async function chooseService(deps: FlowDeps, actor: Actor, press: Press, ref: string): Promise<void> {
  const state = await getState(deps, actor);
  if (state?.flow !== 'new_service') return expired(press, actor);
  const service = resolveServiceRef(await deps.desk.listServices(), ref);
  if (!service) return press.answer(t(actor.locale, 'telegram:new.service_gone'), true);
  await setState(deps, actor, { flow: 'new_description', serviceId: service.id, serviceName: service.name });
  await press.answer();
  await deps.io.edit(press.chatId, press.messageId, {
    html: `${tx(actor.locale, 'form.service')}: ${escapeHtml(service.name)}\n${tx(actor.locale, 'telegram:new.describe', { min: deps.desk.minDescriptionLength })}`,
  });
}

export async function receiveDescription(
  deps: FlowDeps,
  actor: Actor,
  state: Extract<DialogState, { flow: 'new_description' }>,
  text: string,
): Promise<void> {
  if (!longEnough(deps.desk, text)) {
    await deps.io.send(actor.dmChatId, {
      html: tx(actor.locale, 'error.description_too_short', { min: deps.desk.minDescriptionLength }),
    });
    return;
  }
  const description = text.trim();
  await setState(deps, actor, { ...state, flow: 'new_priority', description });
  await deps.io.send(actor.dmChatId, {
    html: tx(actor.locale, 'telegram:new.choose_priority'),
    keyboard: [...priorityKeyboard(actor.locale), [cancelButton(actor)]],
  });
}

export async function choosePriority(deps: FlowDeps, actor: Actor, press: Press, priority: TicketPriority): Promise<void> {
  const state = await getState(deps, actor);
  if (state?.flow !== 'new_priority') return expired(press, actor);
  await setState(deps, actor, { ...state, flow: 'new_confirm', priority });
  await press.answer();
  await deps.io.edit(press.chatId, press.messageId, {
    html: wizardSummary(actor.locale, { ...state, priority }),
    keyboard: [[button(t(actor.locale, 'action.submit'), { kind: 'new_submit' }), cancelButton(actor)]],
  });
}

export async function submitRequest(deps: FlowDeps, actor: Actor, press: Press): Promise<void> {
  const state = await getState(deps, actor);
  if (state?.flow !== 'new_confirm') return expired(press, actor);
  try {
    const { ticket, created } = await deps.desk.createTicket({
      via: PLATFORM,
      requester: { chatUser: actor.ref },
      subject: subjectOf(state.description),
      description: state.description,
      priority: state.priority,
      serviceId: state.serviceId,
      thread: chatThread(deps, actor.dmChatId, null, actor.locale),
      // The confirm message identifies this draft: a second press (or a re-run update) creates nothing new.
      sourceKey: `${PLATFORM}:${deps.workspaceId}:${press.chatId}:${press.messageId}`,
    });
    await setState(deps, actor, null);
    await press.answer(created ? undefined : t(actor.locale, 'telegram:new.already', { number: ticket.number }));
    await deps.io.edit(press.chatId, press.messageId, {
      html: `${wizardSummary(actor.locale, state)}\n\n${tx(actor.locale, 'telegram:new.submitted')}`,
    });
  } catch (e) {
    const text = domainErrorText(e, actor.locale, deps.desk);
    if (text === null) throw e;
    await press.answer(text, true);
  }
}

export async function cancelRequest(deps: FlowDeps, actor: Actor, press: Press): Promise<void> {
  const state = await getState(deps, actor);
  if (state?.flow.startsWith('new_')) await setState(deps, actor, null);
  await press.answer();
  await deps.io.edit(press.chatId, press.messageId, { html: tx(actor.locale, 'telegram:new.cancelled') });
}
