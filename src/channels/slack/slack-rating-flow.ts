/**
 * Rate and Reopen on the message a solved ticket gets (rating_prompt, reopen_prompt): each button opens a modal
 * in the request; the submit is recorded, and the worker asks the core to rate or reopen and tells the person.
 */
import type { App } from '@slack/bolt';
import { t } from '../../i18n/catalog.ts';
import {
  domainErrorText,
  phaseOf,
  recordThenAck,
  runDurably,
  sentence,
  tellUser,
  whoIs,
  type FlowDeps,
} from './slack-flow-support.ts';
import { readRateForm, readReopenForm } from './slack-form.ts';
import { ACTION, BLOCK, CALLBACK, VIA } from './slack-ids.ts';
import { deskUserOf } from './slack-profile.ts';
import { loggable } from './slack-receiver.ts';
import { blockActionsSchema, interactionTeam, viewSubmissionSchema, viewTeam, type ViewSubmission } from './slack-schemas.ts';
import { parseJson, rateView, reopenView, ticketActionMetaSchema, type TicketActionMeta } from './slack-views.ts';

type Decision = { kind: 'rate'; score: number; comment: string | null } | { kind: 'reopen'; reason: string };

async function decide(deps: FlowDeps, body: ViewSubmission, meta: TicketActionMeta, decision: Decision): Promise<void> {
  const team = viewTeam(body);
  const user = body.user.id;
  const where = { user, channel: meta.c, threadTs: meta.th };
  await runDurably(
    deps,
    decision.kind,
    async () => {
      const profile = await deps.profiles.get(team, user);
      const deskUser = await deskUserOf(deps.desk, profile);
      if (!deskUser) {
        await tellUser(deps, where, sentence(t(meta.l, 'common:error.not_registered')));
        return;
      }
      if (decision.kind === 'rate') {
        const ticket = await deps.desk.rate({
          via: VIA,
          ticketNumber: meta.n,
          userId: deskUser.id,
          score: decision.score,
          comment: decision.comment,
        });
        await tellUser(deps, where, sentence(t(meta.l, 'common:rating.thanks', { number: ticket.number, score: decision.score })));
      } else {
        const ticket = await deps.desk.reopen({ via: VIA, ticketNumber: meta.n, userId: deskUser.id, reason: decision.reason });
        await tellUser(deps, where, sentence(t(meta.l, 'common:reopen.done', { number: ticket.number })));
      }
    },
    (e) => tellUser(deps, where, sentence(domainErrorText(deps.desk, meta.l, e))),
  );
}

export function registerRatingFlow(app: App, deps: FlowDeps): void {
  for (const [actionId, build] of [
    [ACTION.rate, rateView],
    [ACTION.reopen, reopenView],
  ] as const) {
    app.action(actionId, async ({ body, ack }) => {
      const parsed = blockActionsSchema.safeParse(body);
      const number = parsed.success ? Number(parsed.data.actions[0]?.value) : NaN;
      const b = parsed.success ? parsed.data : null;
      const channel = b?.container?.channel_id ?? b?.channel?.id ?? null;
      if (!b || !Number.isInteger(number) || number <= 0 || !channel) return ack();
      const threadTs = b.message?.thread_ts ?? b.container?.thread_ts ?? b.message?.ts ?? null;
      try {
        const who = await whoIs(deps, interactionTeam(b), b.user.id);
        await deps.api.openView(b.trigger_id, build(who.locale, { n: number, c: channel, th: threadTs, l: who.locale }));
      } catch (e) {
        deps.logger.warn({ err: loggable(e) }, 'slack: could not open a modal');
      }
      await ack();
    });
  }

  // The View button is a link; Slack still reports the click, which only needs an answer.
  app.action(ACTION.view, async ({ ack }) => ack());

  app.view(CALLBACK.rate, async ({ body, ack, context }) => {
    const parsed = viewSubmissionSchema.safeParse(body);
    const meta = parsed.success ? parseJson(ticketActionMetaSchema, parsed.data.view.private_metadata) : null;
    if (!parsed.success || !meta) return ack();
    const read = readRateForm(parsed.data, meta.l);
    if (phaseOf(context) === 'request') {
      if (!read.ok) return ack({ response_action: 'errors', errors: read.errors });
      return recordThenAck(deps, parsed.data, viewTeam(parsed.data), (r) => ack(r), meta.l, BLOCK.score);
    }
    if (read.ok) await decide(deps, parsed.data, meta, { kind: 'rate', score: read.score, comment: read.comment });
  });

  app.view(CALLBACK.reopen, async ({ body, ack, context }) => {
    const parsed = viewSubmissionSchema.safeParse(body);
    const meta = parsed.success ? parseJson(ticketActionMetaSchema, parsed.data.view.private_metadata) : null;
    if (!parsed.success || !meta) return ack();
    const read = readReopenForm(parsed.data, meta.l);
    if (phaseOf(context) === 'request') {
      if (!read.ok) return ack({ response_action: 'errors', errors: read.errors });
      return recordThenAck(deps, parsed.data, viewTeam(parsed.data), (r) => ack(r), meta.l, BLOCK.reason);
    }
    if (read.ok) await decide(deps, parsed.data, meta, { kind: 'reopen', reason: read.reason });
  });
}
