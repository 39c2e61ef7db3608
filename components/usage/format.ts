/**
 * A usage figure for people, in the language's digits: three decimals under 1 (a few seconds of a small
 * machine still shows), fewer above.
 */
export function formatFigure(x: number, locale = 'en'): string {
  if (x === 0) return (0).toLocaleString(locale);
  const digits = x < 1 ? 3 : x < 100 ? 2 : 1;
  return x.toLocaleString(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** YYYY-MM-DD of a date, UTC (the API's days are UTC days). */
export const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** The first and last day of a month given as YYYY-MM. */
export function monthRange(month: string): { from: string; to: string } {
  const [y, m] = month.split('-').map(Number);
  return { from: `${month}-01`, to: isoDay(new Date(Date.UTC(y, m, 0))) };
}

/** The month a range covers exactly (first to last day), or '' for any other range. */
export function monthOf(r: { from: string; to: string }): string {
  const month = r.from.slice(0, 7);
  const whole = monthRange(month);
  return whole.from === r.from && whole.to === r.to ? month : '';
}
