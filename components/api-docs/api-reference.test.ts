import { createElement, type ComponentProps, type ComponentType } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { NextIntlClientProvider } from 'next-intl';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildOpenApi } from '@/lib/api/openapi';
import { describeRoute } from '@/lib/api/route-meta';
import { loadMessages } from '@/lib/i18n/catalog';
import type { Locale } from '@/lib/i18n/locales';
import { ApiReference } from './api-reference';
import { schemaRows, typeName, type JsonSchema } from './schema-rows';

// The reference page's body as the browser gets it, from a document the real generator made of two
// small routes: what a reader looks for (method, path, permission, fields with their rules), in both languages.

const handler = () => async () => new Response(null);
const doc = buildOpenApi([
  {
    path: '/things', file: 'app/api/v1/things/route.ts', methods: {
      GET: 'GET /api/v1/things?limit= → { things }: every thing, by name.',
      POST: 'POST /api/v1/things { name, size?, nic?: { mac? } } → 202 Task thing.create: makes a thing.',
    },
    module: {
      GET: describeRoute(handler(), { action: 'vm:read', query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }) }),
      POST: describeRoute(handler(), {
        action: 'vm:create',
        body: z.object({
          name: z.string().min(1).max(64).describe('The thing\'s name'),
          size: z.number().int().min(1).optional(),
          mode: z.enum(['fast', 'safe']).default('safe'),
          nic: z.object({ mac: z.string().regex(/^[0-9A-F]{12}$/).optional() }).optional(),
        }),
      }),
    },
  },
  { path: '/things/[id]', file: 'app/api/v1/things/[id]/route.ts', methods: {}, module: { DELETE: describeRoute(handler(), { action: 'vm:delete' }) } },
], '9.9.9');

function render(locale: Locale): string {
  const Provider = NextIntlClientProvider as ComponentType<Omit<ComponentProps<typeof NextIntlClientProvider>, 'children'>>;
  return renderToStaticMarkup(createElement(Provider, { locale, messages: loadMessages(locale), timeZone: 'UTC' }, createElement(ApiReference, { doc })));
}

describe('the API reference', () => {
  it('shows each operation under its tag, folded, with its permission, parameters and body fields', () => {
    const html = render('en');
    expect(html).toContain('id="tag-things"');
    expect(html.match(/<details/g)).toHaveLength(3);
    expect(html).toContain('/api/v1/things/{id}');
    expect(html).toContain('Makes a thing');
    expect(html).toContain('Required permission');
    expect(html).toContain('<code class="font-mono">vm:create</code>');
    // The query parameter with its rules; the body's fields, nested ones dotted, with type and required.
    expect(html).toMatch(/<code class="font-mono text-xs">limit<\/code>.*?at least <code class="font-mono">1<\/code>.*?at most <code class="font-mono">500<\/code>.*?default <code class="font-mono">50<\/code>/s);
    expect(html).toContain('>nic.mac</code>');
    expect(html).toContain('The thing&#x27;s name');
    expect(html).toContain('&quot;fast&quot; | &quot;safe&quot;');
    expect(html).toContain('Accepted: the work goes on as a task.');
    expect(html).toContain('href="#tag-things"');
    expect(html).toContain('3 operations');
  });

  it('speaks German with a German catalog', () => {
    const html = render('de');
    expect(html).toContain('Benötigte Berechtigung');
    expect(html).toContain('höchstens <code class="font-mono">64</code> Zeichen');
    expect(html).not.toContain('Required permission');
  });
});

describe('schemaRows', () => {
  it('lists an object\'s fields with required marks, nested objects and arrays of objects, following refs', () => {
    const components: Record<string, JsonSchema> = { Nic: { type: 'object', properties: { mac: { type: 'string' } }, required: ['mac'] } };
    const rows = schemaRows({
      type: 'object',
      properties: { name: { type: 'string', minLength: 1 }, nics: { type: 'array', items: { $ref: '#/components/schemas/Nic' } }, count: { type: 'integer', maximum: Number.MAX_SAFE_INTEGER } },
      required: ['name'],
    }, components);
    expect(rows.map((r) => [r.name, r.type, r.required])).toEqual([
      ['name', 'string', true], ['nics', 'object[]', false], ['nics[].mac', 'string', true], ['count', 'integer', false],
    ]);
    expect(rows[0].constraints).toEqual([{ kind: 'minLength', value: '1' }]);
    // zod's implicit safe-integer bound is no rule a reader needs.
    expect(rows[3].constraints).toEqual([]);
  });

  it('names unions and nullable types', () => {
    expect(typeName({ anyOf: [{ type: 'string' }, { type: 'null' }] }, {})).toBe('string | null');
    expect(typeName({ type: 'array', items: { enum: ['a', 'b'] } }, {})).toBe('("a" | "b")[]');
  });
});
