'use client';

import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { useTranslations } from 'next-intl';
import { LoadError } from '@/components/console/load-error';
import { useFormat } from '@/components/format';
import { findMatches, LogText } from '@/components/logs/log-text';
import { ProblemAlert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button, buttonClass } from '@/components/ui/button';
import { CheckboxField } from '@/components/ui/checkbox';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Select } from '@/components/ui/select';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';
import { problemOf } from '@/lib/hooks/api';
import type { MachineDetail } from '@/lib/hooks/types';
import { logDownloadUrl, useLogFiles, useLogText } from '@/lib/hooks/use-logs';

/**
 * The machine's logs (VBox.log and its aged copies) from the host where it runs, or where it last
 * ran: a file picker, the end of the file first with "Load earlier", a search with its matches
 * marked, following while the machine runs, and the whole file to download.
 */
export function LogsSection({ machine: m }: { machine: MachineDetail }) {
  const t = useTranslations('vmLogs');
  const f = useFormat();
  const headingId = useId();
  const searchId = useId();
  const fileId = useId();
  const files = useLogFiles(m.id);
  const list = files.data;
  const [picked, setPicked] = useState(0);
  const index = list?.files.some((f) => f.index === picked) ? picked : list?.files.length ? list.files[0].index : null;
  const running = Boolean(list?.running);
  const [followWanted, setFollowWanted] = useState(true);
  const follow = followWanted && running && index === 0;
  const text = useLogText(m.id, index, follow);
  const { reload } = text;
  const [query, setQuery] = useState('');
  const [current, setCurrent] = useState(0);
  const [scrolledAway, setScrolledAway] = useState(false);

  // A new start ages VBox.log: the text shown is another file's now.
  const runningNow = list?.running;
  const wasRunning = useRef(runningNow);
  useEffect(() => {
    if (runningNow && wasRunning.current === false) void reload();
    wasRunning.current = runningNow;
  }, [runningNow, reload]);

  const lines = useMemo(() => (text.log?.text ?? '').replace(/\n$/, '').split('\n'), [text.log?.text]);
  const matches = useMemo(() => findMatches(lines, query.trim()), [lines, query]);
  const at = matches.length ? Math.min(current, matches.length - 1) : 0;
  const step = (d: number) => setCurrent((c) => (matches.length ? (Math.min(c, matches.length - 1) + d + matches.length) % matches.length : 0));

  const file = list?.files.find((f) => f.index === index);
  return (
    <section aria-labelledby={headingId} className="space-y-3">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h2 id={headingId} className="text-lg font-semibold tracking-tight">
            {t('title')}
          </h2>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            {list
              ? t.rich('readFrom', {
                  where: running ? 'runs' : list.files.length ? 'ran' : 'none',
                  host: list.hostName,
                  b: (c) => <span className="font-medium">{c}</span>,
                })
              : t('description')}
          </p>
        </div>
        {index !== null && (
          <a className={buttonClass({ variant: 'outline', size: 'sm' })} href={logDownloadUrl(m.id, index)} download>
            {t('download', { name: file?.name ?? '' })}
          </a>
        )}
      </div>

      {files.isPending ? (
        <LoadingRegion label={t('loading')} className="space-y-2">
          <Skeleton className="h-9 w-64" />
          <Skeleton className="h-64 w-full" />
        </LoadingRegion>
      ) : files.isError && !list ? (
        <LoadError error={files.error} retry={files.refetch} />
      ) : !list?.files.length ? (
        <p className="rounded-lg border border-dashed border-slate-300 px-4 py-6 text-center text-sm text-slate-500 dark:border-slate-700 dark:text-slate-400">
          {t('none')}
        </p>
      ) : (
        <div className="space-y-3">
          <div className="flex flex-wrap items-end gap-3">
            <div className="w-56 space-y-1">
              <Label htmlFor={fileId}>{t('file')}</Label>
              <Select id={fileId} value={String(index)} onChange={(e) => { setPicked(Number(e.target.value)); setCurrent(0); }}>
                {list.files.map((lf) => (
                  <option key={lf.index} value={lf.index}>
                    {t('fileOption', { name: lf.name, size: f.bytes(lf.size), which: lf.index === 0 ? (running ? 'current' : 'last') : 'older' })}
                  </option>
                ))}
              </Select>
            </div>
            <form
              className="flex min-w-64 flex-1 items-end gap-2"
              role="search"
              onSubmit={(e) => {
                e.preventDefault();
                step(1);
              }}
            >
              <div className="flex-1 space-y-1">
                <Label htmlFor={searchId}>{t('search')}</Label>
                <Input
                  id={searchId}
                  type="search"
                  value={query}
                  placeholder={t('searchPlaceholder')}
                  onChange={(e) => { setQuery(e.target.value); setCurrent(0); }}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter' && e.shiftKey) {
                      e.preventDefault();
                      step(-1);
                    }
                  }}
                />
              </div>
              <span className="h-9 min-w-20 content-center text-sm text-slate-600 tabular-nums dark:text-slate-400" aria-live="polite">
                {query.trim() ? (matches.length ? t('matchOf', { at: at + 1, count: matches.length }) : t('noMatches')) : ''}
              </span>
              <Button variant="outline" size="sm" className="h-9" disabled={!matches.length} onClick={() => step(-1)} aria-label={t('previousMatch')}>
                {'↑'}
              </Button>
              <Button variant="outline" size="sm" className="h-9" type="submit" disabled={!matches.length} aria-label={t('nextMatch')}>
                {'↓'}
              </Button>
            </form>
            {index === 0 && running && (
              <CheckboxField label={t('follow')} hint={t('followHint')} checked={followWanted} onChange={(e) => setFollowWanted(e.target.checked)} />
            )}
          </div>

          {text.error && !text.log ? (
            <LoadError error={text.error} retry={text.reload} />
          ) : !text.log ? (
            <LoadingRegion label={t('loadingLog')}>
              <Skeleton className="h-[28rem] w-full" />
            </LoadingRegion>
          ) : (
            <>
              <div className="flex flex-wrap items-center gap-3 text-xs text-slate-600 dark:text-slate-400">
                {text.log.start > 0 ? (
                  <Button variant="outline" size="sm" onClick={() => void text.loadEarlier()} disabled={text.earlier.loading}>
                    {text.earlier.loading ? t('loadingShort') : t('loadEarlier')}
                  </Button>
                ) : (
                  <span>{t('fromStart')}</span>
                )}
                <span className="tabular-nums">
                  {t('showing', { shown: f.bytes(text.log.end - text.log.start), total: f.bytes(Math.max(text.log.size, text.log.end)) })}
                </span>
                {follow && (
                  <Badge tone={scrolledAway ? 'grey' : 'green'} dot pulse={!scrolledAway}>{scrolledAway ? t('followingScrolled') : t('following')}</Badge>
                )}
              </div>
              {text.earlier.error != null && <ProblemAlert problem={problemOf(text.earlier.error)} />}
              {text.followError != null && <ProblemAlert problem={problemOf(text.followError)} />}
              <LogText
                key={`${index}:${text.generation}`}
                text={text.log.text}
                start={text.log.start}
                query={query.trim()}
                matches={matches}
                current={at}
                stickToBottom={!scrolledAway && !query.trim()}
                onScrolledAway={setScrolledAway}
                label={file ? t('logOf', { file: file.name, name: m.name }) : t('logOfMachine', { name: m.name })}
              />
            </>
          )}
        </div>
      )}
    </section>
  );
}
