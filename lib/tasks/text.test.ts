import fs from 'node:fs';
import path from 'node:path';
import { TYPE, parse, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { createTranslator } from 'next-intl';
import { afterAll, describe, expect, it, vi } from 'vitest';
import en from '@/messages/en/taskText.json';
import de from '@/messages/de/taskText.json';
import serverEn from '@/messages/en/serverText.json';
import serverDe from '@/messages/de/serverText.json';
import type { Task } from './types';

/*
 * Task texts (issue 20): the `taskText` catalog against the English the call sites build, and the keys stored
 * with a task (a real SQLite file, or PostgreSQL with NIMBOX_TEST_DB=postgres) as the API then returns them.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-task-text-'));
const { startTask, getTask, waitForTask, cancelTask, forgetTasksInMemory, taskText } = await import('./index');
const { renderEnglish } = await import('./text');

afterAll(() => dataDir.remove());

type Tree = { [k: string]: string | Tree };

function leaves(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    if (typeof v === 'string') out.set(prefix + k, v);
    else for (const [kk, vv] of leaves(v, `${prefix}${k}.`)) out.set(kk, vv);
  }
  return out;
}

/** The placeholders of an ICU message, in select/plural branches too. */
function placeholders(els: MessageFormatElement[], into = new Set<string>()): Set<string> {
  for (const el of els) {
    if (el.type === TYPE.argument || el.type === TYPE.number || el.type === TYPE.date || el.type === TYPE.time) into.add(el.value);
    if (el.type === TYPE.select || el.type === TYPE.plural) {
      into.add(el.value);
      for (const o of Object.values(el.options)) placeholders(o.value, into);
    }
  }
  return into;
}

const enKeys = leaves(en as Tree);
const deKeys = leaves(de as Tree);

/** A value for every placeholder a message may name. */
const SAMPLE: Record<string, string | number> = {
  name: 'web-a1', host: 'vbox-alpha', from: 'vbox-alpha', to: 'vbox-beta', groups: '/web, /prod', count: 3, source: 'tpl-debian',
  snapshot: 'before upgrade', mode: 'full', file: 'disk.vdi', area: 'system', slot: 1, protocol: 'TCP', port: '8080', rule: 'ssh',
  names: 'web-a1, web-a2', controller: 'SATA', medium: 'debian.iso', kind: 'DVD', size: '2 GiB', type: 'Immutable', path: '/srv/share',
  folder: 'share', username: 'admin', error: 'connection refused', state: 'PoweredOff', task: 'Start web-a1', health: 'down', tenant: 'acme',
  version: '7.1.12', v1: '7.1.10', v2: '7.1.12', line: '7.1', other: 'web-z', id: 'b1c2', need: '2048', free: '8000', total: '16384',
  range: '6000-6099', address: '10.0.0.2', agent: 'ipmi', detail: 'timeout', host1: 'vbox-alpha', host2: 'vbox-beta', hosts: 'a and b and c',
};

describe('the taskText catalog', () => {
  it('has the same keys in English and German, each with the same placeholders', () => {
    expect([...deKeys.keys()].sort()).toEqual([...enKeys.keys()].sort());
    for (const [key, text] of enKeys) {
      expect([...placeholders(parse(deKeys.get(key)!))].sort(), key).toEqual([...placeholders(parse(text))].sort());
    }
  });

  it('renders every message in both languages with sample values, none left as a fallback key', () => {
    for (const [locale, messages, keys] of [['en', en, enKeys], ['de', de, deKeys]] as const) {
      const errors: string[] = [];
      const t = createTranslator({ locale, messages: { taskText: messages }, namespace: 'taskText', onError: (e) => errors.push(e.message) });
      const render = t as unknown as (k: string, v: Record<string, string | number>) => string;
      for (const key of keys.keys()) {
        const out = render(key, SAMPLE);
        expect(out, `${locale} ${key}`).not.toContain('taskText.');
        expect(out, `${locale} ${key}`).not.toMatch(/[{}]/);
      }
      expect(errors).toEqual([]);
    }
  });

  // What the call sites build today (their template strings, with the same inputs); Playwright selects task cards by these.
  it.each([
    ['vm.poweroff', { name: 'web-a1' }, 'Power off web-a1'],
    ['vm.savestate', { name: 'web-a1' }, 'Save the state of web-a1'],
    ['vm.discardstate', { name: 'web-a1' }, 'Discard the saved state of web-a1'],
    ['vm.create', { name: 'db-7', host: 'vbox-alpha' }, 'Create db-7 on vbox-alpha'],
    ['vm.groupsMany', { count: 3, groups: '/web, /prod' }, 'Move 3 machines to /web, /prod'],
    ['vm.clone', { source: 'tpl', name: 'web-b1', mode: 'linked' }, 'Clone tpl to web-b1 (linked)'],
    ['vm.cloneSnapshot', { snapshot: 'base', source: 'tpl', name: 'web-b1', mode: 'full' }, 'Clone snapshot "base" of tpl to web-b1'],
    ['vm.settings', { area: 'remote_display', name: 'web-a1' }, 'Change the remote display settings of web-a1'],
    ['vm.settings', { area: 'serial_ports', name: 'web-a1' }, 'Change the serial ports settings of web-a1'],
    ['vm.settings', { area: 'usb', name: 'web-a1' }, 'Change the usb settings of web-a1'],
    ['ha.recover', { host: 'vbox-alpha' }, "Recover vbox-alpha's machines (HA)"],
    ['storage.attachEmpty', { kind: 'DVD', name: 'web-a1' }, 'Attach an empty DVD drive to web-a1'],
    ['storage.detachEmpty', { kind: 'HardDisk', name: 'web-a1' }, 'Detach the disk from web-a1'],
    ['snapshot.take', { snapshot: 'before upgrade', name: 'web-a1' }, 'Take snapshot "before upgrade" of web-a1'],
    ['network.forwardAdd', { protocol: 'TCP', port: '8080', name: 'web-a1' }, 'Forward TCP port 8080 to web-a1'],
    ['message.power.adaptersBound', { host: 'vbox-alpha' }, "Adapters bound to vbox-alpha's networks"],
    ['message.canceling', { username: 'admin' }, 'Canceling (requested by admin)'],
  ] as const)('%s renders in English as the call site builds it: %s', (key, values, english) => {
    expect(renderEnglish(taskText(key, values))).toBe(english);
  });

  it('knows every key the server code passes', () => {
    const used = new Set<string>();
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name)) {
          for (const m of fs.readFileSync(p, 'utf8').matchAll(/taskText\(\s*'([^']+)'/g)) used.add(m[1]);
        }
      }
    };
    walk(path.join(process.cwd(), 'lib'));
    // Keys built from a value: every value they can take.
    for (const a of ['start', 'shutdown', 'poweroff', 'pause', 'resume', 'reset', 'savestate', 'discardstate']) used.add(`vm.${a}`);
    for (const a of ['pause', 'resume', 'reset']) used.add(`message.power.${a}`);
    for (const k of ['take', 'restore', 'delete']) for (const w of [k, `message.${k}.doing`, `message.${k}.done`]) used.add(`snapshot.${w}`.replace('snapshot.message.', 'message.snapshot.'));
    expect(used.size).toBeGreaterThan(40);
    expect([...used].filter((k) => !enKeys.has(k))).toEqual([]);
  });
});

describe('the serverText catalog (teleport checks, HA alarms)', () => {
  const sEn = leaves(serverEn as Tree);
  const sDe = leaves(serverDe as Tree);

  it('has the same keys in English and German, with the same placeholders, and renders them all', () => {
    expect([...sDe.keys()].sort()).toEqual([...sEn.keys()].sort());
    for (const [key, text] of sEn) {
      expect([...placeholders(parse(sDe.get(key)!))].sort(), key).toEqual([...placeholders(parse(text))].sort());
    }
    for (const [locale, messages, keys] of [['en', serverEn, sEn], ['de', serverDe, sDe]] as const) {
      const errors: string[] = [];
      const t = createTranslator({ locale, messages: { serverText: messages }, namespace: 'serverText', onError: (e) => errors.push(e.message) });
      const render = t as unknown as (k: string, v: Record<string, string | number>) => string;
      for (const key of keys.keys()) expect(render(key, SAMPLE), `${locale} ${key}`).not.toMatch(/[{}]|serverText\./);
      expect(errors).toEqual([]);
    }
  });

  it('labels each preflight check as the server does in English', () => {
    const source = fs.readFileSync(path.join(process.cwd(), 'lib/teleport/preflight.ts'), 'utf8');
    const block = /const LABELS[^{]*\{([^}]*)\}/.exec(source)![1];
    const labels = [...block.matchAll(/(\w+): (['"])(.*?)\2,/g)].map((m) => [m[1], m[3]]);
    expect(labels.length).toBe(10);
    for (const [id, label] of labels) expect(renderEnglish({ key: `preflight.label.${id}` }, 'serverText'), id).toBe(label);
  });

  it('renders an HA split-brain alarm in English as lib/ha words it', () => {
    expect(renderEnglish({ key: 'haAlarm.splitBrain', values: { name: 'db-1', host1: 'a', host2: 'b' } }, 'serverText')).toBe(
      'db-1 runs on a and b at once: a host was wrongly fenced, and both copies write the same disks. Stop one copy now; automatic restarts are paused until this alarm is acknowledged.');
  });
});

describe('a task with texts', () => {
  const user = { id: 'u1', username: 'admin' };
  const target = (name: string) => ({ type: 'vm' as const, id: name, name, hostId: null });

  it('stores its title and messages as keys beside the English, and the API view returns them as titleI18n / messageI18n', async () => {
    const task = await startTask({
      kind: 'vm.poweroff', title: 'Power off web-a1', titleKey: taskText('vm.poweroff', { name: 'web-a1' }), target: target('web-a1'), user, locks: ['web-a1'],
    }, async (ctx) => {
      ctx.step(5, 'Powering off', taskText('message.power.poweringOff'));
    });
    expect(task.title).toBe('Power off web-a1');
    expect(task.titleI18n).toEqual({ key: 'vm.poweroff', values: { name: 'web-a1' } });
    // The job runs up to its first await before startTask returns: its first step is the message already.
    expect(task.messageI18n).toEqual({ key: 'message.power.poweringOff' });
    await waitForTask(task.id);
    // Ended: read back from its row.
    const row = (await getTask(task.id))!;
    expect(row.status).toBe('succeeded');
    expect(row.titleI18n).toEqual({ key: 'vm.poweroff', values: { name: 'web-a1' } });
    expect(row.message).toBe('Powering off');
    expect(row.messageI18n).toEqual({ key: 'message.power.poweringOff' });
  });

  it('drops the message key when a message without one follows (VirtualBox\'s own words), and keys its cancel', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    const seen: Task[] = [];
    const task = await startTask({ kind: 'test.job', title: 'Job b', target: target('b'), user, locks: ['b'] }, async (ctx) => {
      ctx.step(10, 'Powering off', taskText('message.power.poweringOff'));
      ctx.step(20, 'Copying disk 1 of 2');
      seen.push({ ...ctx.task });
      ctx.setCancelable(true);
      await Promise.race([held, new Promise((_, rej) => ctx.signal.addEventListener('abort', () => rej(ctx.signal.reason)))]);
    });
    expect(task.titleI18n).toBeUndefined();
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    expect(seen[0].message).toBe('Copying disk 1 of 2');
    expect(seen[0].messageI18n).toBeUndefined();
    await vi.waitFor(async () => expect((await getTask(task.id))?.cancelable).toBe(true));
    const canceling = await cancelTask(task.id, user);
    expect(canceling.messageI18n).toEqual({ key: 'message.canceling', values: { username: 'admin' } });
    const ended = await waitForTask(task.id);
    release();
    expect(ended.status).toBe('canceled');
    expect(ended.message).toBe('Canceled by admin');
    expect(ended.messageI18n).toEqual({ key: 'message.canceledBy', values: { username: 'admin' } });
    expect(renderEnglish(ended.messageI18n!)).toBe(ended.message);
  });

  it('a task lost to a restart keeps its title key and says why with a key', async () => {
    const task = await startTask({
      kind: 'vm.edit', title: 'Edit web-c1', titleKey: taskText('vm.edit', { name: 'web-c1' }), target: target('web-c1'), user, locks: ['web-c1'],
    }, () => new Promise(() => undefined));
    await vi.waitFor(async () => expect((await getTask(task.id))?.message).toBe('Starting'));
    forgetTasksInMemory();
    const ended = await waitForTask(task.id);
    expect(ended.status).toBe('lost');
    expect(ended.titleI18n).toEqual({ key: 'vm.edit', values: { name: 'web-c1' } });
    expect(ended.messageI18n).toEqual({ key: 'message.restarted' });
    expect(renderEnglish(ended.messageI18n!)).toBe(ended.message);
  });

  it('refuses (under test) a key whose English differs from the title the call site built', async () => {
    await expect(startTask({
      kind: 'vm.start', title: 'Start web-d1 now', titleKey: taskText('vm.start', { name: 'web-d1' }), target: target('web-d1'), user, locks: ['web-d1'],
    }, async () => undefined)).rejects.toThrow('taskText key vm.start renders "Start web-d1", the server says "Start web-d1 now"');
  });
});
