import { describe, expect, it } from 'vitest';

// The axis is in the viewer's local time: a zone with daylight saving time, set before the module makes its formatters.
process.env.TZ = 'Europe/Berlin';
const { latestAndPeak, niceBytesMax, niceMax, segments, timeTicks } = await import('./history-scale');

const MIN = 60_000;
const HOUR = 60 * MIN;
const at = (iso: string) => Date.parse(iso);

describe('segments', () => {
  const t0 = at('2026-12-06T10:00:00Z');
  it('draws minute samples as one line, bridging one missing bucket (a late tick)', () => {
    const values = [0, 1, 2, 4, 5].map((i) => ({ t: t0 + i * MIN, v: i * 10 }));
    expect(segments(values, MIN)).toEqual([values]);
  });

  it('breaks the line where samples stop for longer, and where a value is missing', () => {
    const values = [
      { t: t0, v: 1 },
      { t: t0 + MIN, v: 2 },
      { t: t0 + 4 * MIN, v: 3 }, // Nimbox was down for two minutes
      { t: t0 + 5 * MIN, v: null }, // the collector had no CPU figure
      { t: t0 + 6 * MIN, v: 5 },
    ];
    expect(segments(values, MIN)).toEqual([
      [{ t: t0, v: 1 }, { t: t0 + MIN, v: 2 }],
      [{ t: t0 + 4 * MIN, v: 3 }],
      [{ t: t0 + 6 * MIN, v: 5 }],
    ]);
  });

  it('has nothing to draw without values', () => {
    expect(segments([], MIN)).toEqual([]);
    expect(segments([{ t: t0, v: null }], MIN)).toEqual([]);
  });
});

describe('timeTicks', () => {
  it('labels an hour every 15 minutes of local time', () => {
    const to = at('2026-12-06T13:52:10Z'); // 14:52:10 in Berlin
    expect(timeTicks(to - HOUR, to, 'hour').map((x) => x.label)).toEqual(['14:00', '14:15', '14:30', '14:45']);
  });

  it("labels a day at the wall clock's 0, 6, 12 and 18 hours", () => {
    const to = at('2026-12-06T13:07:00Z'); // 14:07 in Berlin
    const ticks = timeTicks(to - 24 * HOUR, to, 'day');
    expect(ticks.map((x) => x.label)).toEqual(['18:00', '00:00', '06:00', '12:00']);
    expect(ticks[0].t).toBe(at('2026-12-05T17:00:00Z'));
  });

  it('keeps to the wall clock across a change of daylight saving time', () => {
    // Berlin's clocks went back from 03:00 CEST to 02:00 CET on 25 October 2026: that day had 25 hours.
    const to = at('2026-10-25T20:00:00Z');
    const ticks = timeTicks(to - 24 * HOUR, to, 'day');
    expect(ticks.map((x) => x.label)).toEqual(['00:00', '06:00', '12:00', '18:00']);
    expect(ticks.map((x) => new Date(x.t).toISOString())).toEqual([
      '2026-10-24T22:00:00.000Z',
      '2026-10-25T05:00:00.000Z', // 7 hours after midnight
      '2026-10-25T11:00:00.000Z',
      '2026-10-25T17:00:00.000Z',
    ]);
  });

  it('labels a week at each local midnight', () => {
    const to = at('2026-12-06T13:07:00Z');
    const ticks = timeTicks(to - 7 * 24 * HOUR, to, 'week');
    expect(ticks).toHaveLength(7);
    for (const x of ticks) expect([new Date(x.t).getHours(), new Date(x.t).getMinutes()]).toEqual([0, 0]);
    expect(new Date(ticks[0].t).getDate()).toBe(30); // Monday 30 November
    expect(ticks[0].label).toMatch(/30/);
    // In the reader's language: the weekday's name is English or German.
    expect(timeTicks(to - 7 * 24 * HOUR, to, 'week', 'en')[0].label).toMatch(/Mon/);
    expect(timeTicks(to - 7 * 24 * HOUR, to, 'week', 'de')[0].label).toMatch(/^Mo\./);
  });

  it('labels 90 days on the 1st and 15th of each month', () => {
    const to = at('2026-12-06T13:07:00Z');
    const days = timeTicks(to - 90 * 24 * HOUR, to, '90d').map((x) => {
      const d = new Date(x.t);
      return `${d.getMonth() + 1}/${d.getDate()} ${d.getHours()}:${d.getMinutes()}`;
    });
    expect(days).toEqual(['9/15 0:0', '10/1 0:0', '10/15 0:0', '11/1 0:0', '11/15 0:0', '12/1 0:0']);
  });
});

describe('scale tops and figures', () => {
  it('rounds a rate scale up to 1, 2 or 5 times a power of ten', () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(1_300)).toBe(2_000);
    expect(niceMax(4_100_000)).toBe(5_000_000);
    expect(niceMax(7_000)).toBe(10_000);
    expect(niceMax(1_000)).toBe(1_000);
  });

  it('rounds a byte rate up in the binary units it is shown in', () => {
    expect(niceBytesMax(84.2 * 1024)).toBe(100 * 1024);
    expect(niceBytesMax(1.3 * 1024 ** 2)).toBe(2 * 1024 ** 2);
    expect(niceBytesMax(0)).toBe(1024);
    expect(niceBytesMax(300)).toBe(1024);
  });

  it('reads the newest and the highest value, skipping missing ones', () => {
    expect(latestAndPeak([3, 9, null, 4, null])).toEqual({ latest: 4, peak: 9 });
    expect(latestAndPeak([null])).toEqual({ latest: undefined, peak: undefined });
  });
});
