/**
 * What the fake accepts as message content and cards. Lark rejects content that is not a JSON string of the right
 * msg_type shape; the card checks cover what this project builds (card JSON 1.0 with forms, 2.0, templates) and
 * Lark's documented form rules: interactive components inside a form need a `name`, unique within the form, and a
 * form_submit button must sit inside a form.
 */

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';

/** Request-body limits: 150 KB for text, 30 KB for cards and rich text. */
export const TEXT_LIMIT_BYTES = 150 * 1024;
export const CARD_LIMIT_BYTES = 30 * 1024;

function textObject(v: unknown, where: string): string | null {
  if (!isObj(v) || !isStr(v['tag']) || !isStr(v['content'])) return `${where}: expected {tag, content}`;
  if (!['plain_text', 'lark_md'].includes(v['tag'])) return `${where}: unknown text tag ${v['tag']}`;
  return null;
}

const INTERACTIVE = new Set(['button', 'input', 'select_static', 'multi_select_static', 'select_person', 'date_picker', 'checker', 'overflow']);
const KNOWN_TAGS = new Set([
  'div', 'markdown', 'hr', 'img', 'note', 'action', 'column_set', 'column', 'form', 'plain_text', 'lark_md',
  ...INTERACTIVE,
]);

interface Walk {
  inForm: string | null;
  names: Set<string> | null;
}

function element(el: unknown, path: string, walk: Walk): string | null {
  if (!isObj(el) || !isStr(el['tag'])) return `${path}: element without a tag`;
  const tag = el['tag'];
  if (!KNOWN_TAGS.has(tag)) return `${path}: unknown tag ${tag}`;
  if (tag === 'div' && el['text'] !== undefined) {
    const e = textObject(el['text'], `${path}.text`);
    if (e) return e;
  }
  if (tag === 'markdown' && !isStr(el['content'])) return `${path}: markdown without content`;
  if (INTERACTIVE.has(tag)) {
    if (tag === 'button') {
      const e = textObject(el['text'], `${path}.text`);
      if (e) return e;
      if (el['value'] !== undefined && !isObj(el['value'])) return `${path}: button value must be an object`;
      if ((el['action_type'] === 'form_submit' || el['action_type'] === 'form_reset') && !walk.inForm) {
        return `${path}: ${String(el['action_type'])} outside a form`;
      }
    }
    if (tag === 'select_static') {
      const opts = el['options'];
      if (!Array.isArray(opts) || opts.length === 0) return `${path}: select without options`;
      for (const [i, o] of opts.entries()) {
        if (!isObj(o) || !isStr(o['value']) || o['value'] === '') return `${path}.options[${i}]: option needs a value`;
        const e = textObject(o['text'], `${path}.options[${i}].text`);
        if (e) return e;
      }
      if (el['initial_option'] !== undefined && !opts.some((o) => isObj(o) && o['value'] === el['initial_option'])) {
        return `${path}: initial_option is not one of the options`;
      }
    }
    if (tag === 'input' && el['max_length'] !== undefined) {
      const m = el['max_length'];
      if (typeof m !== 'number' || m < 1 || m > 1000) return `${path}: input max_length must be 1..1000`;
      if (isStr(el['default_value']) && el['default_value'].length > m) return `${path}: default_value longer than max_length`;
    }
    if (walk.inForm) {
      if (!isStr(el['name']) || el['name'] === '') return `${path}: component in form ${walk.inForm} needs a name`;
      if (walk.names?.has(el['name'])) return `${path}: duplicate name ${el['name']} in form ${walk.inForm}`;
      walk.names?.add(el['name']);
    }
  }
  if (tag === 'form') {
    if (walk.inForm) return `${path}: forms cannot nest`;
    if (!isStr(el['name']) || el['name'] === '') return `${path}: form needs a name`;
    return elements(el['elements'], `${path}.elements`, { inForm: el['name'], names: new Set() });
  }
  if (tag === 'action') {
    if (!Array.isArray(el['actions'])) return `${path}: action without actions`;
    for (const [i, a] of el['actions'].entries()) {
      const e = element(a, `${path}.actions[${i}]`, walk);
      if (e) return e;
    }
  }
  if (tag === 'note' && !Array.isArray(el['elements'])) return `${path}: note without elements`;
  if (tag === 'column_set' && Array.isArray(el['columns'])) {
    for (const [i, c] of el['columns'].entries()) {
      if (!isObj(c)) return `${path}.columns[${i}]: not an object`;
      const e = elements(c['elements'] ?? [], `${path}.columns[${i}].elements`, walk);
      if (e) return e;
    }
  }
  if (isObj(el['extra'])) return element(el['extra'], `${path}.extra`, walk);
  return null;
}

function elements(list: unknown, path: string, walk: Walk): string | null {
  if (!Array.isArray(list)) return `${path}: expected an array`;
  for (const [i, el] of list.entries()) {
    const e = element(el, `${path}[${i}]`, walk);
    if (e) return e;
  }
  return null;
}

/** null when the card is acceptable, else why not. */
export function validateCard(card: unknown): string | null {
  if (!isObj(card)) return 'card is not an object';
  if (card['type'] === 'template') {
    const data = card['data'];
    return isObj(data) && isStr(data['template_id']) ? null : 'template card needs data.template_id';
  }
  if (card['header'] !== undefined) {
    const h = card['header'];
    if (!isObj(h)) return 'header is not an object';
    const e = textObject(h['title'], 'header.title');
    if (e) return e;
  }
  if (card['schema'] === '2.0') {
    const body = card['body'];
    if (!isObj(body)) return '2.0 card needs a body';
    return elements(body['elements'], 'body.elements', { inForm: null, names: null });
  }
  if (card['elements'] === undefined && !isObj(card['i18n_elements'])) return 'card has neither elements nor i18n_elements';
  if (card['open_ids'] !== undefined && !(Array.isArray(card['open_ids']) && card['open_ids'].every(isStr))) {
    return 'open_ids must be a list of open_ids';
  }
  return card['elements'] === undefined ? null : elements(card['elements'], 'elements', { inForm: null, names: null });
}

function postBody(v: unknown): string | null {
  if (!isObj(v) || !Array.isArray(v['content'])) return 'post needs content: [[...]]';
  for (const line of v['content']) {
    if (!Array.isArray(line)) return 'post content lines must be arrays';
    for (const node of line) if (!isObj(node) || !isStr(node['tag'])) return 'post node without a tag';
  }
  return null;
}

/** Validates `content` (a JSON string) for `msgType`; returns null or why Lark would refuse it. */
export function validateContent(msgType: unknown, content: unknown): string | null {
  if (!isStr(msgType)) return 'msg_type is required';
  if (!isStr(content)) return 'content must be a JSON string';
  const bytes = Buffer.byteLength(content);
  if (msgType === 'text' ? bytes > TEXT_LIMIT_BYTES : bytes > CARD_LIMIT_BYTES) return 'content too long';
  let v: unknown;
  try {
    v = JSON.parse(content);
  } catch {
    return 'content is not JSON';
  }
  if (!isObj(v)) return 'content is not a JSON object';
  switch (msgType) {
    case 'text':
      return isStr(v['text']) ? null : 'text content needs {"text": string}';
    case 'post': {
      const locales = Object.values(v).filter(isObj);
      if (isStr(v['title']) || Array.isArray(v['content'])) return postBody(v);
      if (locales.length === 0) return 'post needs a locale body';
      for (const l of locales) {
        const e = postBody(l);
        if (e) return e;
      }
      return null;
    }
    case 'interactive':
      return validateCard(v);
    case 'image':
      return isStr(v['image_key']) ? null : 'image content needs image_key';
    case 'file':
    case 'audio':
    case 'media':
    case 'sticker':
      return isStr(v['file_key']) ? null : `${msgType} content needs file_key`;
    case 'share_chat':
      return isStr(v['chat_id']) ? null : 'share_chat needs chat_id';
    case 'share_user':
      return isStr(v['user_id']) ? null : 'share_user needs user_id';
    default:
      return `unknown msg_type ${msgType}`;
  }
}
