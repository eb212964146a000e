/**
 * The one message catalog. Every sentence a person reads (bot messages, console labels, API-facing texts for
 * people) comes from here, in English, Japanese and Russian. Each area keeps its own namespace file under
 * ./messages so that work on one channel never edits another's strings.
 */
import i18next, { type i18n } from 'i18next';
import { LOCALES, type Locale } from '../core/locale.ts';
import { common } from './messages/common.ts';

export type Catalog = Record<Locale, Record<string, string>>;

const namespaces: Record<string, Catalog> = { common };

/** Adds a namespace (each channel registers its own at import time). */
export function registerMessages(ns: string, catalog: Catalog): void {
  namespaces[ns] = catalog;
  if (instance) for (const lng of LOCALES) instance.addResourceBundle(lng, ns, catalog[lng], true, true);
}

let instance: i18n | undefined;

function get(): i18n {
  if (instance) return instance;
  const inst = i18next.createInstance();
  const resources: Record<string, Record<string, Record<string, string>>> = {};
  for (const lng of LOCALES) {
    resources[lng] = {};
    for (const [ns, cat] of Object.entries(namespaces)) resources[lng][ns] = cat[lng];
  }
  void inst.init({
    initAsync: false,
    resources,
    lng: 'en',
    fallbackLng: 'en',
    defaultNS: 'common',
    ns: Object.keys(namespaces),
    interpolation: { escapeValue: false },
    returnNull: false,
    showSupportNotice: false,
  } as Parameters<i18n['init']>[0]);
  instance = inst;
  return inst;
}

/** Translate `key` ("ns:key" or a key of `common`) for `locale`. Values are not escaped: renderers escape. */
export function t(locale: Locale, key: string, params?: Record<string, string | number>): string {
  return get().t(key, { lng: locale, ...(params ?? {}) }) as string;
}

/** Every key of every namespace, for the catalog completeness test. */
export function allCatalogs(): Record<string, Catalog> {
  return namespaces;
}
