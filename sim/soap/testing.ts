import http from 'node:http';
import { XMLParser } from 'fast-xml-parser';

/*
 * Test helpers (not used by vboxsim): bare SOAP calls to a host, as any vboxwebsrv client sends them.
 */

const parser = new XMLParser({ removeNSPrefix: true, parseTagValue: false, ignoreAttributes: true });

export type Args = Record<string, string | number | boolean | (string | number)[]>;
export interface Answer { result?: Record<string, unknown>; fault?: { faultstring?: string; detail?: { RuntimeFault?: { resultCode?: string } } & Record<string, unknown> } }

/** One SOAP call on a connection of its own (a pooled one would outlive the host). Rejects as the socket does. */
export function soap(url: string, op: string, args: Args = {}): Promise<Answer> {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const inner = Object.entries(args)
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `<${k}>${esc(String(x))}</${k}>`))
    .join('');
  const body = `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><v:${op} xmlns:v="http://www.virtualbox.org/">${inner}</v:${op}></s:Body></s:Envelope>`;
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: false, headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '""' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        const b = parser.parse(text).Envelope.Body;
        resolve({ result: b[`${op}Response`], fault: b.Fault });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The returnval of a call that must succeed. */
export async function ok(url: string, op: string, args: Args = {}): Promise<string> {
  const a = await soap(url, op, args);
  if (a.fault) throw new Error(`${op}: ${a.fault.faultstring}`);
  return (a.result?.returnval ?? '') as string;
}

/** A list result of a call that must succeed (none, one or several elements). */
export async function list(url: string, op: string, args: Args = {}): Promise<string[]> {
  const a = await soap(url, op, args);
  if (a.fault) throw new Error(`${op}: ${a.fault.faultstring}`);
  const v = a.result?.returnval;
  return v === undefined ? [] : Array.isArray(v) ? (v as string[]) : [v as string];
}

/** A call that must fail: its faultstring and result code (signed, as the wire carries it). */
export async function refused(url: string, op: string, args: Args): Promise<{ text: string; code: number }> {
  const a = await soap(url, op, args);
  if (!a.fault) throw new Error(`${op} succeeded`);
  return { text: a.fault.faultstring ?? '', code: Number(a.fault.detail?.RuntimeFault?.resultCode ?? 0) | 0 };
}

/** Waits for a progress and returns how it ended: its result code and error text. */
export async function finished(url: string, progress: string): Promise<{ rc: number; text: string }> {
  await ok(url, 'IProgress_waitForCompletion', { _this: progress, timeout: 10_000 });
  const rc = Number(await ok(url, 'IProgress_getResultCode', { _this: progress }));
  const info = await ok(url, 'IProgress_getErrorInfo', { _this: progress });
  return { rc, text: info ? await ok(url, 'IVirtualBoxErrorInfo_getText', { _this: info }) : '' };
}

/** Logs on as vboxsim's default user: the IVirtualBox reference. */
export const logon = (url: string) => ok(url, 'IWebsessionManager_logon', { username: 'vbox', password: 'vbox' });
