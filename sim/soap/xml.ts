import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { SoapClientFault } from './faults';

export const VBOX_NS = 'http://www.virtualbox.org/';
const ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';

/** A request element's children by local name; repeated elements become arrays. */
export type Children = Record<string, unknown>;

export interface SoapRequest {
  operation: string;
  args: Children;
  /** The operation element's name as sent (with its prefix), or '' for an empty body. */
  qualifiedName: string;
  /** False when the operation element is not in the vbox namespace. */
  vboxNamespace: boolean;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: false,
});

/** Parses a SOAP 1.1 envelope and returns the body's first element. */
export function parseRequest(xml: string): SoapRequest {
  // SOAP forbids a DTD; refusing it also rules out entity expansion attacks.
  if (/<!DOCTYPE/i.test(xml)) throw new SoapClientFault('DTD not allowed in a SOAP message');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new SoapClientFault(`Malformed XML: ${valid.err.msg} (line ${valid.err.line})`);
  if (!xml.includes(ENV_NS)) throw new SoapClientFault('Not a SOAP 1.1 envelope (namespace ' + ENV_NS + ' expected)');
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml) as Record<string, unknown>;
  } catch (e) {
    // e.g. nesting deeper than the parser's limit: still the sender's fault, not an internal error.
    throw new SoapClientFault(`Malformed request: ${(e as Error).message}`);
  }
  const env = doc.Envelope as Record<string, unknown> | undefined;
  const rawBody = env && typeof env === 'object' ? env.Body : undefined;
  // An empty Body (the parser gives '') is a request for no operation at all.
  const body = typeof rawBody === 'string' && !rawBody.trim() ? {} : (rawBody as Record<string, unknown> | undefined);
  if (!body || typeof body !== 'object') throw new SoapClientFault('No SOAP Body in the request');
  const operation = Object.keys(body).find((k) => !k.startsWith('#')) ?? '';
  const el = body[operation];
  const args: Children = el && typeof el === 'object' && !Array.isArray(el) ? (el as Children) : {};
  // The element as written, and the namespace its prefix (or the default) is bound to — from the
  // text, as the parser drops prefixes; a binding anywhere in the message is taken to be in scope.
  const m = /<(?:[\w.-]+:)?Body\b[^>]*>\s*<([\w.-]+:)?([\w.-]+)/.exec(xml);
  const prefix = m?.[1]?.slice(0, -1);
  const qualifiedName = m ? `${m[1] ?? ''}${m[2]}` : '';
  const bound = new RegExp(`xmlns${prefix ? `:${prefix}` : ''}\\s*=\\s*["']([^"']*)["']`).exec(xml)?.[1];
  return { operation, args, qualifiedName, vboxNamespace: bound === VBOX_NS };
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESC[c]);
}

const HEAD =
  '<?xml version="1.0" encoding="UTF-8"?>\n<SOAP-ENV:Envelope' +
  ` xmlns:SOAP-ENV="${ENV_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"` +
  ` xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:vbox="${VBOX_NS}"><SOAP-ENV:Body>`;
const TAIL = '</SOAP-ENV:Body></SOAP-ENV:Envelope>';

/** Wraps the serialized children of a response element in an envelope. */
export function responseEnvelope(element: string, inner: string): string {
  return `${HEAD}<vbox:${element}>${inner}</vbox:${element}>${TAIL}`;
}

/** A SOAP 1.1 fault; a null message leaves out faultstring, as gSOAP does for a fault nobody described. */
export function faultEnvelope(code: 'Client' | 'Server', message: string | null, detail = ''): string {
  return (
    `${HEAD}<SOAP-ENV:Fault><faultcode>SOAP-ENV:${code}</faultcode>` +
    (message === null ? '' : `<faultstring>${escapeXml(message)}</faultstring>`) +
    (detail ? `<detail>${detail}</detail>` : '') +
    `</SOAP-ENV:Fault>${TAIL}`
  );
}
