/**
 * The console's only way to build HTML: the `html` tag escapes every interpolated value unless it is itself
 * `html` output, so a template cannot forget to escape a subject, a comment or a name.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}

/** Markup that is already safe (produced by `html`). Never construct it from outside text. */
export class SafeHtml {
  readonly markup: string;
  private constructor(markup: string) {
    this.markup = markup;
  }
  /** Only `html` and `join` make SafeHtml. */
  static fromTemplate(markup: string): SafeHtml {
    return new SafeHtml(markup);
  }
  toString(): string {
    return this.markup;
  }
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(v: HtmlValue): string {
  if (v === null || v === undefined || v === false || v === true) return '';
  if (v instanceof SafeHtml) return v.markup;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return SafeHtml.fromTemplate(out);
}

/**
 * An href for a link the console did not make (a chat permalink): only http(s) URLs, so that a stored
 * "javascript:" URL can never become a clickable script.
 */
export function safeExternalUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.toString() : null;
  } catch {
    return null;
  }
}

/** `selected` / `checked` attributes. */
export const sel = (on: boolean): SafeHtml => (on ? html` selected` : html``);
export const chk = (on: boolean): SafeHtml => (on ? html` checked` : html``);
