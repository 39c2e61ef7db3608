// lib/vbox held against VirtualBox 7.1's official WSDL (../shared/reference, read at test time):
// every operation the typed objects call exists, its request elements are sent with the WSDL's
// names in the WSDL's order, every unbounded response element is read as an array, and every
// operation named anywhere in lib/vbox exists.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { IManagedObjectRef, type ObjectContext } from './managed';
import * as objects from './objects';
import type { CallOptions, SoapArgs, SoapCaller, SoapResult } from './transport';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const OFFICIAL = path.resolve(HERE, '../../../shared/reference/vboxweb-7.1.wsdl');
const HAVE = fs.existsSync(OFFICIAL);
if (!HAVE) console.warn(`lib/vbox wsdl.test: ${OFFICIAL} is absent; skipping the conformance checks`);

interface Part { name: string; array: boolean }
interface Op { input: Part[]; output: Part[] }

/** Request/response wrapper elements of the official WSDL, by operation. */
function readOfficial(): Map<string, Op> {
  const xml = fs.readFileSync(OFFICIAL, 'utf8');
  const ops = new Map<string, Op>();
  const re = /<xsd:element name="(\w+?)(Response)?">\s*<xsd:complexType>\s*(?:<xsd:sequence\/>|<xsd:sequence>([\s\S]*?)<\/xsd:sequence>)/g;
  for (const m of xml.matchAll(re)) {
    if (!m[1].includes('_')) continue;
    const parts = [...(m[3] ?? '').matchAll(/<xsd:element name="(\w+)"([^>]*)\/>/g)].map((p) => ({ name: p[1], array: /maxOccurs="unbounded"/.test(p[2]) }));
    const op = ops.get(m[1]) ?? { input: [], output: [] };
    if (m[2]) op.output = parts;
    else op.input = parts;
    ops.set(m[1], op);
  }
  return ops;
}

interface Recorded { operation: string; elements: string[]; arrays: readonly string[] }

/** Stands in for the transport: records each call and answers with an empty response. */
class Recorder implements SoapCaller {
  readonly url = 'http://recorder/';
  calls: Recorded[] = [];
  async call(operation: string, args: SoapArgs, opts?: CallOptions): Promise<SoapResult> {
    this.calls.push({ operation, elements: Object.keys(args).filter((k) => args[k] !== undefined), arrays: opts?.arrays ?? [] });
    return {};
  }
}

/** Every operation each class's methods call, found by calling each method with placeholder arguments. */
async function recordAll(): Promise<Recorded[]> {
  const rec = new Recorder();
  const ctx: ObjectContext = { caller: rec };
  const skip = new Set(['constructor', 'wait', 'toString', 'toJSON', 'equals']);
  for (const value of Object.values(objects)) {
    if (typeof value !== 'function') continue;
    const cls = value as unknown as new (ctx: ObjectContext, ref: string) => object;
    const isManaged = cls.prototype instanceof IManagedObjectRef || cls === IManagedObjectRef;
    if (!isManaged && cls !== objects.IWebsessionManager) continue;
    const obj = new cls(ctx, '0000000000000001-0000000000000002') as Record<string, unknown>;
    for (let proto = Object.getPrototypeOf(obj); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
      for (const name of Object.getOwnPropertyNames(proto)) {
        const d = Object.getOwnPropertyDescriptor(proto, name);
        if (skip.has(name) || !d || typeof d.value !== 'function' || name.startsWith('_')) continue;
        const args = Array.from({ length: 10 }, () => []);
        await (d.value as (...a: unknown[]) => Promise<unknown>).apply(obj, args).catch(() => undefined);
      }
    }
  }
  return rec.calls;
}

describe.skipIf(!HAVE)('lib/vbox against the official 7.1 WSDL', () => {
  it('calls only operations of the WSDL, with its element names in its order, reading its arrays as arrays', async () => {
    const official = readOfficial();
    const calls = await recordAll();
    expect(calls.length).toBeGreaterThan(250);
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const c of calls) {
      if (seen.has(c.operation)) continue;
      seen.add(c.operation);
      const op = official.get(c.operation);
      if (!op) {
        problems.push(`${c.operation}: not in the WSDL`);
        continue;
      }
      const expected = op.input.map((p) => p.name);
      if (JSON.stringify(c.elements) !== JSON.stringify(expected)) {
        problems.push(`${c.operation}: sends (${c.elements.join(', ')}), WSDL has (${expected.join(', ')})`);
      }
      const arrays = op.output.filter((p) => p.array).map((p) => p.name).sort();
      if (JSON.stringify([...c.arrays].sort()) !== JSON.stringify(arrays)) {
        problems.push(`${c.operation}: reads arrays [${[...c.arrays].join(', ')}], WSDL has [${arrays.join(', ')}]`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('walks the snapshot operations too: IMachine\'s, ISnapshot\'s and the snapshot events\'', async () => {
    const seen = new Set((await recordAll()).map((c) => c.operation));
    const expected = [
      'IMachine_findSnapshot', 'IMachine_takeSnapshot', 'IMachine_restoreSnapshot', 'IMachine_deleteSnapshot',
      'IMachine_deleteSnapshotAndAllChildren', 'IMachine_deleteSnapshotRange', 'IMachine_getCurrentSnapshot',
      'IMachine_getSnapshotCount', 'IMachine_getCurrentStateModified',
      'ISnapshot_getId', 'ISnapshot_getName', 'ISnapshot_setName', 'ISnapshot_getDescription', 'ISnapshot_setDescription',
      'ISnapshot_getTimeStamp', 'ISnapshot_getOnline', 'ISnapshot_getMachine', 'ISnapshot_getParent', 'ISnapshot_getChildren',
      'ISnapshot_getChildrenCount', 'ISnapshotEvent_getSnapshotId',
    ];
    expect(expected.filter((op) => !seen.has(op))).toEqual([]);
  });

  it('names no operation the WSDL does not have, anywhere in lib/vbox', () => {
    const official = readOfficial();
    const missing: string[] = [];
    for (const f of fs.readdirSync(HERE)) {
      if (!f.endsWith('.ts') || f.endsWith('.test.ts')) continue;
      const src = fs.readFileSync(path.join(HERE, f), 'utf8');
      for (const m of src.matchAll(/'(I[A-Z][A-Za-z0-9]*_[a-zA-Z][A-Za-z0-9]*)'/g)) {
        if (!official.has(m[1])) missing.push(`${f}: ${m[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
