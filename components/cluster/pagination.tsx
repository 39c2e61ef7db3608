'use client';

import { useId } from 'react';
import { Button } from '@/components/ui/button';
import { Label } from '@/components/ui/label';
import { Select } from '@/components/ui/select';
import { PAGE_SIZES } from './use-cluster-params';

const nf = new Intl.NumberFormat('en');

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
  const sizeId = useId();
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const from = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const to = Math.min(total, page * pageSize);
  const sizes = (PAGE_SIZES as readonly number[]).includes(pageSize) ? PAGE_SIZES : [...PAGE_SIZES, pageSize].sort((a, b) => a - b);
  return (
    <nav aria-label="Pagination" className="flex flex-wrap items-center justify-between gap-3 text-sm">
      <p className="text-slate-600 tabular-nums dark:text-slate-400" aria-live="polite">
        {total === 0 ? 'No machines' : `Showing ${nf.format(from)}–${nf.format(to)} of ${nf.format(total)} ${total === 1 ? 'machine' : 'machines'}`}
      </p>
      <div className="flex flex-wrap items-center gap-3">
        <div className="flex items-center gap-2">
          <Label htmlFor={sizeId} className="text-xs whitespace-nowrap">
            Rows per page
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
          Page {nf.format(Math.min(page, pages))} of {nf.format(pages)}
        </span>
        <div className="flex gap-1">
          <Button variant="outline" size="sm" onClick={() => onPage(page - 1)} disabled={page <= 1}>
            Previous page
          </Button>
          <Button variant="outline" size="sm" onClick={() => onPage(page + 1)} disabled={page >= pages}>
            Next page
          </Button>
        </div>
      </div>
    </nav>
  );
}
