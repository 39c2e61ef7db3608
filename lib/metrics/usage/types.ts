/** What GET /api/v1/usage answers (contract 2); shared by the server and the usage page (no server imports). */

/** A machine's state class: running (its VM process exists), saved (Saved, AbortedSaved), off (anything else while registered). */
export type UsageState = 'running' | 'saved' | 'off';

export interface UsageHours {
  running: number;
  saved: number;
  off: number;
}

export interface UsageFigures {
  hours: UsageHours;
  /** vCPUs × hours while running. */
  vcpuHours: number;
  /** Memory (GiB) × hours while running. */
  memoryGiBHours: number;
  /** The disks' logical size (GiB) × days while registered. */
  diskGiBDays: number;
}

export interface MachineUsage extends UsageFigures {
  id: string;
  /** Its latest name while it belonged to this tenant. */
  name: string;
}

export interface TenantUsage {
  /** null: machines of no tenant (admins only). */
  tenant: string | null;
  machines: MachineUsage[];
  totals: UsageFigures;
}

export interface UsageReport {
  /** YYYY-MM-DD, UTC; `to` inclusive. */
  from: string;
  to: string;
  tenants: TenantUsage[];
}
