import { registerMessages, type Catalog } from '../catalog.ts';

/**
 * The console's pages for agents working together (namespace `work`): stale saves, live updates and presence,
 * notifications, views, bulk changes, tags, macros, SLA, keyboard shortcuts, first run and the admin pages.
 */
export const workMessages: Catalog = {
  en: {
    'stale.title': 'Not saved: this ticket changed since you opened it.',
    'stale.changes': 'Changed since you opened it:',
    'stale.no_events': 'Someone else saved the ticket in the meantime.',
    'stale.reapply_properties': 'Your change is filled in below (marked). Check it against the new state and save again to apply it.',
    'stale.reapply_comment': 'Your message is kept in the box below. Read what changed, then send it again.',
    'stale.reapply_private': 'Check what changed, then make it private again if you still want to.',
    'stale.by': '{{who}}: {{what}}',
    'stale.yours': 'your change',
    'event.tags': 'Tags changed from “{{from}}” to “{{to}}”',
    'event.sla_breach': 'SLA target missed',
    'hint.public_threads': 'The requester sees this reply in the help center, and it is posted to: {{channels}}. No email is sent.',
    'hint.public_web_only': 'The requester sees this reply in the help center only: this ticket has no working chat thread, and no email is sent.',
    'hint.public_private_threads': 'The requester sees this reply, it makes this private ticket public, and it is posted to: {{channels}}. No email is sent.',
    'hint.public_private_web_only': 'The requester sees this reply in the help center only, and it makes this private ticket public. No email is sent.',
  },
  ja: {
    'stale.title': '保存されませんでした: 開いた後にこのチケットが変更されています。',
    'stale.changes': '開いた後の変更:',
    'stale.no_events': 'その間に他の人がチケットを保存しました。',
    'stale.reapply_properties': 'あなたの変更は下に入力されています(印付き)。新しい状態と見比べてから、もう一度保存してください。',
    'stale.reapply_comment': 'メッセージは下の欄に残っています。変更内容を確認してから、もう一度送信してください。',
    'stale.reapply_private': '変更内容を確認し、必要ならもう一度非公開にしてください。',
    'stale.by': '{{who}}:{{what}}',
    'stale.yours': 'あなたの変更',
    'event.tags': 'タグが「{{from}}」から「{{to}}」に変更されました',
    'event.sla_breach': 'SLA目標を超過しました',
    'hint.public_threads': 'この返信はリクエスターのヘルプセンターに表示され、次に投稿されます: {{channels}}。メールは送信されません。',
    'hint.public_web_only': 'この返信はヘルプセンターでのみリクエスターに表示されます。このチケットには有効なチャットスレッドがなく、メールも送信されません。',
    'hint.public_private_threads': 'この返信はリクエスターに表示され、この非公開チケットを公開にし、次に投稿されます: {{channels}}。メールは送信されません。',
    'hint.public_private_web_only': 'この返信はヘルプセンターでのみリクエスターに表示され、この非公開チケットを公開にします。メールは送信されません。',
  },
  ru: {
    'stale.title': 'Не сохранено: заявка изменилась после того, как вы её открыли.',
    'stale.changes': 'Изменения с тех пор, как вы её открыли:',
    'stale.no_events': 'Тем временем заявку сохранил кто-то другой.',
    'stale.reapply_properties': 'Ваше изменение подставлено ниже (отмечено). Сверьте его с новым состоянием и сохраните ещё раз.',
    'stale.reapply_comment': 'Ваше сообщение осталось в поле ниже. Посмотрите, что изменилось, и отправьте его ещё раз.',
    'stale.reapply_private': 'Посмотрите, что изменилось, и, если нужно, сделайте заявку приватной ещё раз.',
    'stale.by': '{{who}} — {{what}}',
    'stale.yours': 'ваше изменение',
    'event.tags': 'Теги изменены с «{{from}}» на «{{to}}»',
    'event.sla_breach': 'Срок SLA нарушен',
    'hint.public_threads': 'Автор запроса увидит этот ответ в центре поддержки, и он будет отправлен сюда: {{channels}}. Письмо не отправляется.',
    'hint.public_web_only': 'Автор запроса увидит этот ответ только в центре поддержки: у заявки нет рабочей ветки чата, письмо не отправляется.',
    'hint.public_private_threads': 'Автор запроса увидит этот ответ, приватная заявка станет публичной, и ответ будет отправлен сюда: {{channels}}. Письмо не отправляется.',
    'hint.public_private_web_only': 'Автор запроса увидит этот ответ только в центре поддержки, и приватная заявка станет публичной. Письмо не отправляется.',
  },
};

registerMessages('work', workMessages);
