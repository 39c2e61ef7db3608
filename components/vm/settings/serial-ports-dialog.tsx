'use client';

import { useState, type ComponentProps } from 'react';
import { Input } from '@/components/ui/input';
import type { Task } from '@/lib/hooks/types';
import type { SerialPortView } from '@/lib/hooks/use-settings';
import { AreaForm, ChoiceSelect, NumberInput, SettingCheck, SettingField, type SettingsCtx } from './form';
import { changed } from './live';
import { COM_PORTS, hex, say } from './words';

type F = keyof SerialPortView;
const FIELDS: readonly F[] = ['enabled', 'hostMode', 'path', 'server', 'ioAddress', 'irq', 'uartType'];

/** An I/O port typed as 0x3F8 (or decimal); NaN while it is neither. */
function HexInput({ value, onValue, ...p }: Omit<ComponentProps<'input'>, 'value' | 'onChange'> & { value: number; onValue: (n: number) => void }) {
  const [text, setText] = useState(Number.isFinite(value) ? hex(value) : '');
  return (
    <Input
      {...p}
      value={text}
      className="font-mono"
      autoComplete="off"
      spellCheck={false}
      onChange={(e) => {
        const t = e.target.value.trim();
        setText(e.target.value);
        onValue(/^0x[0-9a-f]+$/i.test(t) ? parseInt(t, 16) : /^\d+$/.test(t) ? Number(t) : NaN);
      }}
    />
  );
}

/** The name of a serial port's slot as guests know it. */
export const comName = (slot: number) => `COM${slot + 1}`;

/** Serial ports: per slot, on/off, the host side (mode from what the caller may use, with its path or address), I/O port, IRQ, UART. */
export function SerialPortsForm({ ctx, onCancel, onDone }: { ctx: SettingsCtx; onCancel: () => void; onDone: (t: Task) => void }) {
  const initial = ctx.view.serialPorts;
  const [ports, setPorts] = useState<SerialPortView[]>(initial);
  // The body's index of each slot sent: the server's errors name "ports.<index>.<field>".
  const [sent, setSent] = useState<number[]>([]);
  const c = ctx.view.choices;
  const t = ctx.t;
  const why = (f: F) => ctx.why(`serialPorts.${f}`);
  const set = <K extends F>(slot: number, k: K, value: SerialPortView[K]) => setPorts((prev) => prev.map((p) => (p.slot === slot ? { ...p, [k]: value } : p)));
  return (
    <AreaForm
      ctx={ctx}
      area="serial-ports"
      fields={['ports']}
      whys={FIELDS.map(why)}
      build={() => {
        const body = ports.map((p, i) => ({ slot: p.slot, ...changed(initial[i], p) })).filter((p) => Object.keys(p).length > 1);
        setSent(body.map((p) => p.slot));
        const errors: Record<string, string> = {};
        body.forEach((p, k) => {
          for (const f of ['ioAddress', 'irq'] as const) if (p[f] !== undefined && !Number.isFinite(p[f])) errors[`ports.${k}.${f}`] = t('errors.number');
          const full = ports.find((x) => x.slot === p.slot)!;
          if (full.enabled && full.hostMode !== 'Disconnected' && !full.path.trim()) errors[`ports.${k}.path`] = t.has(`serial.enterPath.${full.hostMode}`) ? t(`serial.enterPath.${full.hostMode}`) : t('serial.enterPath.other');
        });
        return { patch: body.length > 0 ? { ports: body } : null, errors };
      }}
      onCancel={onCancel}
      onDone={onDone}
    >
      {(errors) =>
        ports.map((port) => {
          const k = sent.indexOf(port.slot);
          const err = (f: F) => (k >= 0 ? (errors[`ports.${k}.${f}`] ?? undefined) : undefined);
          const modes = [...new Set([...c.serialModes, port.hostMode])];
          const std = COM_PORTS[port.slot];
          return (
            <fieldset key={port.slot} className="space-y-3 border-t border-slate-200 pt-4 first:border-t-0 first:pt-0 dark:border-slate-800" data-slot={port.slot}>
              <legend className="sr-only">{comName(port.slot)}</legend>
              <SettingCheck
                name={`ports.${port.slot}.enabled`}
                label={t('serial.port', { n: port.slot + 1, com: comName(port.slot) })}
                why={why('enabled')}
                error={err('enabled')}
                checked={port.enabled}
                onChange={(x) => set(port.slot, 'enabled', x)}
              />
              {port.enabled && (
                <div className="grid gap-4 pl-6 sm:grid-cols-2">
                  <SettingField name={`ports.${port.slot}.hostMode`} label={t('serial.mode')} why={why('hostMode')} error={err('hostMode')}>
                    {(p) => <ChoiceSelect {...p} value={port.hostMode} choices={modes} words="portMode" onValue={(x) => set(port.slot, 'hostMode', x)} />}
                  </SettingField>
                  {port.hostMode !== 'Disconnected' && (
                    <SettingField name={`ports.${port.slot}.path`} label={t.has(`words.path.${port.hostMode}`) ? say(t, 'path', port.hostMode) : t('serial.path')} why={why('path')} error={err('path')}>
                      {(p) => (
                        <Input
                          {...p}
                          value={port.path}
                          onChange={(e) => set(port.slot, 'path', e.target.value)}
                          placeholder={port.hostMode === 'TCP' ? (port.server ? '2323' : 'host:2323') : port.hostMode === 'HostDevice' ? '/dev/ttyS0' : '/tmp/com1'}
                          className="font-mono text-xs"
                          autoComplete="off"
                          spellCheck={false}
                        />
                      )}
                    </SettingField>
                  )}
                  {(port.hostMode === 'HostPipe' || port.hostMode === 'TCP') && (
                    <div className="sm:col-span-2">
                      <SettingCheck
                        name={`ports.${port.slot}.server`}
                        label={port.hostMode === 'TCP' ? t('serial.listen') : t('serial.createPipe')}
                        hint={port.hostMode === 'TCP' ? t('serial.listenHint') : t('serial.createPipeHint')}
                        why={why('server')}
                        error={err('server')}
                        checked={port.server}
                        onChange={(x) => set(port.slot, 'server', x)}
                      />
                    </div>
                  )}
                  <SettingField name={`ports.${port.slot}.ioAddress`} label={t('serial.ioPort')} why={why('ioAddress')} error={err('ioAddress')} hint={std ? `${comName(port.slot)}: ${hex(std.ioAddress)}` : undefined}>
                    {(p) => <HexInput {...p} value={port.ioAddress} onValue={(x) => set(port.slot, 'ioAddress', x)} />}
                  </SettingField>
                  <SettingField name={`ports.${port.slot}.irq`} label={t('serial.irq')} why={why('irq')} error={err('irq')} hint={std ? `${comName(port.slot)}: ${std.irq}` : undefined}>
                    {(p) => <NumberInput {...p} min={0} max={255} value={port.irq} onValue={(x) => set(port.slot, 'irq', x)} />}
                  </SettingField>
                  <SettingField name={`ports.${port.slot}.uartType`} label={t('serial.uart')} why={why('uartType')} error={err('uartType')}>
                    {(p) => <ChoiceSelect {...p} value={port.uartType} choices={c.uartTypes} words="uart" onValue={(x) => set(port.slot, 'uartType', x)} />}
                  </SettingField>
                </div>
              )}
            </fieldset>
          );
        })
      }
    </AreaForm>
  );
}
