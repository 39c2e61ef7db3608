import fs from 'node:fs';
import path from 'node:path';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';

/*
 * Static checks of the catalogs and of the code using them (node only; for tests and the lead's
 * scripts). Good enough for literal keys: a key built at run time (t(`nav.${x}`)) is not seen here,
 * which is why such keys are kept to small closed sets next to their catalog entries.
 */

export const ROOT = process.cwd();
const MESSAGES = path.join(ROOT, 'messages');

/** Every .tsx/.ts file under the given folders (relative to the repository), tests and node_modules left out. */
export function sourceFiles(dirs: string[], exts = ['.tsx', '.ts']): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && !e.name.startsWith('.')) walk(p);
      } else if (exts.some((x) => e.name.endsWith(x)) && !/\.(test|spec)\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts')) {
        out.push(path.relative(ROOT, p).split(path.sep).join('/'));
      }
    }
  };
  for (const d of dirs) walk(path.join(ROOT, d));
  return out.sort();
}

/** The locales that have a catalog folder (messages/<locale>/). */
export function catalogLocales(): string[] {
  return fs.readdirSync(MESSAGES, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

/** One namespace file of one locale, as parsed JSON (undefined when the file is missing). */
export function readNamespace(locale: string, ns: string): Record<string, unknown> | undefined {
  const p = path.join(MESSAGES, locale, `${ns}.json`);
  return fs.existsSync(p) ? (JSON.parse(fs.readFileSync(p, 'utf8')) as Record<string, unknown>) : undefined;
}

export function namespaces(locale: string): string[] {
  return fs.readdirSync(path.join(MESSAGES, locale)).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
}

/** Nested messages as "a.b.c" → message; a non-string leaf is reported as such (value kept as is). */
export function flatten(obj: Record<string, unknown>, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) for (const [kk, vv] of flatten(v as Record<string, unknown>, key)) out.set(kk, vv);
    else out.set(key, v);
  }
  return out;
}

/** A whole locale: "ns.key.path" → message. */
export function flatCatalog(locale: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const ns of namespaces(locale)) for (const [k, v] of flatten(readNamespace(locale, ns) ?? {}, ns)) out.set(k, v);
  return out;
}

/**
 * The arguments and tags of an ICU message ({name}, {count, plural, …}, <b>…</b>), sorted;
 * throws when the message is not valid ICU (as next-intl would, at run time, in front of a user).
 */
export function placeholders(message: string): string[] {
  const found = new Set<string>();
  const walk = (els: MessageFormatElement[]) => {
    for (const el of els) {
      if (el.type === TYPE.argument || el.type === TYPE.number || el.type === TYPE.date || el.type === TYPE.time) found.add(`{${el.value}}`);
      else if (el.type === TYPE.select || el.type === TYPE.plural) {
        found.add(`{${el.value}}`);
        for (const opt of Object.values(el.options)) walk(opt.value);
      } else if (el.type === TYPE.tag) {
        found.add(`<${el.value}>`);
        walk(el.children);
      }
    }
  };
  walk(parse(message));
  return [...found].sort();
}

export interface KeyUse {
  file: string;
  line: number;
  /** The full key: "namespace.key". */
  key: string;
}

const CALL = /\b(?:useTranslations|getTranslations)\(\s*(?:'([^']*)'|"([^"]*)"|\{\s*namespace:\s*'([^']*)'[^}]*\}|\{[^}]*\bnamespace:\s*'([^']*)'[^}]*\})?\s*\)/;

/**
 * The literal keys a file asks of its translators: `const t = useTranslations('ns')` (or
 * `await getTranslations('ns')`) binds `t` to "ns" from there on (until `t` is bound again, as
 * in the next component of the file); `t('key')`, `t.rich('key', …)`, `t.markup`/`t.raw`/`t.has`
 * then use "ns.key". Also `(await getTranslations('ns'))('key')`.
 */
export function keyUses(file: string, source = fs.readFileSync(path.join(ROOT, file), 'utf8')): KeyUse[] {
  const uses: KeyUse[] = [];
  const bound = new Map<string, string>();
  const lineOf = (index: number) => source.slice(0, index).split('\n').length;
  // One pass over binding sites and calls in source order.
  const token = new RegExp(
    [
      String.raw`(?:const|let)\s+(\w+)\s*=\s*(?:await\s+)?(?:useTranslations|getTranslations)\(([^)]*)\)`,
      String.raw`\(\s*await\s+getTranslations\(([^)]*)\)\s*\)\(\s*(?:'([^']+)'|"([^"]+)")`,
      String.raw`(?<![\w.$])(\w+)(?:\.(?:rich|markup|raw|has))?\(\s*(?:'([^'\n]+)'|"([^"\n]+)")`,
    ].join('|'),
    'g',
  );
  const nsOf = (args: string) => {
    const m = CALL.exec(`useTranslations(${args})`);
    return m ? (m[1] ?? m[2] ?? m[3] ?? m[4] ?? '') : undefined;
  };
  for (const m of source.matchAll(token)) {
    if (m[1] !== undefined) {
      const ns = nsOf(m[2]);
      if (ns === undefined) bound.delete(m[1]);
      else bound.set(m[1], ns);
    } else if (m[3] !== undefined) {
      const ns = nsOf(m[3]);
      const key = m[4] ?? m[5];
      if (ns !== undefined) uses.push({ file, line: lineOf(m.index), key: ns ? `${ns}.${key}` : key });
    } else if (m[6] !== undefined && bound.has(m[6])) {
      const ns = bound.get(m[6])!;
      const key = m[7] ?? m[8];
      uses.push({ file, line: lineOf(m.index), key: ns ? `${ns}.${key}` : key });
    }
  }
  return uses;
}

/** Whether a flat catalog has the key, as a message or (t.raw / t.has of a group) as a group of messages. */
export function hasKey(catalog: Map<string, unknown>, key: string): boolean {
  if (catalog.has(key)) return true;
  const prefix = `${key}.`;
  for (const k of catalog.keys()) if (k.startsWith(prefix)) return true;
  return false;
}

export interface LiteralAttribute {
  file: string;
  line: number;
  attribute: string;
  value: string;
}

/** Words that are names, not language: the same in every catalog, so fine as literals. */
export const UNTRANSLATED_NAMES = new Set(['Nimbox', 'VirtualBox', 'VRDE', 'VNC', 'noVNC', 'NAT', 'UUID', 'API', 'HA', 'IDE', 'SATA', 'SCSI', 'SAS', 'NVMe', 'USB', 'OVF', 'OVA', 'ISO', 'VDI', 'VMDK', 'VHD', 'CPU', 'RAM', 'MAC', 'IP', 'DHCP', 'TCP', 'UDP', 'JSON', 'CSV', 'URL', 'TOTP', 'QR']);

const ATTRIBUTE = /\s(aria-label|title|placeholder|alt)="([^"]*)"/g;

/**
 * Attributes a user reads or hears (aria-label, title, placeholder, alt) given a literal English
 * text in .tsx: `aria-label="Close"` belongs in the catalog. Values without letters, only a
 * product/technical name, or example data (one token with digits or path marks) are not language and pass.
 */
export function literalAttributes(files: string[], read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8')): LiteralAttribute[] {
  const out: LiteralAttribute[] = [];
  for (const file of files.filter((f) => f.endsWith('.tsx'))) {
    const source = read(file);
    for (const m of source.matchAll(ATTRIBUTE)) {
      const value = m[2].trim();
      // Example data (a placeholder "web-07", "/web/prod", "10.0.2.0/24") is one token with digits or path marks: not words.
      if (!/[A-Za-z]/.test(value) || UNTRANSLATED_NAMES.has(value) || (!/\s/.test(value) && /[0-9/._:@-]/.test(value))) continue;
      out.push({ file, line: source.slice(0, m.index).split('\n').length, attribute: m[1], value });
    }
  }
  return out;
}

/**
 * The fixed problem titles the server can answer (lib/ and app/api/, tests left out): `title: '…'`
 * next to a `status:` or inside a problem, and helpers called as `(401, 'Title', …)`. Titles built
 * at run time (`Job ${name}`) are not seen; the UI shows unknown titles as they come.
 */
export function apiProblemTitles(): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of sourceFiles(['lib', 'app/api'], ['.ts'])) {
    if (/(^|\/)testing\.ts$|\/testing\/|^lib\/i18n\//.test(file)) continue;
    const source = fs.readFileSync(path.join(ROOT, file), 'utf8');
    for (const m of source.matchAll(/\btitle:\s*'([^'\\\n]+)'/g)) {
      const around = source.slice(Math.max(0, m.index - 150), m.index + m[0].length + 250);
      if (/status:\s*\d{3}|[Pp]roblem/.test(around) && /^[A-Z]/.test(m[1])) out.set(m[1], out.get(m[1]) ?? file);
    }
    // Not zod's .max(500, 'At most 500 characters'): a field message, not a title.
    for (const m of source.matchAll(/(?<!\.(?:max|min|length|gt|gte|lt|lte|multipleOf))\((?:4\d\d|5\d\d),\s*'([A-Z][^'\\\n]*)'/g)) out.set(m[1], out.get(m[1]) ?? file);
  }
  return out;
}
