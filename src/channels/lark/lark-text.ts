/**
 * The readable text and the attachments of a received message. Lark's `content` is a JSON string whose shape
 * depends on message_type; mentions appear as `@_user_N` placeholders resolved through `mentions`.
 */
import { z } from 'zod';
import type { LarkMention } from './lark-schemas.ts';

export interface ExtractedMessage {
  text: string;
  files: { name: string; url: string }[];
  mentionsBot: boolean;
}

export interface ExtractInput {
  messageId: string;
  messageType: string;
  content: string;
  mentions: LarkMention[];
  botOpenId: string | null;
  /** Base of Lark's Open API, for the resource links of attachments. */
  domain: string;
}

const textContent = z.object({ text: z.string() });
const postNode = z.looseObject({
  tag: z.string(),
  text: z.string().optional(),
  href: z.string().optional(),
  user_id: z.string().optional(),
  user_name: z.string().optional(),
  image_key: z.string().optional(),
  file_key: z.string().optional(),
  file_name: z.string().optional(),
});
const postContent = z.object({ title: z.string().optional(), content: z.array(z.array(postNode)) });
const imageContent = z.object({ image_key: z.string() });
const fileContent = z.object({ file_key: z.string(), file_name: z.string().optional() });

function parseJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}

/**
 * Attachments become links to Lark's message-resource endpoint. Opening one needs the app's tenant token, so the
 * help center shows where the file is rather than the file itself (a download proxy is a later step).
 */
function resourceUrl(input: ExtractInput, key: string, type: 'image' | 'file'): string {
  return `${input.domain}/open-apis/im/v1/messages/${encodeURIComponent(input.messageId)}/resources/${encodeURIComponent(key)}?type=${type}`;
}

function resolveMentions(text: string, input: ExtractInput): string {
  let out = text;
  for (const m of input.mentions) {
    const isBot = input.botOpenId !== null && m.id.open_id === input.botOpenId;
    out = out.split(m.key).join(isBot ? '' : `@${m.name ?? ''}`);
  }
  return out.replace(/@_all\b/g, '@all').replace(/[ \t]{2,}/g, ' ').trim();
}

export function extractMessage(input: ExtractInput): ExtractedMessage {
  const mentionsBot = input.botOpenId !== null && input.mentions.some((m) => m.id.open_id === input.botOpenId);
  const raw = parseJson(input.content);
  const files: ExtractedMessage['files'] = [];
  let text = '';
  switch (input.messageType) {
    case 'text': {
      const c = textContent.safeParse(raw);
      if (c.success) text = resolveMentions(c.data.text, input);
      break;
    }
    case 'post': {
      const c = postContent.safeParse(raw);
      if (!c.success) break;
      const lines = c.data.content.map((nodes) =>
        nodes
          .map((n) => {
            if (n.tag === 'text') return n.text ?? '';
            if (n.tag === 'a') return n.href ? `${n.text ?? ''} (${n.href})` : (n.text ?? '');
            if (n.tag === 'at') return n.user_id === input.botOpenId ? '' : `@${n.user_name ?? ''}`;
            if (n.tag === 'img' && n.image_key) files.push({ name: `image-${n.image_key}`, url: resourceUrl(input, n.image_key, 'image') });
            if (n.tag === 'media' && n.file_key) files.push({ name: n.file_name ?? n.file_key, url: resourceUrl(input, n.file_key, 'file') });
            return '';
          })
          .join('')
          .trim(),
      );
      text = [c.data.title ?? '', ...lines].filter((l) => l.length > 0).join('\n');
      text = resolveMentions(text, input);
      break;
    }
    case 'image': {
      const c = imageContent.safeParse(raw);
      if (c.success) files.push({ name: `image-${c.data.image_key}`, url: resourceUrl(input, c.data.image_key, 'image') });
      break;
    }
    case 'file':
    case 'media':
    case 'audio': {
      const c = fileContent.safeParse(raw);
      if (c.success) files.push({ name: c.data.file_name ?? c.data.file_key, url: resourceUrl(input, c.data.file_key, 'file') });
      break;
    }
    default:
      break;
  }
  return { text, files, mentionsBot };
}
