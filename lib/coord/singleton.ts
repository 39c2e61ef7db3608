import { pause as sleep, type Coord } from './index';

/**
 * Work that runs on one instance at a time (the HA manager, the history sampler, …): started while this
 * instance holds the lease `name`, stopped as soon as it loses it. Starts and stops never overlap (a loss
 * during a start stops what the start made once it is made).
 */
export interface Singleton<T> {
  /** What start() made, while it runs on this instance; else null. */
  current(): T | null;
  /**
   * Settles once the work runs, here or on another instance: at once after the start on SQLite (the lease
   * is this instance's), else when this instance has started it or another holds the lease (at most `waitMs`).
   */
  readonly ready: Promise<void>;
  /** Gives the lease up and stops the work here. */
  release(): Promise<void>;
}


export function singleton<T>(
  coord: Coord,
  name: string,
  work: { start: () => T | Promise<T>; stop: (t: T) => void | Promise<void> },
  { waitMs = 10_000 } = {},
): Singleton<T> {
  let value: T | null = null;
  let chain: Promise<void> = Promise.resolve();
  let started!: () => void;
  const startedOnce = new Promise<void>((r) => (started = r));
  const log = (what: string, e: unknown) => console.error(JSON.stringify({ level: 'error', msg: `${name}: could not ${what}`, error: (e as Error)?.message ?? String(e) }));
  const stop = () => {
    chain = chain.then(async () => {
      if (value === null) return;
      const v = value;
      value = null;
      await work.stop(v);
    }).catch((e: unknown) => log('stop', e));
    return chain;
  };
  const giveUp = coord.lease(name, {
    acquired: () => {
      chain = chain.then(async () => {
        try {
          if (value === null) value = await work.start();
        } catch (e) {
          log('start', e);
        } finally {
          started();
        }
      });
      return chain;
    },
    lost: stop,
  });

  async function settled(): Promise<void> {
    if (!coord.shared) return startedOnce;
    const deadline = Date.now() + waitMs;
    let here = false;
    void startedOnce.then(() => (here = true));
    while (!here && Date.now() < deadline) {
      const holder = await coord.holder(name).catch(() => null);
      if (holder && holder !== coord.instanceId) return;
      await Promise.race([startedOnce, sleep(200)]);
    }
  }

  return {
    current: () => value,
    ready: settled(),
    async release() {
      await giveUp();
      await stop();
    },
  };
}
