/**
 * What the customer wrote in a reply, without the quoted history and the signature. First our own marker line (every
 * notification begins with it, in the mail's language), then the quote headers mail programs write in English,
 * Japanese and Russian ("On … wrote:", "2026年12月2日(水) 10:00 Name <a@b>:", "… написал(а):", Outlook's
 * "-----Original Message-----" and "From:/Sent:" blocks), then email-reply-parser (a port of GitHub's
 * EmailReplyParser) for the rest: trailing ">" quotes and "-- " signatures.
 */
import EmailReplyParser from 'email-reply-parser';
import { emailMessages } from '../../i18n/messages/email.ts';

const MARKERS = Object.values(emailMessages).map((m) => m['reply_marker']!.replace(/^#+-\s*|\s*-#+$/g, '').trim());

/** A line that starts quoted history; everything from it on is dropped. */
const QUOTE_HEADERS: RegExp[] = [
  // English: "On Tue, 2 Dec 2026 at 10:00, Support <support@x>wrote:" (may wrap onto two lines)
  /^\s*On\s[^\n]{4,200}?\bwrote:\s*$/im,
  /^\s*On\s[^\n]{4,200}\n[^\n]{0,200}\bwrote:\s*$/im,
  // Japanese: Gmail "2026年12月2日(水) 10:00 Support <support@x>:", Outlook/Thunderbird "… さんは書きました:" / "… のメッセージ:"
  /^\s*\d{4}年\d{1,2}月\d{1,2}日[^\n]{0,120}[:：]\s*$/m,
  /^[^\n]{0,200}(さんは書きました|は書きました|が書きました|のメッセージ)[:：]\s*$/m,
  // Russian: Gmail "ср, 30 апр. 2025 г. в 15:19, John Doe <doe@example.com>:", "… написал(а):", "… пишет:"
  /^[^\n]{0,200}(написал\(а\)|написала|написал|пишет)[:：]?\s*$/im,
  /^\s*(?:[а-яё]{2},\s*)?\d{1,2}\s[а-яё]{3,9}\.?\s\d{4}\s?г?\.?[^\n]{0,160}[:：]\s*$/im,
  // Outlook in any of the three languages
  /^\s*-{2,}\s*(Original Message|Forwarded message|元のメッセージ|転送されたメッセージ|Исходное сообщение|Пересылаемое сообщение)\s*-{2,}\s*$/im,
  /^\s*(From|差出人|От|От кого):\s[^\n]+\n\s*(Sent|Date|送信日時|日付|Отправлено|Дата):\s/im,
];

/** Sign-offs mobile mail programs add. */
const SENT_FROM = /^\s*(Sent from my [^\n]{1,40}|iPhoneから送信|iPadから送信|Androidから送信|Отправлено с (iPhone|iPad|Android)[^\n]{0,30}|Отправлено из мобильной [^\n]{0,40})\s*$/im;

export function visibleReply(text: string): string {
  let t = text.replace(/\r\n?/g, '\n');
  const cutAt = (i: number) => {
    if (i >= 0) t = t.slice(0, i);
  };
  for (const marker of MARKERS) {
    const i = t.indexOf(marker);
    if (i >= 0) cutAt(t.lastIndexOf('\n', i) + 1);
  }
  for (const re of QUOTE_HEADERS) {
    const m = re.exec(t);
    if (m) cutAt(m.index);
  }
  const sent = SENT_FROM.exec(t);
  if (sent) cutAt(sent.index);
  const parsed = new EmailReplyParser().parseReply(t);
  // The parser drops everything when a message is all quote; our cuts above are then the answer.
  const out = (parsed.trim() !== '' ? parsed : t).replace(/\n{3,}/g, '\n\n');
  return out.trim();
}
