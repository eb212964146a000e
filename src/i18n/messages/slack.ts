import type { Catalog } from '../catalog.ts';

/**
 * Texts only the Slack channel shows. Modal titles and submit labels must stay within Slack's 24-character limit in
 * every language (slack-views.test.ts checks it).
 */
export const slack: Catalog = {
  en: {
    'reaction.prompt': 'Create a support request from this message?',
    'reaction.exists': 'This message already has request #{{number}} "{{subject}}". Status: {{status}}.',
    'assist.request': '{{user}} asked for help: {{subject}}',
    'form.filed_as': 'Filed as {{email}}',
    'rate.title': 'Rate the answer',
    'rate.submit': 'Send',
    'rate.score': 'Your rating',
    'rate.comment': 'Comment (optional)',
    'rate.option_1': '1 - Very poor',
    'rate.option_2': '2 - Poor',
    'rate.option_3': '3 - Okay',
    'rate.option_4': '4 - Good',
    'rate.option_5': '5 - Excellent',
    'reopen.reason': 'What is still wrong?',
    'reopen.submit': 'Send',
    'thread.follow_up': 'Request #{{closed}} is closed, so your message started a new request #{{number}} "{{subject}}". Status: {{status}}.',
    'detail.status': 'Status',
    'detail.rating': 'Rating',
    'comments.title': 'Comments on request #{{number}}',
    'comments.none': 'Request #{{number}} has no comments yet.',
    'sign_in.button': 'Sign in',
    help:
      'To ask for help, react with :{{emoji}}: to a message or type /assist. Replies in a request\'s thread reach support. Here you can also write "tickets" for your open requests, or "login" for a sign-in link to the help center.',
    help_unregistered:
      'Your Slack account is not linked to the help center yet. Sign in to the help center and get a code under "My chats", or ask support for one, then send "link <code>" here.',
  },
  ja: {
    'reaction.prompt': 'このメッセージからサポートリクエストを作成しますか？',
    'reaction.exists': 'このメッセージにはすでにリクエスト #{{number}}「{{subject}}」があります。ステータス: {{status}}。',
    'assist.request': '{{user}} さんからのサポート依頼: {{subject}}',
    'form.filed_as': '依頼者: {{email}}',
    'rate.title': '回答を評価',
    'rate.submit': '送信',
    'rate.score': '評価',
    'rate.comment': 'コメント（任意）',
    'rate.option_1': '1 - とても悪い',
    'rate.option_2': '2 - 悪い',
    'rate.option_3': '3 - 普通',
    'rate.option_4': '4 - 良い',
    'rate.option_5': '5 - とても良い',
    'reopen.reason': 'まだ解決していない点は何ですか？',
    'reopen.submit': '送信',
    'thread.follow_up': 'リクエスト #{{closed}} はクローズ済みのため、メッセージから新しいリクエスト #{{number}}「{{subject}}」を作成しました。ステータス: {{status}}。',
    'detail.status': 'ステータス',
    'detail.rating': '評価',
    'comments.title': 'リクエスト #{{number}} のコメント',
    'comments.none': 'リクエスト #{{number}} にはまだコメントがありません。',
    'sign_in.button': 'サインイン',
    help:
      'お困りのときは、メッセージに :{{emoji}}: でリアクションするか /assist と入力してください。リクエストのスレッドへの返信はサポートに届きます。ここで「tickets」と送ると未解決のリクエスト、「login」と送るとヘルプセンターへのサインインリンクが届きます。',
    help_unregistered:
      'この Slack アカウントはまだヘルプセンターに連携されていません。ヘルプセンターにサインインして「マイチャット」でコードを取得するか、サポートにコードを依頼し、ここに「link <コード>」と送ってください。',
  },
  ru: {
    'reaction.prompt': 'Создать заявку в поддержку из этого сообщения?',
    'reaction.exists': 'По этому сообщению уже есть заявка #{{number}} «{{subject}}». Статус: {{status}}.',
    'assist.request': '{{user}} просит помощи: {{subject}}',
    'form.filed_as': 'Заявитель: {{email}}',
    'rate.title': 'Оценка ответа',
    'rate.submit': 'Отправить',
    'rate.score': 'Ваша оценка',
    'rate.comment': 'Комментарий (необязательно)',
    'rate.option_1': '1 - Очень плохо',
    'rate.option_2': '2 - Плохо',
    'rate.option_3': '3 - Нормально',
    'rate.option_4': '4 - Хорошо',
    'rate.option_5': '5 - Отлично',
    'reopen.reason': 'Что по-прежнему не так?',
    'reopen.submit': 'Отправить',
    'thread.follow_up': 'Заявка #{{closed}} закрыта, поэтому ваше сообщение открыло новую заявку #{{number}} «{{subject}}». Статус: {{status}}.',
    'detail.status': 'Статус',
    'detail.rating': 'Оценка',
    'comments.title': 'Комментарии к заявке #{{number}}',
    'comments.none': 'У заявки #{{number}} пока нет комментариев.',
    'sign_in.button': 'Войти',
    help:
      'Чтобы попросить о помощи, поставьте реакцию :{{emoji}}: на сообщение или наберите /assist. Ответы в ветке заявки попадают в поддержку. Здесь можно написать «заявки» — список ваших открытых заявок, или «войти» — ссылка для входа в центр поддержки.',
    help_unregistered:
      'Ваш аккаунт Slack ещё не связан с центром поддержки. Войдите в центр поддержки и получите код в разделе «Мои чаты» или попросите код у поддержки, затем отправьте сюда «link <код>».',
  },
};
