import fs from 'node:fs';
import path from 'node:path';
import type { Locale } from './locales';

export type Messages = Record<string, Record<string, unknown>>;

const DIR = path.join(process.cwd(), 'messages');
const cache = new Map<Locale, Messages>();

/**
 * One language's catalog: every `messages/<locale>/<namespace>.json`, keyed by namespace (the file's
 * name). One file a namespace, so each part of the console keeps its own words. Read once in production.
 */
export function loadMessages(locale: Locale): Messages {
  const hit = process.env.NODE_ENV === 'production' ? cache.get(locale) : undefined;
  if (hit) return hit;
  const messages: Messages = {};
  const dir = path.join(DIR, locale);
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    messages[file.slice(0, -'.json'.length)] = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>;
  }
  cache.set(locale, messages);
  return messages;
}
