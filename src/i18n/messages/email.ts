import { registerMessages, type Catalog } from '../catalog.ts';

/**
 * The mails the email channel sends to a ticket's requester: the opening of a ticket on their behalf (or the
 * confirmation of their own mail), each public agent reply, and the ticket solved with the rating link. Statuses
 * come from the common namespace.
 */
export const emailMessages: Catalog = {
  en: {
    subject: 'Request #{{number}}: {{subject}}',
    reply_marker: '##- Please type your reply above this line -##',
    greeting: 'Hello,',
    'opened.lead': 'We have opened request #{{number}} “{{subject}}” for you.',
    'opened.next': 'Our support team will answer you by email. You can also follow the request in the help center.',
    'reply.lead': '{{author}} replied to your request #{{number}}:',
    'solved.lead': 'Your request #{{number}} “{{subject}}” has been solved.',
    'solved.rate': 'How did we do? Rate our help from 1 to 5 stars:',
    'solved.rate_button': 'Rate our help',
    'solved.reopen': 'If the problem is not solved, just reply to this email and the request opens again.',
    'status.lead': 'The status of your request #{{number}} “{{subject}}” is now: {{status}}.',
    'reopen.lead': 'You can reopen request #{{number}} “{{subject}}” in the help center.',
    view: 'View the request',
    'reply.hint': 'Reply to this email to add a comment to your request.',
    'footer.why': 'You get this email because you asked our support for help.',
    'footer.prefs': 'Choose which emails you get: {{url}}',
    'footer.prefs_link': 'Email preferences',
    'notice.subject': 'About your message to support',
  },
  ja: {
    subject: 'お問い合わせ #{{number}}: {{subject}}',
    reply_marker: '##- 返信はこの行より上に入力してください -##',
    greeting: 'いつもご利用ありがとうございます。',
    'opened.lead': 'お客様のお問い合わせ #{{number}}「{{subject}}」を登録しました。',
    'opened.next': 'サポート担当者からメールでご連絡します。ヘルプセンターでも進捗をご確認いただけます。',
    'reply.lead': '{{author}} がお問い合わせ #{{number}} に返信しました:',
    'solved.lead': 'お問い合わせ #{{number}}「{{subject}}」は解決済みになりました。',
    'solved.rate': '対応はいかがでしたか？ 1〜5 の星で評価してください:',
    'solved.rate_button': '対応を評価する',
    'solved.reopen': '問題が解決していない場合は、このメールに返信してください。お問い合わせが再開されます。',
    'status.lead': 'お問い合わせ #{{number}}「{{subject}}」のステータスが「{{status}}」になりました。',
    'reopen.lead': 'お問い合わせ #{{number}}「{{subject}}」はヘルプセンターから再開できます。',
    view: 'お問い合わせを表示',
    'reply.hint': 'このメールに返信すると、お問い合わせにコメントを追加できます。',
    'footer.why': 'このメールは、サポートへのお問い合わせに関してお送りしています。',
    'footer.prefs': '受け取るメールの設定: {{url}}',
    'footer.prefs_link': 'メールの設定',
    'notice.subject': 'サポートへのメッセージについて',
  },
  ru: {
    subject: 'Заявка #{{number}}: {{subject}}',
    reply_marker: '##- Пишите ответ выше этой строки -##',
    greeting: 'Здравствуйте!',
    'opened.lead': 'Мы открыли для вас заявку #{{number}} «{{subject}}».',
    'opened.next': 'Служба поддержки ответит вам по почте. Следить за заявкой можно и в центре поддержки.',
    'reply.lead': '{{author}} ответил(а) на вашу заявку #{{number}}:',
    'solved.lead': 'Ваша заявка #{{number}} «{{subject}}» решена.',
    'solved.rate': 'Как мы справились? Оцените нашу помощь от 1 до 5 звёзд:',
    'solved.rate_button': 'Оценить помощь',
    'solved.reopen': 'Если проблема не решена, просто ответьте на это письмо, и заявка откроется снова.',
    'status.lead': 'Статус вашей заявки #{{number}} «{{subject}}» теперь: {{status}}.',
    'reopen.lead': 'Заявку #{{number}} «{{subject}}» можно вернуть в работу в центре поддержки.',
    view: 'Открыть заявку',
    'reply.hint': 'Ответьте на это письмо, чтобы добавить комментарий к заявке.',
    'footer.why': 'Вы получили это письмо, потому что обратились в нашу службу поддержки.',
    'footer.prefs': 'Какие письма получать: {{url}}',
    'footer.prefs_link': 'Настройки писем',
    'notice.subject': 'О вашем письме в поддержку',
  },
};

registerMessages('email', emailMessages);
