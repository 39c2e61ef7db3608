import { CONTRACT } from './contract-data';

/** One element of a request or response sequence. */
export interface Part {
  name: string;
  /** xsd builtin (string, int, …), an enum or struct name, or an interface name (a managed object reference). */
  type: string;
  array: boolean;
}

export interface Operation {
  /** e.g. IMachine_getName */
  name: string;
  iface: string;
  member: string;
  /** Request parameters after _this (IWebsessionManager has no _this). */
  params: Part[];
  results: Part[];
  hasThis: boolean;
}

export interface Contract {
  operations: Map<string, Operation>;
  enums: Map<string, string[]>;
  structs: Map<string, Part[]>;
  interfaces: string[];
}

export const XSD_TYPES = new Set([
  'string', 'boolean', 'byte', 'unsignedByte', 'short', 'unsignedShort', 'int', 'unsignedInt',
  'long', 'unsignedLong', 'float', 'double', 'base64Binary',
]);

function parsePart(text: string): Part {
  const [name, rawType] = text.split(':').map((s) => s.trim());
  if (!name || !rawType) throw new Error(`contract: bad part "${text}"`);
  const array = rawType.endsWith('[]');
  return { name, type: array ? rawType.slice(0, -2) : rawType, array };
}

function parseParts(list: string | undefined): Part[] {
  return list && list.trim() ? list.split(',').map(parsePart) : [];
}

export function parseContract(text: string): Contract {
  const c: Contract = { operations: new Map(), enums: new Map(), structs: new Map(), interfaces: [] };
  let iface = '';
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let m: RegExpMatchArray | null;
    if ((m = line.match(/^interface (\w+)$/))) {
      iface = m[1];
      c.interfaces.push(iface);
    } else if ((m = line.match(/^enum (\w+): (.+)$/))) {
      c.enums.set(m[1], m[2].trim().split(/\s+/));
    } else if ((m = line.match(/^struct (\w+) \{(.*)\}$/))) {
      c.structs.set(m[1], parseParts(m[2]));
    } else if ((m = line.match(/^ {2}(\w+)\(([^)]*)\)(?: -> (.+))?$/)) && iface) {
      const name = `${iface}_${m[1]}`;
      c.operations.set(name, {
        name, iface, member: m[1],
        params: parseParts(m[2]), results: parseParts(m[3]),
        hasThis: iface !== 'IWebsessionManager',
      });
    } else {
      throw new Error(`contract: cannot read line "${line}"`);
    }
  }
  return c;
}

export const contract = parseContract(CONTRACT);

/** True when a type is carried as a managed object reference. */
export function isRefType(type: string): boolean {
  return /^I[A-Z]/.test(type) && !contract.structs.has(type);
}
