/**
 * Every button press: decode its callback_data, let only registered people act on tickets (a group's service
 * choice is an admin's matter, not a customer's), and route. The caller guarantees the one answer per press.
 */
import { t } from '../../i18n/catalog.ts';
import { decodeCallback } from './telegram-callback-data.ts';
import { setState, withUserLocale, type Actor, type FlowDeps, type Press } from './telegram-flow-context.ts';
import { chooseGroupService } from './telegram-group-flow.ts';
import {
  cancelRequest,
  choosePriority,
  chooseService,
  startNewRequest,
  submitRequest,
} from './telegram-new-request-flow.ts';
import { sendHelp, sendRegistrationHelp } from './telegram-private-flow.ts';
import {
  askComment,
  askReopen,
  confirmReopen,
  listTickets,
  rate,
  showComments,
  showDetail,
  skipRatingComment,
} from './telegram-ticket-flow.ts';

export async function routeCallback(
  deps: FlowDeps,
  anonymous: Actor,
  press: Press,
  data: string | undefined,
  botUsername: string,
): Promise<void> {
  const action = decodeCallback(data);
  if (!action) return press.answer(t(anonymous.locale, 'telegram:button_unknown'), true);
  if (action.kind === 'group_service') return chooseGroupService(deps, anonymous, press, action.ref);

  const user = await deps.desk.findLinkedUser(anonymous.ref);
  if (!user) {
    await press.answer(t(anonymous.locale, 'telegram:register.short', { bot: botUsername }), true);
    if (press.isPrivate) await sendRegistrationHelp(deps, anonymous, botUsername);
    return;
  }
  const actor = withUserLocale(anonymous, user);
  switch (action.kind) {
    case 'menu':
      await press.answer();
      await setState(deps, actor, null);
      if (action.item === 'new') return startNewRequest(deps, actor);
      if (action.item === 'tickets') return listTickets(deps, actor, user);
      return sendHelp(deps, actor, botUsername);
    case 'new_service':
      return chooseService(deps, actor, press, action.ref);
    case 'new_priority':
      return choosePriority(deps, actor, press, action.priority);
    case 'new_submit':
      return submitRequest(deps, actor, press);
    case 'new_cancel':
      return cancelRequest(deps, actor, press);
    case 'detail':
      return showDetail(deps, actor, user, press, action.ticket);
    case 'comment':
      return askComment(deps, actor, press, action.ticket);
    case 'comments':
      return showComments(deps, actor, user, press, action.ticket);
    case 'rate':
      return rate(deps, actor, user, press, action.ticket, action.score);
    case 'rate_skip':
      return skipRatingComment(deps, actor, press);
    case 'reopen':
      return askReopen(deps, actor, press, action.ticket);
    case 'reopen_yes':
      return confirmReopen(deps, actor, press, action.ticket, true);
    case 'reopen_no':
      return confirmReopen(deps, actor, press, action.ticket, false);
  }
}
