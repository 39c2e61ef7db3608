// Threshold ranges and performance data as the Nagios plugin guidelines define them
// (https://nagios-plugins.org/doc/guidelines.html#THRESHOLDFORMAT). Plain Node, no dependencies:
// bin/nimbox-check.mjs runs from a monitoring server that need not have the project's packages.

/**
 * @typedef {{ start: number, end: number, inside: boolean, text: string }} Range
 * Alert when the value is outside start..end (inclusive), or inside it with `@`.
 */

const NUMBER = /^-?(\d+(\.\d*)?|\.\d+)$/;

/** Thrown for a threshold the guidelines' grammar does not allow; the plugin answers UNKNOWN. */
export class ThresholdError extends Error {
  constructor(text, why) {
    super(`invalid range '${text}': ${why}`);
    this.name = 'ThresholdError';
  }
}

function number(text, part) {
  if (!NUMBER.test(part)) throw new ThresholdError(text, `'${part}' is not a number`);
  return Number(part);
}

/**
 * Parses `N` (0..N), `N:` (N..∞), `~:N` (-∞..N), `N:M`, and any of these after `@` (alert inside).
 * @param {string} text
 * @returns {Range}
 */
export function parseRange(text) {
  const t = String(text).trim();
  if (t === '') throw new ThresholdError(text, 'empty');
  const inside = t.startsWith('@');
  const body = inside ? t.slice(1) : t;
  const colon = body.indexOf(':');
  let start = 0;
  let end;
  if (colon < 0) {
    end = number(text, body);
  } else {
    const lo = body.slice(0, colon);
    const hi = body.slice(colon + 1);
    start = lo === '~' ? -Infinity : lo === '' ? 0 : number(text, lo);
    end = hi === '' ? Infinity : number(text, hi);
  }
  if (start > end) throw new ThresholdError(text, 'its start is greater than its end');
  return { start, end, inside, text: t };
}

/** Whether `value` raises the alert of `range`. */
export function alerts(range, value) {
  const within = value >= range.start && value <= range.end;
  return range.inside ? within : !within;
}

/** The state a value is in: 2 past the critical range, 1 past the warning range, else 0 (either may be absent). */
export function stateOf(value, warning, critical) {
  if (critical && alerts(critical, value)) return 2;
  if (warning && alerts(warning, value)) return 1;
  return 0;
}

const num = (n) => (Number.isInteger(n) ? String(n) : String(Number(n.toFixed(3))));

/** A range written back in the guidelines' grammar (for perfdata), e.g. after converting % to MiB. */
export function formatRange(range) {
  if (!range) return '';
  const at = range.inside ? '@' : '';
  if (range.start === 0 && range.end !== Infinity && !range.inside) return num(range.end);
  const lo = range.start === -Infinity ? '~' : num(range.start);
  return `${at}${lo}:${range.end === Infinity ? '' : num(range.end)}`;
}

/** The range with both ends multiplied by `factor` (percent of a total → absolute). */
export function scaleRange(range, factor) {
  return { ...range, start: range.start * factor, end: range.end * factor, text: range.text };
}

/**
 * One perfdata item: `'label'=value[UOM];[warn];[crit];[min];[max]`. The label is always quoted
 * (a quote in it doubled, as the guidelines say; `=` would end it, so it becomes `_`).
 * @param {string} label
 * @param {number} value
 * @param {{ uom?: string, warn?: Range | null, crit?: Range | null, min?: number | null, max?: number | null }} [o]
 */
export function perfdata(label, value, o = {}) {
  const name = `'${label.replace(/=/g, '_').replace(/'/g, "''")}'`;
  const fields = [formatRange(o.warn), formatRange(o.crit), o.min == null ? '' : num(o.min), o.max == null ? '' : num(o.max)];
  while (fields.length && fields.at(-1) === '') fields.pop();
  return `${name}=${num(value)}${o.uom ?? ''}${fields.length ? `;${fields.join(';')}` : ''}`;
}
