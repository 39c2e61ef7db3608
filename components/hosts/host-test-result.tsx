import { formatMB } from '@/components/format';
import { Alert } from '@/components/ui/alert';
import type { HostTestResult } from '@/lib/hooks/types';

/** The outcome of "Test connection": what the host answered, or exactly why it did not. */
export function HostTestResultView({ result }: { result: HostTestResult }) {
  if (result.ok) {
    return (
      <Alert tone="success" title="Connection works" className="text-sm">
        <p>
          VirtualBox {result.version} (API {result.apiVersion}
          {result.revision !== undefined ? `, r${result.revision}` : ''})
        </p>
        <p>
          {result.cpus} {result.cpus === 1 ? 'CPU' : 'CPUs'}, {formatMB(result.memoryMB)} memory ({formatMB(result.memoryAvailableMB)} available)
        </p>
        <p>{result.os}</p>
      </Alert>
    );
  }
  return (
    <Alert tone="error" title={`Connection failed: ${result.error.title}`}>
      {result.error.detail && <p className="break-words">{result.error.detail}</p>}
      {result.error.resultCode && (
        <p>
          Result code: <code className="font-mono text-xs">{result.error.resultCode}</code>
        </p>
      )}
      {result.url && (
        <p>
          URL: <code className="font-mono text-xs">{result.url}</code>
        </p>
      )}
    </Alert>
  );
}
