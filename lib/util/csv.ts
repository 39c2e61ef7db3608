/** One CSV field (RFC 4180), with a leading =, +, - or @ defused so spreadsheets do not run it as a formula. */
export function csvField(v: string | null): string {
  let s = v ?? '';
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV text (CRLF line ends, as RFC 4180 says) from a header row and rows of fields, each escaped. */
export function csvText(header: readonly string[], rows: readonly (readonly (string | null)[])[]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}
