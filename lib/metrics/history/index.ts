/**
 * Load history of hosts and running machines (issue 18): sampled every 5 s from VirtualBox's
 * performance collector, kept at 5 s for an hour, 1 min for a day and 15 min for 90 days.
 */
export * from './types';
export { latestSample, readHistory, seedHistory, writeSamples } from './store';
export { historyUnderLease, latestTick, sampleOnce, startHistory, stopHistory } from './sampler';
