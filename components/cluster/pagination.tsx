'use client';

import { useTranslations } from 'next-intl';
import { useId } from 'react';
import { Button } from '@/components/ui/button';
import { Label } from '@/components/ui/label';
import { Select } from '@/components/ui/select';
import { PAGE_SIZES } from './use-cluster-params';

/** "Showing 101–200 of 1,000 machines", rows per page, previous and next page. */
export function Pagination({
  page,
  pageSize,
  total,
  onPage,
  onPageSize,
}: {
  page: number;
  pageSize: number;
  total: number;
  onPage: (page: number) => void;
  onPageSize: (size: number) => void;
}) {
  const t = useTranslations('cluster.pagination');
  const sizeId = useId();
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const from = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const to = Math.min(total, page * pageSize);
  const sizes = (PAGE_SIZES as readonly number[]).includes(pageSize) ? PAGE_SIZES : [...PAGE_SIZES, pageSize].sort((a, b) => a - b);
  return (
    <nav aria-label={t('label')} className="flex flex-wrap items-center justify-between gap-3 text-sm">
      <p className="text-slate-600 tabular-nums dark:text-slate-400" aria-live="polite">
        {total === 0 ? t('none') : t('showing', { from, to, total })}
      </p>
      <div className="flex flex-wrap items-center gap-3">
        <div className="flex items-center gap-2">
          <Label htmlFor={sizeId} className="text-xs whitespace-nowrap">
            {t('rowsPerPage')}
          </Label>
          <Select id={sizeId} value={String(pageSize)} onChange={(e) => onPageSize(Number(e.target.value))} className="h-8 w-20">
            {sizes.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </Select>
        </div>
        <span className="text-slate-600 tabular-nums dark:text-slate-400">
          {t('page', { page: Math.min(page, pages), pages })}
        </span>
        <div className="flex gap-1">
          <Button variant="outline" size="sm" onClick={() => onPage(page - 1)} disabled={page <= 1}>
            {t('previous')}
          </Button>
          <Button variant="outline" size="sm" onClick={() => onPage(page + 1)} disabled={page >= pages}>
            {t('next')}
          </Button>
        </div>
      </div>
    </nav>
  );
}
