import { Counter, Histogram } from 'prom-client';

/**
 * What other rooms feed into /metrics as things happen (lib/metrics/prometheus.ts renders the rest from
 * the live inventory at scrape time): SOAP call latency and errors per host (the observer HostMonitor gives
 * its VBoxClient: lib/vbox itself knows nothing of metrics), how long a host's event takes to apply, and
 * the open event streams. Kept apart from prometheus.ts so that lib/cluster can import it without a cycle
 * (prometheus.ts reads the inventory). One set per process, on globalThis: Next's route bundles and the
 * server's instrumentation share it. Every label is a host name: bounded, never per request or machine.
 */
export interface FedMetrics {
  soapSeconds: Histogram<'host'>;
  soapErrors: Counter<'host'>;
  eventApplySeconds: Histogram<'host'>;
  /** Host names observed so far: series of hosts no longer registered are dropped at scrape time. */
  hosts: Set<string>;
  sseClients: number;
}

const g = globalThis as typeof globalThis & { __nimboxFedMetrics?: FedMetrics };

/** The fed metrics, created on first use and registered in no registry (prometheus.ts registers them in its own). */
export function fedMetrics(): FedMetrics {
  g.__nimboxFedMetrics ??= {
    soapSeconds: new Histogram({
      name: 'nimbox_soap_call_duration_seconds',
      help: 'SOAP calls to the host\'s vboxwebsrv, from call to answer (waiting for a connection included); long polls (getEvent, waitForCompletion) excluded.',
      labelNames: ['host'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [],
    }),
    soapErrors: new Counter({
      name: 'nimbox_soap_call_errors_total',
      help: 'SOAP calls to the host that ended in a fault or a transport error (long polls excluded).',
      labelNames: ['host'],
      registers: [],
    }),
    eventApplySeconds: new Histogram({
      name: 'nimbox_host_event_apply_seconds',
      help: 'Time from the host\'s getEvent answer to the event applied to the live inventory.',
      labelNames: ['host'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [],
    }),
    hosts: new Set(),
    sseClients: 0,
  };
  return g.__nimboxFedMetrics;
}

/** The SOAP call observer for one host's VBoxClient (VBoxClientOptions.onCall). */
export function soapCallObserver(host: string): (operation: string, ms: number, ok: boolean) => void {
  const m = fedMetrics();
  m.hosts.add(host);
  // The children are resolved once: a call's observation is then two additions.
  const latency = m.soapSeconds.labels(host);
  const errors = m.soapErrors.labels(host);
  return (_operation, ms, ok) => {
    latency.observe(ms / 1000);
    if (!ok) errors.inc();
  };
}

/** A host's event took `ms` from getEvent's answer until applied. */
export function observeEventApplied(host: string, ms: number): void {
  fedMetrics().eventApplySeconds.observe({ host }, ms / 1000);
}

/** Counts an open event stream (GET /api/v1/events) until the returned function is called (once counts). */
export function trackSseClient(): () => void {
  const m = fedMetrics();
  m.sseClients++;
  let open = true;
  return () => {
    if (open) m.sseClients--;
    open = false;
  };
}
