// vboxsim's served WSDL (GET /?wsdl) held against VirtualBox 7.1's official WSDL.
// The official files are reference data in ../shared/reference beside the repository;
// they are read at test time and never copied into the project.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import soap from 'soap';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type Sim } from '../index';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REFERENCE = path.resolve(REPO_ROOT, '../shared/reference');
const OFFICIAL_WSDL = path.join(REFERENCE, 'vboxweb-7.1.wsdl');
const HAVE_REFERENCE = fs.existsSync(OFFICIAL_WSDL);
if (!HAVE_REFERENCE) {
  console.warn(`wsdl.test: the official WSDL is not at ${OFFICIAL_WSDL} (../shared/reference is absent); skipping the conformance checks`);
}

const WSDL_NS = 'http://schemas.xmlsoap.org/wsdl/';
const SOAP_BINDING_NS = 'http://schemas.xmlsoap.org/wsdl/soap/';
const XSD_NS = 'http://www.w3.org/2001/XMLSchema';
const VBOX_NS = 'http://www.virtualbox.org/';

// ---------------------------------------------------------------- WSDL model

/** One xsd:element of a sequence; the type is a resolved QName "{namespace}local". */
interface Field {
  name: string;
  type: string;
  minOccurs: string;
  maxOccurs: string;
}

interface PortOperation {
  input: string;
  output: string;
  faults: string[];
}

interface BindingOperation {
  soapAction: string | undefined;
  style: string | undefined;
  inputUse: string | undefined;
  outputUse: string | undefined;
  faults: string[];
}

interface WsdlModel {
  targetNamespace: string;
  enums: Map<string, string[]>;
  complexTypes: Map<string, Field[]>;
  /** Top-level xsd:element declarations (request/response wrappers and fault details). */
  elements: Map<string, Field[]>;
  messages: Map<string, string[]>;
  portTypes: Map<string, Map<string, PortOperation>>;
  binding: { name: string; type: string; style: string | undefined; transport: string | undefined; operations: Map<string, BindingOperation> };
  addresses: string[];
}

type XNode = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: false,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
});

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The children of `node` with local name `local` in namespace `ns`, whatever prefix the document uses. */
function kids(node: unknown, ns: string, local: string, prefixes: Map<string, string>): XNode[] {
  if (!node || typeof node !== 'object') return [];
  const out: XNode[] = [];
  for (const [key, value] of Object.entries(node as XNode)) {
    if (key.startsWith('@_') || key.startsWith('#')) continue;
    const i = key.indexOf(':');
    const prefix = i < 0 ? '' : key.slice(0, i);
    const name = i < 0 ? key : key.slice(i + 1);
    if (name === local && prefixes.get(prefix) === ns) {
      for (const v of asArray(value)) out.push(v && typeof v === 'object' ? (v as XNode) : {});
    }
  }
  return out;
}

const one = (node: unknown, ns: string, local: string, prefixes: Map<string, string>): XNode | undefined =>
  kids(node, ns, local, prefixes)[0];

const attr = (node: XNode | undefined, name: string): string | undefined => {
  const v = node?.[`@_${name}`];
  return typeof v === 'string' ? v : undefined;
};

/** Parses a WSDL 1.1 document (namespace declarations on the root, as both generators write them). */
function readWsdl(xml: string): WsdlModel {
  const doc = parser.parse(xml) as XNode;
  const rootKey = Object.keys(doc).find((k) => k === 'definitions' || k.endsWith(':definitions'));
  if (!rootKey) throw new Error('no wsdl:definitions root');
  const root = doc[rootKey] as XNode;
  const prefixes = new Map<string, string>();
  for (const [k, v] of Object.entries(root)) {
    if (k === '@_xmlns') prefixes.set('', String(v));
    else if (k.startsWith('@_xmlns:')) prefixes.set(k.slice('@_xmlns:'.length), String(v));
  }
  const qname = (q: string | undefined): string => {
    if (!q) return '';
    const i = q.indexOf(':');
    const ns = prefixes.get(i < 0 ? '' : q.slice(0, i));
    return `{${ns ?? '?'}}${i < 0 ? q : q.slice(i + 1)}`;
  };
  const sequenceOf = (complexType: XNode | undefined): Field[] => {
    const seq = one(complexType, XSD_NS, 'sequence', prefixes);
    return kids(seq, XSD_NS, 'element', prefixes).map((e) => ({
      name: attr(e, 'name') ?? '',
      type: qname(attr(e, 'type')),
      minOccurs: attr(e, 'minOccurs') ?? '1',
      maxOccurs: attr(e, 'maxOccurs') ?? '1',
    }));
  };

  const m: WsdlModel = {
    targetNamespace: attr(root, 'targetNamespace') ?? '',
    enums: new Map(), complexTypes: new Map(), elements: new Map(), messages: new Map(), portTypes: new Map(),
    binding: { name: '', type: '', style: undefined, transport: undefined, operations: new Map() },
    addresses: [],
  };
  for (const types of kids(root, WSDL_NS, 'types', prefixes)) {
    for (const schema of kids(types, XSD_NS, 'schema', prefixes)) {
      for (const st of kids(schema, XSD_NS, 'simpleType', prefixes)) {
        const restriction = one(st, XSD_NS, 'restriction', prefixes);
        m.enums.set(attr(st, 'name') ?? '', kids(restriction, XSD_NS, 'enumeration', prefixes).map((e) => attr(e, 'value') ?? ''));
      }
      for (const ct of kids(schema, XSD_NS, 'complexType', prefixes)) m.complexTypes.set(attr(ct, 'name') ?? '', sequenceOf(ct));
      for (const el of kids(schema, XSD_NS, 'element', prefixes)) {
        m.elements.set(attr(el, 'name') ?? '', sequenceOf(one(el, XSD_NS, 'complexType', prefixes)));
      }
    }
  }
  for (const msg of kids(root, WSDL_NS, 'message', prefixes)) {
    m.messages.set(attr(msg, 'name') ?? '', kids(msg, WSDL_NS, 'part', prefixes).map((p) => `${attr(p, 'name')}=${qname(attr(p, 'element'))}`));
  }
  for (const pt of kids(root, WSDL_NS, 'portType', prefixes)) {
    const ops = new Map<string, PortOperation>();
    for (const op of kids(pt, WSDL_NS, 'operation', prefixes)) {
      ops.set(attr(op, 'name') ?? '', {
        input: qname(attr(one(op, WSDL_NS, 'input', prefixes), 'message')),
        output: qname(attr(one(op, WSDL_NS, 'output', prefixes), 'message')),
        faults: kids(op, WSDL_NS, 'fault', prefixes).map((f) => `${attr(f, 'name')}=${qname(attr(f, 'message'))}`),
      });
    }
    m.portTypes.set(attr(pt, 'name') ?? '', ops);
  }
  const binding = one(root, WSDL_NS, 'binding', prefixes);
  if (binding) {
    const sb = one(binding, SOAP_BINDING_NS, 'binding', prefixes);
    m.binding = { name: attr(binding, 'name') ?? '', type: qname(attr(binding, 'type')), style: attr(sb, 'style'), transport: attr(sb, 'transport'), operations: new Map() };
    for (const op of kids(binding, WSDL_NS, 'operation', prefixes)) {
      const so = one(op, SOAP_BINDING_NS, 'operation', prefixes);
      m.binding.operations.set(attr(op, 'name') ?? '', {
        soapAction: attr(so, 'soapAction'),
        style: attr(so, 'style'),
        inputUse: attr(one(one(op, WSDL_NS, 'input', prefixes), SOAP_BINDING_NS, 'body', prefixes), 'use'),
        outputUse: attr(one(one(op, WSDL_NS, 'output', prefixes), SOAP_BINDING_NS, 'body', prefixes), 'use'),
        faults: kids(op, WSDL_NS, 'fault', prefixes).map((f) => {
          const sf = one(f, SOAP_BINDING_NS, 'fault', prefixes);
          return `${attr(f, 'name')}:${attr(sf, 'name')}/${attr(sf, 'use')}`;
        }),
      });
    }
  }
  for (const svc of kids(root, WSDL_NS, 'service', prefixes)) {
    for (const port of kids(svc, WSDL_NS, 'port', prefixes)) {
      const a = attr(one(port, SOAP_BINDING_NS, 'address', prefixes), 'location');
      if (a) m.addresses.push(a);
    }
  }
  return m;
}

// ---------------------------------------------------------------- the tests

describe.skipIf(!HAVE_REFERENCE)('vboxsim WSDL against the official VirtualBox 7.1 WSDL', () => {
  let sim: Sim;
  let url: string;
  let simXml: string;
  let mine: WsdlModel;
  let official: WsdlModel;

  beforeAll(async () => {
    sim = await startSim({ hosts: 1, port: 0, vms: 0 });
    url = sim.urls[0];
    const res = await fetch(`${url}?wsdl`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type') ?? '').toMatch(/xml/);
    simXml = await res.text();
    mine = readWsdl(simXml);
    official = readWsdl(fs.readFileSync(OFFICIAL_WSDL, 'utf8'));
  });

  afterAll(async () => {
    await sim?.stop();
  });

  it('is well-formed XML in the shape of a WSDL 1.1 document for the vbox namespace', () => {
    expect(XMLValidator.validate(simXml)).toBe(true);
    expect(mine.targetNamespace).toBe(VBOX_NS);
    expect(mine.targetNamespace).toBe(official.targetNamespace);
    expect(mine.portTypes.size).toBe(1);
    expect(mine.elements.size).toBeGreaterThan(100);
    // Sanity check of the reader on the reference itself.
    expect(official.portTypes.get('vboxPortType')?.size).toBeGreaterThan(1500);
    expect(official.elements.get('IMachine_getName')).toEqual([{ name: '_this', type: `{${XSD_NS}}string`, minOccurs: '1', maxOccurs: '1' }]);
  });

  it('binds the service to the address the sim answers on', () => {
    expect(mine.addresses).toEqual([url]);
  });

  it('declares only operations of the official port type, with the same messages and faults', () => {
    const officialOps = official.portTypes.get('vboxPortType');
    const mineOps = mine.portTypes.get('vboxPortType');
    expect(officialOps).toBeDefined();
    expect(mineOps).toBeDefined();
    const unknown = [...mineOps!.keys()].filter((op) => !officialOps!.has(op));
    expect(unknown, 'operations vboxsim declares that VirtualBox 7.1 does not have').toEqual([]);
    for (const [name, op] of mineOps!) {
      expect(op, name).toEqual(officialOps!.get(name));
      // The messages named by the operation carry the same parts.
      for (const msg of [op.input, op.output, ...op.faults.map((f) => f.split('=')[1])]) {
        const local = msg.replace(/^\{[^}]*\}/, '');
        expect(mine.messages.get(local), `${name}: message ${local}`).toEqual(official.messages.get(local));
      }
    }
  });

  it('gives every operation exactly the official request and response element sequences', () => {
    const mismatches: string[] = [];
    for (const name of mine.portTypes.get('vboxPortType')!.keys()) {
      for (const el of [name, `${name}Response`]) {
        const a = JSON.stringify(mine.elements.get(el));
        const b = JSON.stringify(official.elements.get(el));
        if (a !== b) mismatches.push(`${el}:\n  vboxsim  ${a}\n  official ${b}`);
      }
    }
    expect(mismatches.join('\n')).toBe('');
  });

  it('declares every top-level element (including the fault details) as the official WSDL does', () => {
    for (const [name, fields] of mine.elements) {
      expect(official.elements.has(name), `element ${name} is not in the official WSDL`).toBe(true);
      expect(fields, name).toEqual(official.elements.get(name));
    }
    expect(mine.elements.get('RuntimeFault')).toEqual([
      { name: 'resultCode', type: `{${XSD_NS}}int`, minOccurs: '1', maxOccurs: '1' },
      { name: 'returnval', type: `{${XSD_NS}}string`, minOccurs: '1', maxOccurs: '1' },
    ]);
    expect(mine.elements.get('InvalidObjectFault')).toEqual([{ name: 'badObjectID', type: `{${XSD_NS}}string`, minOccurs: '1', maxOccurs: '1' }]);
  });

  it('gives every enum exactly the official values, in order', () => {
    expect(mine.enums.size).toBeGreaterThan(10);
    for (const [name, values] of mine.enums) {
      expect(official.enums.has(name), `enum ${name} is not in the official WSDL`).toBe(true);
      expect(values, `enum ${name}`).toEqual(official.enums.get(name));
    }
  });

  it('gives every struct (complexType) exactly the official fields', () => {
    expect(mine.complexTypes.size).toBeGreaterThan(0);
    for (const [name, fields] of mine.complexTypes) {
      expect(official.complexTypes.has(name), `complexType ${name} is not in the official WSDL`).toBe(true);
      expect(fields, `complexType ${name}`).toEqual(official.complexTypes.get(name));
    }
  });

  it('refers only to types it declares itself or XML Schema builtins', () => {
    const declared = new Set([...mine.enums.keys(), ...mine.complexTypes.keys()].map((n) => `{${VBOX_NS}}${n}`));
    const missing = new Set<string>();
    for (const fields of [...mine.elements.values(), ...mine.complexTypes.values()]) {
      for (const f of fields) if (!f.type.startsWith(`{${XSD_NS}}`) && !declared.has(f.type)) missing.add(f.type);
    }
    expect([...missing]).toEqual([]);
  });

  it('uses the official binding: document/literal over HTTP, soapAction "", the same faults', () => {
    expect(mine.binding.name).toBe(official.binding.name);
    expect(mine.binding.type).toBe(official.binding.type);
    expect(mine.binding.style).toBe('document');
    expect(mine.binding.style).toBe(official.binding.style);
    expect(mine.binding.transport).toBe(official.binding.transport);
    const portOps = [...mine.portTypes.get('vboxPortType')!.keys()].sort();
    expect([...mine.binding.operations.keys()].sort()).toEqual(portOps);
    for (const [name, op] of mine.binding.operations) {
      expect(op, name).toEqual({
        soapAction: '', style: 'document', inputUse: 'literal', outputUse: 'literal',
        faults: ['InvalidObjectFault:InvalidObjectFault/literal', 'RuntimeFault:RuntimeFault/literal'],
      });
      expect(op, name).toEqual(official.binding.operations.get(name));
    }
  });

  it('can be consumed by a SOAP toolkit (node-soap builds a working client from it)', async () => {
    const client = await soap.createClientAsync(`${url}?wsdl`);
    const [logon] = (await client.IWebsessionManager_logonAsync({ username: 'vbox', password: 'vbox' })) as [{ returnval: string }];
    const [version] = (await client.IVirtualBox_getVersionAsync({ _this: logon.returnval })) as [{ returnval: string }];
    expect(version.returnval).toMatch(/^7\.1\./);
    await client.IWebsessionManager_logoffAsync({ refIVirtualBox: logon.returnval });
  });

  it('answers an operation it does not implement with a SOAP Fault naming it', async () => {
    const op = 'IVirtualBox_createUnattendedInstaller';
    expect(official.portTypes.get('vboxPortType')!.has(op)).toBe(true);
    expect(mine.portTypes.get('vboxPortType')!.has(op)).toBe(false);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '""' },
      body: '<?xml version="1.0" encoding="UTF-8"?>' +
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:vbox="http://www.virtualbox.org/">' +
        '<soapenv:Body><vbox:IVirtualBox_createUnattendedInstaller><_this>0000000000000001-0000000000000001</_this>' +
        '</vbox:IVirtualBox_createUnattendedInstaller></soapenv:Body></soapenv:Envelope>',
    });
    expect(res.status).toBe(500);
    const body = await res.text();
    const fault = (new XMLParser({ removeNSPrefix: true }).parse(body) as { Envelope?: { Body?: { Fault?: { faultcode?: string; faultstring?: string } } } }).Envelope?.Body?.Fault;
    expect(fault).toBeDefined();
    expect(fault?.faultcode).toMatch(/Client$/);
    expect(fault?.faultstring).toContain(op);
  });
});
