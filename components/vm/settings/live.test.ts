import { createTranslator, type Messages as IntlMessages } from 'next-intl';
import { describe, expect, it } from 'vitest';
import { loadMessages } from '@/lib/i18n/catalog';
import type { Live } from '@/lib/hooks/use-settings';
import { stateName } from '../hardware';
import { bootList, bootOrderOf } from './system-dialog';
import { changed, whyNot, type Copy } from './live';
import { withinRoots } from './shared-folders';

// The reasons as the real catalogs word them (English exactly as the e2e specs read them).
function translators(locale: 'en' | 'de') {
  const messages = loadMessages(locale);
  const t = createTranslator({ locale, messages: messages as IntlMessages, namespace: 'vmSettings' });
  const words = createTranslator({ locale, messages: messages as IntlMessages, namespace: 'vmState' });
  return (live: Live, name: string, copies: readonly Copy[]) => whyNot(live, name, copies, t, (s) => stateName(words, s));
}

describe('whyNot: a field refused in the state of some copy names the copy', () => {
  const whyNot = translators('en');
  const off = [{ hostName: 'alpha', state: 'PoweredOff' as const }];
  const running = [{ hostName: 'alpha', state: 'Running' as const }];
  const twinRuns = [{ hostName: 'alpha', state: 'PoweredOff' as const }, { hostName: 'bravo', state: 'Running' as const }];

  it('lets every field change on a powered-off machine', () => {
    for (const live of ['off', 'saved', 'running'] as const) expect(whyNot(live, 'Test', off)).toBeUndefined();
  });

  it('refuses the powered-off-only fields of a running machine, saying where it runs', () => {
    expect(whyNot('off', 'Test', running)).toBe('Only while powered off — Test is Running on alpha');
    expect(whyNot('saved', 'Test', running)).toBe('Only while powered off or saved — Test is Running on alpha');
    expect(whyNot('running', 'Test', running)).toBeUndefined();
  });

  it('looks at every copy: a twin running elsewhere blocks too', () => {
    expect(whyNot('off', 'Test', twinRuns)).toBe('Only while powered off — Test is Running on bravo');
  });

  it('lets saved-level fields change on a saved machine, not off-only ones', () => {
    const saved = [{ hostName: 'alpha', state: 'Saved' as const }];
    expect(whyNot('saved', 'Test', saved)).toBeUndefined();
    expect(whyNot('off', 'Test', saved)).toBe('Only while powered off — Test is Saved on alpha');
  });

  it('refuses everything while the machine is between states', () => {
    expect(whyNot('running', 'Test', [{ hostName: 'alpha', state: 'Starting' }])).toBe('Not while Test is Starting on alpha');
  });
});

describe('whyNot in German', () => {
  const whyNot = translators('de');

  it('names the rule before " — " and the state in German', () => {
    expect(whyNot('off', 'Test', [{ hostName: 'alpha', state: 'Running' }])).toBe('Nur im ausgeschalteten Zustand — Test ist auf alpha im Zustand „Läuft“');
    expect(whyNot('running', 'Test', [{ hostName: 'alpha', state: 'Starting' }])).toBe('Nicht möglich: Test ist auf alpha im Zustand „Wird gestartet“');
  });
});

describe('changed: only what changed is sent', () => {
  it('compares arrays by value and leaves equal fields out', () => {
    const a = { firmware: 'BIOS', tpm: 'None', bootOrder: ['HardDisk', 'DVD', 'Null', 'Null'] };
    expect(changed(a, { ...a, bootOrder: ['HardDisk', 'DVD', 'Null', 'Null'] })).toEqual({});
    expect(changed(a, { ...a, firmware: 'EFI', tpm: 'v2_0' })).toEqual({ firmware: 'EFI', tpm: 'v2_0' });
  });
});

describe('boot order as a list', () => {
  it('puts the boot devices first in order, the others after unticked, and back to four slots', () => {
    const list = bootList(['DVD', 'HardDisk', 'Null', 'Null']);
    expect(list.map((x) => `${x.device}:${x.on}`)).toEqual(['DVD:true', 'HardDisk:true', 'Floppy:false', 'Network:false']);
    expect(bootOrderOf(list, 4)).toEqual(['DVD', 'HardDisk', 'Null', 'Null']);
    expect(bootOrderOf([list[1], list[0], { device: 'Network', on: true }, list[2]], 4)).toEqual(['HardDisk', 'DVD', 'Network', 'Null']);
  });
});

describe('shared folder roots', () => {
  it('takes a folder under a root, not a sibling whose name starts alike', () => {
    expect(withinRoots('/srv/share/docs', ['/srv/share'])).toBe(true);
    expect(withinRoots('/srv/share', ['/srv/share/'])).toBe(true);
    expect(withinRoots('/srv/shared', ['/srv/share'])).toBe(false);
  });
});
