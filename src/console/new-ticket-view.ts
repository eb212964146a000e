/**
 * A ticket on behalf of a customer: find the requester by the first letters of name, email domain, phone or
 * organization (the page script asks /console/users.json as the agent types), or add a new customer; then the
 * ticket itself, public or private, with the private-ticket rules said where the choice is made.
 */
import type { UserRecord } from '../core/ports/store-port.ts';
import { TICKET_PRIORITIES } from '../core/tickets/ticket-types.ts';
import type { PageCtx } from './console-http.ts';
import type { AgentOption } from '../core/ports/console-port.ts';
import { chk, html, sel, type SafeHtml } from './html-template.ts';
import { layoutView } from './layout-view.ts';
import { notice } from './view-parts.ts';

export interface NewTicketState {
  requesterId: string;
  requesterQuery: string;
  newName: string;
  newEmail: string;
  newPhone: string;
  newOrganization: string;
  subject: string;
  description: string;
  priority: string;
  service: string;
  assignee: string;
  visibility: 'public' | 'private';
}

export function emptyNewTicket(agentId: string): NewTicketState {
  return {
    requesterId: '', requesterQuery: '', newName: '', newEmail: '', newPhone: '', newOrganization: '',
    subject: '', description: '', priority: 'normal', service: '', assignee: agentId, visibility: 'public',
  };
}

export function newTicketView(
  ctx: PageCtx,
  v: {
    state: NewTicketState;
    chosen: UserRecord | null;
    services: { id: string; name: string }[];
    agents: AgentOption[];
    error?: string | null;
  },
): SafeHtml {
  const { tr } = ctx;
  const s = v.state;
  const addOpen = Boolean(s.newEmail || s.newName || s.newPhone || s.newOrganization);
  const body = html`<div class="page-head"><h1>${tr('new.title')}</h1></div>
${notice('error', v.error)}
<form method="post" action="/tickets" class="new-ticket" novalidate>
  <input type="hidden" name="_csrf" value="${ctx.csrf}">
  <fieldset class="card">
    <legend>${tr('field.requester')}</legend>
    <div class="typeahead" data-typeahead
         data-no-match="${tr('new.no_match')}" data-add-label="${tr('new.add_user')}" data-change-label="${tr('new.change')}">
      <label for="requester-query">${tr('new.find_customer')}</label>
      <input id="requester-query" name="requesterQuery" type="text" role="combobox" autocomplete="off"
             aria-autocomplete="list" aria-expanded="false" aria-controls="requester-results" aria-describedby="requester-hint"
             value="${s.requesterQuery}">
      <p class="hint" id="requester-hint">${tr('new.find_hint')}</p>
      <ul id="requester-results" class="typeahead-results" role="listbox" aria-label="${tr('new.matches')}" hidden></ul>
      <p id="requester-status" class="typeahead-status muted" aria-live="polite"></p>
      <input type="hidden" name="requesterId" id="requester-id" value="${s.requesterId}">
      <div id="requester-chosen" class="chosen"${v.chosen ? '' : html` hidden`}>
        <span class="chosen-label">${tr('new.chosen')}</span>
        <strong id="requester-chosen-name">${v.chosen?.name ?? ''}</strong>
        <span id="requester-chosen-email" class="muted">${v.chosen?.email ?? ''}</span>
        <button type="button" class="btn btn-small btn-quiet" id="requester-clear">${tr('new.change')}</button>
      </div>
    </div>
    <details id="add-user" class="add-user"${addOpen ? html` open` : ''}>
      <summary>${tr('new.add_user')}</summary>
      <p class="hint">${tr('new.add_user_hint')}</p>
      <div class="grid-2">
        <div class="field"><label for="new-name">${tr('field.name')}</label><input id="new-name" name="newName" type="text" maxlength="200" value="${s.newName}"></div>
        <div class="field"><label for="new-email">${tr('field.email')}</label><input id="new-email" name="newEmail" type="email" maxlength="320" value="${s.newEmail}"></div>
        <div class="field"><label for="new-phone">${tr('field.phone')}</label><input id="new-phone" name="newPhone" type="tel" maxlength="50" value="${s.newPhone}"></div>
        <div class="field"><label for="new-org">${tr('field.organization')}</label><input id="new-org" name="newOrganization" type="text" maxlength="200" value="${s.newOrganization}"></div>
      </div>
    </details>
  </fieldset>
  <fieldset class="card">
    <legend>${tr('new.ticket')}</legend>
    <div class="field"><label for="t-subject">${tr('field.subject')}</label><input id="t-subject" name="subject" type="text" required maxlength="300" value="${s.subject}"></div>
    <div class="field"><label for="t-description">${tr('field.description')}</label><textarea id="t-description" name="description" rows="6" required maxlength="20000">${s.description}</textarea></div>
    <div class="grid-3">
      <div class="field"><label for="t-priority">${tr('field.priority')}</label><select id="t-priority" name="priority">
        ${TICKET_PRIORITIES.map((p) => html`<option value="${p}"${sel(s.priority === p)}>${tr(`common:priority.${p}`)}</option>`)}
      </select></div>
      <div class="field"><label for="t-service">${tr('field.service')}</label><select id="t-service" name="service">
        <option value="">${tr('common.none')}</option>
        ${v.services.map((x) => html`<option value="${x.id}"${sel(s.service === x.id)}>${x.name}</option>`)}
      </select></div>
      <div class="field"><label for="t-assignee">${tr('field.assignee')}</label><select id="t-assignee" name="assignee">
        <option value="">${tr('common.unassigned')}</option>
        ${v.agents.map((a) => html`<option value="${a.id}"${sel(s.assignee === a.id)}>${a.name}</option>`)}
      </select></div>
    </div>
    <fieldset class="visibility-choice">
      <legend>${tr('field.visibility')}</legend>
      <div class="choice">
        <input type="radio" id="vis-public" name="visibility" value="public"${chk(s.visibility !== 'private')} aria-describedby="vis-public-hint">
        <label for="vis-public">${tr('visibility.public')}</label>
        <p class="hint" id="vis-public-hint">${tr('new.public_hint')}</p>
      </div>
      <div class="choice">
        <input type="radio" id="vis-private" name="visibility" value="private"${chk(s.visibility === 'private')} aria-describedby="vis-private-hint">
        <label for="vis-private">${tr('visibility.private')}</label>
        <p class="hint" id="vis-private-hint">${tr('new.private_hint')}</p>
      </div>
    </fieldset>
  </fieldset>
  <div class="form-actions">
    <button type="submit" class="btn btn-primary">${tr('new.submit')}</button>
    <a class="btn btn-quiet" href="/tickets">${tr('common.cancel')}</a>
  </div>
</form>`;
  return layoutView(ctx, { title: tr('new.title'), body, active: 'new' });
}
