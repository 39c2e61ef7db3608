'use client';

import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { memo, useId, useState, type ReactNode } from 'react';
import { useFormat } from '@/components/format';
import { LoadError } from '@/components/console/load-error';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { useNetwork, type HostNetworkStatus, type NetworkRow } from '@/lib/hooks/use-networks';
import { dhcpSummary, KIND_TONE, leaseTime, STATE_TONE } from './network-words';

const linkClass = 'text-sky-700 underline-offset-4 hover:underline dark:text-sky-400';
const sr = (chunks: ReactNode) => <span className="sr-only">{chunks}</span>;

/** One host's badge: its name and the network's state there; the words in the tooltip (and under the badges when not ok). */
function HostBadge({ s }: { s: HostNetworkStatus }) {
  const t = useTranslations('networks');
  return (
    <Badge tone={STATE_TONE[s.state]} dot data-host={s.hostName} data-state={s.state} title={s.detail || undefined}>
      {s.hostName}
      {s.name && <span className="font-mono font-normal opacity-80">{s.name}</span>}
      <span>{t('hostBadge', { state: t(`hostState.${s.state}`) })}</span>
    </Badge>
  );
}

/** The current DHCP leases of the machines on the network (GET /api/v1/networks/:id). */
function NetworkLeases({ network }: { network: NetworkRow }) {
  const t = useTranslations('networks.leases');
  const f = useFormat();
  const detail = useNetwork(network.id);
  if (detail.isPending) return <Skeleton className="h-16" />;
  if (detail.isError) return <LoadError error={detail.error} retry={detail.refetch} />;
  const leases = detail.data.leases;
  if (leases.length === 0) {
    return (
      <p className="text-sm text-slate-600 dark:text-slate-400">
        {network.dhcp?.enabled ? t('noneCurrent') : t('noneUnmanaged')}
      </p>
    );
  }
  return (
    <Table aria-label={t('table', { name: network.name })}>
      <TableHeader>
        <tr>
          <TableHead>{t('col.machine')}</TableHead>
          <TableHead>{t('col.host')}</TableHead>
          <TableHead>{t('col.mac')}</TableHead>
          <TableHead>{t('col.address')}</TableHead>
          <TableHead>{t('col.state')}</TableHead>
          <TableHead>{t('col.issued')}</TableHead>
          <TableHead>{t('col.expires')}</TableHead>
        </tr>
      </TableHeader>
      <TableBody>
        {leases.map((l) => (
          <TableRow key={`${l.hostId}:${l.mac}`}>
            <TableCell>
              <Link href={`/vms/${encodeURIComponent(l.machineId)}`} className={linkClass}>
                {l.machineName}
              </Link>
              <span className="text-xs text-slate-500 dark:text-slate-400">{t('adapter', { slot: l.slot + 1 })}</span>
            </TableCell>
            <TableCell className="whitespace-nowrap">{l.hostName}</TableCell>
            <TableCell className="font-mono text-xs">{l.mac}</TableCell>
            <TableCell className="font-mono text-xs">{l.address || '—'}</TableCell>
            <TableCell className="whitespace-nowrap">{l.state || '—'}</TableCell>
            <TableCell className="text-xs whitespace-nowrap">{leaseTime(l.issued, f)}</TableCell>
            <TableCell className="text-xs whitespace-nowrap">{leaseTime(l.expire, f)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/**
 * A cluster network as admins see it: what it is, its DHCP, one badge per mapped host with its state there
 * (drift and missing said in words), the machines on it, and Create missing / Edit / Delete.
 */
export const NetworkCard = memo(function NetworkCard({
  network,
  onApply,
  applying,
  onEdit,
  onDelete,
}: {
  network: NetworkRow;
  onApply: (n: NetworkRow) => void;
  applying: boolean;
  onEdit: (n: NetworkRow) => void;
  onDelete: (n: NetworkRow) => void;
}) {
  const t = useTranslations('networks');
  const headingId = useId();
  const leasesId = useId();
  const [showLeases, setShowLeases] = useState(false);
  const status = [...network.status].sort((x, y) => x.hostName.localeCompare(y.hostName));
  const troubled = status.filter((s) => s.state !== 'ok' && s.detail);
  const needsApply = status.some((s) => s.state === 'missing' || s.state === 'drift');
  const sectionHead = 'text-xs font-semibold text-slate-500 uppercase dark:text-slate-400';
  return (
    <article
      aria-labelledby={headingId}
      data-network={network.name}
      className="space-y-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900"
    >
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0 space-y-1">
          <div className="flex flex-wrap items-center gap-2">
            <h2 id={headingId} className="font-mono text-base font-semibold">
              {network.name}
            </h2>
            <Badge tone={KIND_TONE[network.kind]}>{t(`kind.${network.kind}`)}</Badge>
            {network.cidr && <span className="font-mono text-sm text-slate-700 dark:text-slate-300">{network.cidr}</span>}
          </div>
          {network.description && <p className="text-sm text-slate-600 dark:text-slate-400">{network.description}</p>}
        </div>
        <div className="flex shrink-0 flex-wrap gap-1">
          <Button
            variant={needsApply ? 'default' : 'outline'}
            size="sm"
            onClick={() => onApply(network)}
            disabled={applying}
            aria-busy={applying}
            title={t('card.applyTitle')}
          >
            {t.rich('card.apply', { name: network.name, sr })}
          </Button>
          <Button variant="outline" size="sm" onClick={() => onEdit(network)}>
            {t.rich('card.edit', { name: network.name, sr })}
          </Button>
          <Button variant="ghost" size="sm" className="text-red-700 hover:bg-red-50 dark:text-red-400 dark:hover:bg-red-950/40" onClick={() => onDelete(network)}>
            {t.rich('card.delete', { name: network.name, sr })}
          </Button>
        </div>
      </div>

      <div className="grid gap-4 md:grid-cols-[minmax(0,3fr)_minmax(0,2fr)_minmax(0,2fr)]">
        <div className="space-y-1.5">
          <h3 className={sectionHead}>{t('card.onHosts')}</h3>
          {status.length === 0 ? (
            <p className="text-sm text-amber-800 dark:text-amber-300">{t('card.onNoHost')}</p>
          ) : (
            <ul className="flex flex-wrap gap-1.5" aria-label={t('card.stateOnHosts', { name: network.name })}>
              {status.map((s) => (
                <li key={s.hostId}>
                  <HostBadge s={s} />
                </li>
              ))}
            </ul>
          )}
          {troubled.length > 0 && (
            <ul className="space-y-0.5 text-xs" data-testid="network-host-details">
              {troubled.map((s) => (
                <li
                  key={s.hostId}
                  data-host={s.hostName}
                  className={s.state === 'missing' ? 'text-red-800 dark:text-red-300' : s.state === 'drift' ? 'text-amber-800 dark:text-amber-300' : 'text-slate-600 dark:text-slate-400'}
                >
                  <span className="font-medium">{s.hostName}:</span> {s.detail}
                </li>
              ))}
            </ul>
          )}
        </div>

        <div className="space-y-1.5">
          <h3 className={sectionHead}>{t('card.dhcp')}</h3>
          <p className="text-sm text-slate-700 dark:text-slate-300" data-testid="network-dhcp">
            {dhcpSummary(network.dhcp, network.kind, t)}
          </p>
          {network.dhcp && (
            <button
              type="button"
              aria-expanded={showLeases}
              aria-controls={leasesId}
              onClick={() => setShowLeases((v) => !v)}
              className="rounded text-xs font-medium text-sky-700 underline-offset-4 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 dark:text-sky-400"
            >
              {t.rich(showLeases ? 'card.hideLeases' : 'card.showLeases', { name: network.name, sr })}
            </button>
          )}
        </div>

        <div className="space-y-1.5">
          <h3 className={sectionHead}>{t('card.machines')}</h3>
          {network.usedBy.length === 0 ? (
            <p className="text-sm text-slate-600 dark:text-slate-400">{t('card.noMachine')}</p>
          ) : (
            <ul className="flex flex-wrap gap-x-3 gap-y-1 text-sm" aria-label={t('card.machinesOn', { name: network.name })}>
              {network.usedBy.map((u) => (
                <li key={`${u.machineId}:${u.slot}`}>
                  <Link href={`/vms/${encodeURIComponent(u.machineId)}`} className={linkClass}>
                    {u.machineName}
                  </Link>
                  <span className="text-xs text-slate-500 dark:text-slate-400">{t('card.adapter', { slot: u.slot + 1 })}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>

      {network.dhcp && (
        <div id={leasesId} hidden={!showLeases}>
          {showLeases && <NetworkLeases network={network} />}
        </div>
      )}
    </article>
  );
});
