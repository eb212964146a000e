/** Reading what the bot sent to the fake Lark: message content, card elements, the visible text of a card. */
import type { StoredMessage } from '../../fakes/lark/lark-fake.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

export function parseContent(m: StoredMessage): Obj {
  const v: unknown = JSON.parse(m.content);
  if (!isObj(v)) throw new Error('content is not an object');
  return v;
}

/** Every element of a card, depth first (through forms, actions and `extra`). */
export function walkCard(card: unknown): Obj[] {
  const out: Obj[] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (!isObj(v)) return;
    if (typeof v['tag'] === 'string') out.push(v);
    for (const k of ['elements', 'actions', 'extra', 'columns']) if (k in v) visit(v[k]);
  };
  visit(isObj(card) ? card['elements'] : undefined);
  return out;
}

export function findByName(card: unknown, name: string): Obj {
  const el = walkCard(card).find((e) => e['name'] === name);
  if (!el) throw new Error(`no element named ${name}`);
  return el;
}

/** All visible strings of a card (plain_text contents, markdown, header), for text assertions. */
export function cardText(card: unknown): string {
  const parts: string[] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (!isObj(v)) return;
    if ((v['tag'] === 'plain_text' || v['tag'] === 'lark_md' || v['tag'] === 'markdown') && typeof v['content'] === 'string') parts.push(v['content']);
    for (const val of Object.values(v)) if (typeof val === 'object') visit(val);
  };
  visit(card);
  return parts.join('\n');
}

/** The value of the request form's Submit button. */
export function submitValue(form: StoredMessage): Obj {
  const v = findByName(parseContent(form), 'submit')['value'];
  if (!isObj(v)) throw new Error('submit button has no value');
  return v;
}
