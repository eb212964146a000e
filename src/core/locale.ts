export const LOCALES = ['en', 'ja', 'ru'] as const;
export type Locale = (typeof LOCALES)[number];

/** Picks our locale from a platform locale tag ("ja-JP", "ru", "en_US", "pt-BR" -> en). */
export function toLocale(tag: string | null | undefined): Locale {
  const lang = (tag ?? '').trim().toLowerCase().split(/[-_]/)[0];
  return (LOCALES as readonly string[]).includes(lang ?? '') ? (lang as Locale) : 'en';
}

/** Picks the best of our locales from an HTTP Accept-Language header. */
export function fromAcceptLanguage(header: string | undefined): Locale {
  if (!header) return 'en';
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { tag: tag ?? '', q: q ? Number(q.slice(2)) || 0 : 1 };
    })
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    const lang = tag.toLowerCase().split('-')[0];
    if ((LOCALES as readonly string[]).includes(lang ?? '')) return lang as Locale;
  }
  return 'en';
}
