'use client';

import type RFB from '@novnc/novnc';
import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { useEffect, useId, useRef, useState, type ComponentProps } from 'react';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { cn } from '@/components/ui/cn';
import { Dialog } from '@/components/ui/dialog';
import type { ConsoleTicket } from '@/lib/console/types';
import { ApiError, problemOf } from '@/lib/hooks/api';
import { useConsoleTicket } from '@/lib/hooks/use-console';
import { EmbedLinkDialog } from './embed-link-dialog';
import { keysymsOf } from './keysyms';

export type ConsoleStatus = 'ticket' | 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'failed';

// Labels are the `consoleViewer.status.<status>` catalog keys.
const STATUS: Record<ConsoleStatus, { tone: BadgeTone; pulse?: boolean }> = {
  ticket: { tone: 'blue', pulse: true },
  connecting: { tone: 'blue', pulse: true },
  connected: { tone: 'green' },
  reconnecting: { tone: 'amber', pulse: true },
  disconnected: { tone: 'grey' },
  failed: { tone: 'red' },
};

/** Waits before each automatic reconnection (a fresh ticket each time); then it gives up. */
const RETRY_DELAYS_MS = [500, 1_000, 2_000, 4_000, 8_000];
/** The gateway's close code for a session that saw no input for too long. */
const IDLE_CLOSE = 4000;
const MAX_PASTE = 10_000;

export interface ConsoleViewerProps {
  machineId: string;
  /** The machine's name, for labels until the screen names itself. */
  machineName?: string;
  /** embedded: a box on the machine page; full: fills the window; embed: fills an iframe. */
  variant?: 'embedded' | 'full' | 'embed';
  /** Start in view-only mode (no keyboard or pointer sent). */
  viewOnly?: boolean;
  /** Links to the full-window and embeddable views, and a way to make embed links. */
  links?: boolean;
  /** An embed link (lib/console/embed-link) to ask for tickets with, instead of the session. */
  link?: string;
  /** A "Close" button that calls this (the embedded console goes back to its preview). */
  onClose?: () => void;
  className?: string;
}

/**
 * A machine's screen in the browser: noVNC's RFB class over the console gateway. Each
 * connection asks for a fresh one-time ticket, so reconnecting (by hand, or on its own
 * after the connection drops, e.g. when the machine moved to another host) always
 * reaches the machine where it runs now. noVNC is loaded from its ES module sources on
 * the client only.
 */
export function ConsoleViewer({ machineId, machineName, variant = 'embedded', viewOnly: initialViewOnly = false, links = false, link, onClose, className }: ConsoleViewerProps) {
  const t = useTranslations('consoleViewer');
  // The connection's effect reads the current language's words without reconnecting when they change.
  const words = useRef(t);
  const screenRef = useRef<HTMLDivElement>(null);
  const rfbRef = useRef<RFB | null>(null);
  const retries = useRef(0);
  const [status, setStatus] = useState<ConsoleStatus>('ticket');
  const [message, setMessage] = useState<string | null>(null);
  const [desktop, setDesktop] = useState<string | null>(null);
  const [hostName, setHostName] = useState<string | null>(null);
  const [viewOnly, setViewOnly] = useState(initialViewOnly);
  const [scale, setScale] = useState(true);
  const [generation, setGeneration] = useState(0);
  const [pasteOpen, setPasteOpen] = useState(false);
  const [embedOpen, setEmbedOpen] = useState(false);
  // The server's word: a view-only ticket's input is dropped by the gateway, so the viewer sends none.
  const [watchOnly, setWatchOnly] = useState(false);
  const ticket = useConsoleTicket(link);
  const requestTicket = useRef(ticket.mutateAsync);
  const settings = useRef({ viewOnly, scale, focus: variant !== 'embedded' });

  const noInput = viewOnly || watchOnly;
  useEffect(() => {
    requestTicket.current = ticket.mutateAsync;
    words.current = t;
    settings.current = { viewOnly: noInput, scale, focus: variant !== 'embedded' };
    const rfb = rfbRef.current;
    if (rfb) {
      rfb.viewOnly = noInput;
      rfb.scaleViewport = scale;
    }
  });

  useEffect(() => {
    const target = screenRef.current;
    if (!target) return;
    let cancelled = false;
    let rfb: RFB | null = null;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;

    const retry = (why: string) => {
      const n = retries.current++;
      if (n >= RETRY_DELAYS_MS.length) {
        setStatus('failed');
        setMessage(words.current('gaveUp', { why, count: n }));
        return;
      }
      setStatus('reconnecting');
      setMessage(why);
      retryTimer = setTimeout(() => setGeneration((g) => g + 1), RETRY_DELAYS_MS[n]);
    };

    void (async () => {
      let tk: ConsoleTicket;
      try {
        tk = await requestTicket.current(machineId);
      } catch (e) {
        if (cancelled) return;
        const p = problemOf(e);
        // Not allowed, or no such machine: asking again will not help. Anything else (not running yet, host down) may pass.
        if (e instanceof ApiError && [401, 403, 404].includes(e.status)) {
          setStatus('failed');
          setMessage(p.detail ?? p.title);
        } else {
          retry(p.detail ?? p.title);
        }
        return;
      }
      const { default: RFBClass } = await import('@novnc/novnc');
      if (cancelled) return;
      setHostName(tk.machine.hostName);
      setWatchOnly(tk.viewOnly);
      settings.current.viewOnly ||= tk.viewOnly;
      setStatus((s) => (s === 'reconnecting' ? s : 'connecting'));

      // The WebSocket is ours so that its close code (idle timeout) is known; noVNC drives it.
      const url = new URL(tk.url, window.location.href);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      const ws = new WebSocket(url.href);
      let closed: { code: number; reason: string } | null = null;
      ws.addEventListener('close', (e) => {
        closed = { code: e.code, reason: e.reason };
      });
      rfb = new RFBClass(target, ws, { shared: true });
      rfb.scaleViewport = settings.current.scale;
      rfb.viewOnly = settings.current.viewOnly;
      rfb.background = 'rgb(11, 17, 23)';
      rfbRef.current = rfb;
      let connected = false;
      let refused = false;
      rfb.addEventListener('connect', () => {
        connected = true;
        retries.current = 0;
        setStatus('connected');
        setMessage(null);
        if (settings.current.focus) rfb?.focus();
      });
      rfb.addEventListener('desktopname', (e) => setDesktop((e as CustomEvent<{ name: string }>).detail.name));
      rfb.addEventListener('securityfailure', (e) => {
        refused = true;
        setMessage((e as CustomEvent<{ status: number; reason?: string }>).detail.reason || words.current('refused'));
      });
      rfb.addEventListener('disconnect', () => {
        if (rfbRef.current === rfb) rfbRef.current = null;
        if (cancelled) return;
        const c = closed as { code: number; reason: string } | null;
        if (refused) setStatus('failed');
        else if (c?.code === IDLE_CLOSE) {
          setStatus('disconnected');
          setMessage(words.current('idleClosed'));
        } else if (!connected) retry(words.current('unreachable'));
        else retry(c?.reason ? words.current('disconnectedWhy', { reason: c.reason }) : words.current('disconnected'));
      });
    })();

    return () => {
      cancelled = true;
      clearTimeout(retryTimer);
      rfb?.disconnect();
      if (rfbRef.current === rfb) rfbRef.current = null;
    };
  }, [machineId, generation]);

  const reconnect = () => {
    retries.current = 0;
    setMessage(null);
    setStatus('ticket');
    setGeneration((g) => g + 1);
  };
  const connected = status === 'connected';
  const s = STATUS[status];
  const name = desktop ?? machineName ?? t('machineLower');

  return (
    <div
      data-testid="console"
      data-status={status}
      className={cn('flex flex-col overflow-hidden rounded-lg border border-slate-200 bg-slate-900 dark:border-slate-800', variant !== 'embedded' && 'min-h-0 flex-1 rounded-none border-0', className)}
    >
      <div role="group" aria-label={t('controls')} className="flex flex-wrap items-center gap-2 border-b border-slate-800 bg-slate-950 px-3 py-2 text-sm text-slate-200">
        <Badge tone={s.tone} dot pulse={s.pulse} data-testid="console-status">
          {t(`status.${status}`)}
        </Badge>
        {watchOnly && (
          <Badge tone="grey" title={t('watchOnlyTitle')}>
            {t('watchOnly')}
          </Badge>
        )}
        <span className="min-w-0 truncate text-slate-300">
          <span className="font-medium text-white">{name}</span>
          {hostName && <span className="text-slate-400">{t('onHost', { host: hostName })}</span>}
        </span>
        <div className="ml-auto flex flex-wrap items-center gap-1.5">
          <ToolButton onClick={() => rfbRef.current?.sendCtrlAltDel()} disabled={!connected || noInput}>
            {t('ctrlAltDel')}
          </ToolButton>
          <ToolButton onClick={() => setPasteOpen(true)} disabled={!connected || noInput}>
            {t('paste')}
          </ToolButton>
          <ToolButton aria-pressed={scale} onClick={() => setScale((v) => !v)}>
            {t('scale')}
          </ToolButton>
          <ToolButton
            aria-pressed={noInput}
            disabled={watchOnly}
            title={watchOnly ? t('viewOnlyTitle') : undefined}
            onClick={() => setViewOnly((v) => !v)}
          >
            {t('viewOnly')}
          </ToolButton>
          <ToolButton onClick={reconnect}>{t('reconnect')}</ToolButton>
          {links && (
            <>
              <Link href={`/vms/${encodeURIComponent(machineId)}/console`} className={TOOL_CLASS}>
                {t('fullWindow')}
              </Link>
              <a href={`/embed/console/${encodeURIComponent(machineId)}`} target="_blank" rel="noopener" className={TOOL_CLASS}>
                {t('embeddable')}
              </a>
              <ToolButton onClick={() => setEmbedOpen(true)}>{t('embedLink')}</ToolButton>
            </>
          )}
          {onClose && <ToolButton onClick={onClose}>{t('close')}</ToolButton>}
        </div>
      </div>
      {message && (
        <p role={status === 'failed' ? 'alert' : 'status'} className="border-b border-slate-800 bg-slate-950 px-3 py-1.5 text-xs text-amber-200">
          {message}
        </p>
      )}
      <div
        ref={screenRef}
        data-testid="console-screen"
        aria-label={t('screenOf', { name })}
        className={cn('relative w-full bg-[rgb(11,17,23)]', variant === 'embedded' ? 'h-[min(75vh,40rem)]' : 'min-h-0 flex-1')}
      />
      {links && <EmbedLinkDialog machineId={machineId} open={embedOpen} onOpenChange={setEmbedOpen} />}
      <PasteDialog
        open={pasteOpen}
        onOpenChange={setPasteOpen}
        onType={(text) => {
          const rfb = rfbRef.current;
          if (!rfb) return;
          for (const k of keysymsOf(text)) {
            rfb.sendKey(k, null, true);
            rfb.sendKey(k, null, false);
          }
          rfb.focus();
        }}
      />
    </div>
  );
}

const TOOL_CLASS =
  'inline-flex h-7 items-center rounded-md border border-slate-700 bg-slate-900 px-2.5 text-xs font-medium text-slate-100 hover:bg-slate-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500 disabled:pointer-events-none disabled:opacity-50 aria-pressed:border-sky-500 aria-pressed:bg-sky-900/60';

function ToolButton(props: ComponentProps<'button'>) {
  return <button type="button" {...props} className={cn(TOOL_CLASS, props.className)} />;
}

/** Types a text into the machine as key presses (works at any prompt, without a shared clipboard). */
function PasteDialog({ open, onOpenChange, onType }: { open: boolean; onOpenChange: (open: boolean) => void; onType: (text: string) => void }) {
  const t = useTranslations('consoleViewer');
  const [text, setText] = useState('');
  const id = useId();
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title={t('pasteTitle')} description={t('pasteDescription')}>
      <form
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          onType(text);
          setText('');
          onOpenChange(false);
        }}
      >
        <label htmlFor={id} className="sr-only">
          {t('textToType')}
        </label>
        <textarea
          id={id}
          value={text}
          maxLength={MAX_PASTE}
          onChange={(e) => setText(e.target.value)}
          rows={5}
          autoFocus
          className="w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm text-slate-900 focus-visible:outline-2 focus-visible:outline-sky-600 dark:border-slate-700 dark:bg-slate-950 dark:text-slate-100"
        />
        <div className="flex justify-end gap-2">
          <Button variant="outline" onClick={() => onOpenChange(false)}>
            {t('cancel')}
          </Button>
          <Button type="submit" disabled={text.length === 0}>
            {t('typeIt')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
