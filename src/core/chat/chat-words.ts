/**
 * The words a person may type to the bot instead of pressing anything (a channel's help names them): "link <code>"
 * registers the chat account, "login" asks for a sign-in link, "tickets" lists their open requests. In English,
 * Russian and Japanese, whole-message only: a sentence that merely contains one is a message.
 */
import type { ChatEvent, ChatPerson, ChatPlace } from './chat-events.ts';

const LINK = /^\s*(?:link|привязать|連携)\s+([A-Za-z0-9-]{4,64})\s*$/iu;
const SIGN_IN = /^\s*(?:log\s?in|sign\s?in|ログイン|войти|вход)\s*$/iu;
const MY_TICKETS = /^\s*(?:tickets|requests|チケット|リクエスト|заявки)\s*$/iu;

/** The event a message's words ask for; null when they are none of the words (the message is a message). */
export function chatWordEvent(text: string, from: { place: ChatPlace; actor: ChatPerson }): ChatEvent | null {
  const link = LINK.exec(text);
  if (link) return { type: 'registration', ...from, code: link[1]! };
  if (SIGN_IN.test(text)) return { type: 'sign_in_wanted', ...from };
  return MY_TICKETS.test(text) ? { type: 'my_tickets', ...from } : null;
}
