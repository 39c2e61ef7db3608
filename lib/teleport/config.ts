/**
 * lib/teleport's settings (environment variables, read once per process; tests override them with
 * configureTeleport) and its test hooks: points in the orchestration where a test injects a fault
 * at the right moment (e.g. changes the target's password behind Nimbox's back, or takes the
 * source host's web service down once the transfer has begun).
 */

export interface TeleportConfig {
  /** IConsole::teleport's maxDowntime, ms: how long the VM may stand still for the final pass (NIMBOX_TELEPORT_MAX_DOWNTIME_MS, 250 as VBoxManage). */
  maxDowntimeMs: number;
  /** How long the transfer may take before Nimbox cancels it (NIMBOX_TELEPORT_TIMEOUT_S, default 600 s). */
  timeoutMs: number;
  /** How long the target may take to start waiting (TeleportingIn) after its launch (default 60 s). */
  launchTimeoutMs: number;
  /** Teleports a drain runs at once (NIMBOX_DRAIN_CONCURRENCY, default 3). */
  drainConcurrency: number;
  /** How often the state of a machine is read while Nimbox waits for it to change (ms). */
  pollMs: number;
}

function envNumber(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  const v = raw === undefined || raw === '' ? NaN : Number(raw);
  return Number.isFinite(v) && v >= min && v <= max ? v : fallback;
}

function fromEnv(): TeleportConfig {
  return {
    maxDowntimeMs: envNumber('NIMBOX_TELEPORT_MAX_DOWNTIME_MS', 250, 1, 60_000),
    timeoutMs: envNumber('NIMBOX_TELEPORT_TIMEOUT_S', 600, 1, 86_400) * 1000,
    launchTimeoutMs: 60_000,
    drainConcurrency: Math.floor(envNumber('NIMBOX_DRAIN_CONCURRENCY', 3, 1, 32)),
    pollMs: 15,
  };
}

export interface HookContext {
  machineId: string;
  machineName: string;
  sourceHostId: string;
  targetHostId: string;
  /** The teleporter port the target listens on. */
  port: number;
}

/** Test hooks; each runs awaited at its point of the orchestration. */
export interface TeleportHooks {
  /** The target's copy is registered and its teleporter configured (saved); its VM is not launched yet. */
  beforeLaunch?: (c: HookContext) => Promise<void> | void;
  /** The target waits (TeleportingIn); IConsole::teleport is about to be called on the source. */
  beforeTeleport?: (c: HookContext) => Promise<void> | void;
  /** IConsole::teleport returned its IProgress: the transfer is under way. */
  afterTeleportCall?: (c: HookContext) => Promise<void> | void;
}

// Per process, on globalThis (Next's route bundles share it).
const g = globalThis as typeof globalThis & { __nimboxTeleportConfig?: { config: TeleportConfig; hooks: TeleportHooks } };

function state() {
  g.__nimboxTeleportConfig ??= { config: fromEnv(), hooks: {} };
  return g.__nimboxTeleportConfig;
}

export function teleportConfig(): TeleportConfig {
  return state().config;
}

/** Overrides settings (tests, benchmarks); `null` goes back to the environment's. */
export function configureTeleport(patch: Partial<TeleportConfig> | null): void {
  const s = state();
  s.config = patch === null ? fromEnv() : { ...s.config, ...patch };
}

export function teleportHooks(): TeleportHooks {
  return state().hooks;
}

/** Tests only: sets (or, with {}, clears) the hooks. */
export function setTeleportHooks(hooks: TeleportHooks): void {
  state().hooks = hooks;
}
