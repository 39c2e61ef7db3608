import { useTranslations } from 'next-intl';
import { useFormat } from '@/components/format';
import { Alert } from '@/components/ui/alert';
import { useProblemTitle } from '@/components/ui/problem-text';
import type { HostTestResult } from '@/lib/hooks/types';

/** The outcome of "Test connection": what the host answered, or exactly why it did not. */
export function HostTestResultView({ result }: { result: HostTestResult }) {
  const t = useTranslations('hosts.test');
  const f = useFormat();
  const problemTitle = useProblemTitle();
  if (result.ok) {
    return (
      <Alert tone="success" title={t('works')} className="text-sm">
        <p>{t('version', { version: result.version, apiVersion: result.apiVersion, revision: result.revision !== undefined ? `, r${result.revision}` : '' })}</p>
        <p>{t('resources', { cpus: result.cpus, memory: f.mb(result.memoryMB), available: f.mb(result.memoryAvailableMB) })}</p>
        <p>{result.os}</p>
      </Alert>
    );
  }
  return (
    <Alert tone="error" title={t('failed', { title: problemTitle(result.error.title) })}>
      {result.error.detail && <p className="break-words">{result.error.detail}</p>}
      {result.error.resultCode && (
        <p>
          {t('resultCode')}
          <code className="font-mono text-xs">{result.error.resultCode}</code>
        </p>
      )}
      {result.url && (
        <p>
          {t('url')}
          <code className="font-mono text-xs">{result.url}</code>
        </p>
      )}
    </Alert>
  );
}
