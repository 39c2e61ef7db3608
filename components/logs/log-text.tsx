'use client';

import { useEffect, useLayoutEffect, useMemo, useRef, type ReactNode } from 'react';

/** Where one match of the search is: its line and column. */
export interface LogMatch {
  line: number;
  col: number;
}

/** Every (case-insensitive) occurrence of `query` in the lines. */
export function findMatches(lines: string[], query: string): LogMatch[] {
  if (!query) return [];
  const q = query.toLowerCase();
  const out: LogMatch[] = [];
  lines.forEach((text, line) => {
    const lower = text.toLowerCase();
    for (let col = lower.indexOf(q); col >= 0; col = lower.indexOf(q, col + q.length)) out.push({ line, col });
  });
  return out;
}

/** One line with its matches marked (the current one stronger). */
function Line({ text, query, matches, current }: { text: string; query: string; matches: LogMatch[]; current: LogMatch | null }) {
  if (matches.length === 0) return <>{text || '\u200b'}</>;
  const parts: ReactNode[] = [];
  let at = 0;
  for (const m of matches) {
    parts.push(text.slice(at, m.col));
    const isCurrent = current === m;
    parts.push(
      <mark
        key={m.col}
        data-current={isCurrent || undefined}
        className={isCurrent ? 'rounded-sm bg-amber-400 text-slate-950 ring-2 ring-amber-500' : 'rounded-sm bg-amber-200 text-slate-950 dark:bg-amber-300/70'}
      >
        {text.slice(m.col, m.col + query.length)}
      </mark>,
    );
    at = m.col + query.length;
  }
  parts.push(text.slice(at));
  return <>{parts}</>;
}

/**
 * A log's text, monospace, line by line, in a scrolling box: the search's matches marked and the
 * current one scrolled into view. It stays at the bottom as lines arrive unless the reader scrolled
 * up, and keeps its place when earlier text is put in front.
 */
export function LogText({
  text, start, query, matches, current, stickToBottom, onScrolledAway, label,
}: {
  text: string;
  /** Where the text starts in the file: it moves back as earlier text is loaded. */
  start: number;
  query: string;
  matches: LogMatch[];
  current: number;
  /** Keep the newest line in view (following, and not scrolled up). */
  stickToBottom: boolean;
  /** The reader scrolled up from the bottom (true) or back down to it (false). */
  onScrolledAway: (away: boolean) => void;
  label: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const lines = useMemo(() => {
    const l = text.split('\n');
    if (l.length > 1 && l[l.length - 1] === '') l.pop();
    return l;
  }, [text]);
  const byLine = useMemo(() => {
    const map = new Map<number, LogMatch[]>();
    for (const m of matches) map.set(m.line, [...(map.get(m.line) ?? []), m]);
    return map;
  }, [matches]);
  const currentMatch = matches[current] ?? null;

  // Earlier text put in front (start moved back): keep what the reader sees where it was.
  const before = useRef({ height: 0, start });
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    if (start < before.current.start) el.scrollTop += el.scrollHeight - before.current.height;
    else if (stickToBottom) el.scrollTop = el.scrollHeight;
    before.current = { height: el.scrollHeight, start };
  }, [lines, start, stickToBottom]);

  useEffect(() => {
    box.current?.querySelector('mark[data-current]')?.scrollIntoView({ block: 'center' });
  }, [currentMatch]);

  return (
    <div
      ref={box}
      role="log"
      aria-label={label}
      tabIndex={0}
      onScroll={(e) => {
        const el = e.currentTarget;
        onScrolledAway(el.scrollHeight - el.scrollTop - el.clientHeight > 24);
      }}
      className="h-[28rem] overflow-auto rounded-lg border border-slate-200 bg-slate-950 p-3 font-mono text-xs leading-5 text-slate-100 focus-visible:outline-2 focus-visible:outline-sky-600 dark:border-slate-800"
    >
      {lines.map((l, i) => (
        <div key={i} className="whitespace-pre">
          <Line text={l} query={query} matches={byLine.get(i) ?? []} current={currentMatch} />
        </div>
      ))}
    </div>
  );
}
