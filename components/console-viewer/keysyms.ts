/**
 * The X11 keysym that types a character (RFB KeyEvents carry keysyms): Latin-1 maps to
 * itself, line breaks and tabs to Return and Tab, anything else to its Unicode keysym
 * (0x01000000 + code point). Null for control characters that type nothing.
 */
function keysymOf(ch: string): number | null {
  const cp = ch.codePointAt(0);
  if (cp === undefined) return null;
  if (ch === '\n' || ch === '\r') return 0xff0d;
  if (ch === '\t') return 0xff09;
  if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp < 0xa0)) return null;
  if (cp <= 0xff) return cp;
  return 0x01000000 + cp;
}

/** The keysyms that type a text, CRLF counted once. */
export function keysymsOf(text: string): number[] {
  const out: number[] = [];
  for (const ch of text.replace(/\r\n/g, '\n')) {
    const k = keysymOf(ch);
    if (k !== null) out.push(k);
  }
  return out;
}
