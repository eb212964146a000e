/**
 * What a person sees in a received message: its text (mentions resolved to names, the bot's own mention removed)
 * and its files. Lark's `content` is a JSON string whose shape depends on message_type; mentions appear as
 * `@_user_N` placeholders resolved through `mentions`. A rich-text `post` comes either bare (`{title, content}`) or
 * wrapped in its language (`{"zh_cn": {title, content}}`).
 */
import { z } from 'zod';
import type { ChatFile } from '../../core/chat/chat-events.ts';
import { jsonOrNull, type LarkMessage } from './lark-schemas.ts';

const textContent = z.object({ text: z.string() });
const opt = z.string().optional();
const postNode = z.looseObject({ tag: z.string(), text: opt, href: opt, user_id: opt, user_name: opt, image_key: opt, file_key: opt, file_name: opt });
const postBody = z.looseObject({ title: z.string().nullish(), content: z.array(z.array(postNode)) });
const wrappedPost = z.record(z.string(), postBody);
const imageContent = z.looseObject({ image_key: z.string().min(1) });
const fileContent = z.looseObject({ file_key: z.string().min(1), file_name: z.string().optional() });

/** The text as a person reads it, the files, and whether the bot is mentioned. */
export function seenMessage(m: LarkMessage, botOpenId: string) {
  const isBot = (idOrKey: string | undefined) => {
    const mention = m.mentions.find((x) => x.key === idOrKey || x.id?.open_id === idOrKey);
    return (mention?.id?.open_id ?? idOrKey) === botOpenId;
  };
  // The resource endpoint needs the app's tenant token: there is no link a person could open, so the file is kept
  // by what the adapter fetches it with (the message, the key, and whether Lark files it as an image or a file).
  const file = (key: string, name: string, type: 'image' | 'file'): ChatFile => ({
    name,
    url: null,
    platformFileId: key,
    fetchRef: { messageId: m.messageId, fileKey: key, type },
  });
  const resolve = (text: string) => {
    let out = text;
    for (const x of m.mentions) out = out.split(x.key).join(isBot(x.key) ? '' : `@${x.name ?? ''}`);
    return out.replace(/@_all\b/g, '@all').replace(/[ \t]{2,}/g, ' ').trim();
  };
  const raw = jsonOrNull(m.content);
  const files: ChatFile[] = [];
  let text = '';
  switch (m.messageType) {
    case 'text':
      text = resolve(textContent.safeParse(raw).data?.text ?? '');
      break;
    case 'post': {
      // A post written in several languages shows the reader one of them; the first is as good as any.
      const body = postBody.safeParse(raw).data ?? Object.values(wrappedPost.safeParse(raw).data ?? {})[0];
      if (!body) break;
      const node = (n: z.infer<typeof postNode>): string => {
        if (n.tag === 'text') return n.text ?? '';
        if (n.tag === 'a') return n.href ? `${n.text ?? ''} (${n.href})` : (n.text ?? '');
        if (n.tag === 'at') return isBot(n.user_id) ? '' : `@${n.user_name ?? ''}`;
        if (n.tag === 'img' && n.image_key) files.push(file(n.image_key, `image-${n.image_key}`, 'image'));
        if (n.tag === 'media' && n.file_key) files.push(file(n.file_key, n.file_name ?? n.file_key, 'file'));
        return '';
      };
      const lines = body.content.map((nodes) => nodes.map(node).join('').trim());
      text = resolve([body.title ?? '', ...lines].filter((l) => l.length > 0).join('\n'));
      break;
    }
    case 'image': {
      const c = imageContent.safeParse(raw);
      if (c.success) files.push(file(c.data.image_key, `image-${c.data.image_key}`, 'image'));
      break;
    }
    case 'file':
    case 'media':
    case 'audio': {
      const c = fileContent.safeParse(raw);
      if (c.success) files.push(file(c.data.file_key, c.data.file_name ?? c.data.file_key, 'file'));
      break;
    }
    default:
      break;
  }
  return { text, files, mentionsBot: m.mentions.some((x) => isBot(x.key)) };
}
