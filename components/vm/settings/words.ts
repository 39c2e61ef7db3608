// VirtualBox's enum values as people read them (the GUI's words where it has them).

export const FIRMWARE_LABELS: Record<string, string> = { BIOS: 'BIOS', EFI: 'EFI', EFI32: 'EFI (32-bit)', EFI64: 'EFI (64-bit)', EFIDUAL: 'EFI (dual)' };
export const TPM_LABELS: Record<string, string> = { None: 'None', v1_2: 'TPM 1.2', v2_0: 'TPM 2.0', Host: "The host's TPM", Swtpm: 'Software TPM (swtpm)' };
export const CHIPSET_LABELS: Record<string, string> = { PIIX3: 'PIIX3', ICH9: 'ICH9', ARMv8Virtual: 'ARMv8 virtual' };
export const PARAVIRT_LABELS: Record<string, string> = { None: 'None', Default: 'Default', Legacy: 'Legacy', Minimal: 'Minimal', HyperV: 'Hyper-V', KVM: 'KVM' };
export const POINTING_LABELS: Record<string, string> = {
  None: 'None',
  PS2Mouse: 'PS/2 mouse',
  USBMouse: 'USB mouse',
  USBTablet: 'USB tablet',
  ComboMouse: 'PS/2 and USB mouse',
  USBMultiTouch: 'USB multi-touch tablet',
  USBMultiTouchScreenPlusPad: 'USB multi-touch screen and touchpad',
};
export const GRAPHICS_LABELS: Record<string, string> = { Null: 'None', VBoxVGA: 'VBoxVGA', VMSVGA: 'VMSVGA', VBoxSVGA: 'VBoxSVGA', QemuRamFB: 'QEMU RAMFB' };
export const AUDIO_CONTROLLER_LABELS: Record<string, string> = { AC97: 'ICH AC97', SB16: 'SoundBlaster 16', HDA: 'Intel HD Audio', VirtioSound: 'Virtio sound' };
export const AUDIO_CODEC_LABELS: Record<string, string> = { Null: 'None', SB16: 'SoundBlaster 16', STAC9700: 'SigmaTel STAC9700', AD1980: 'Analog Devices AD1980', STAC9221: 'SigmaTel STAC9221' };
export const AUDIO_DRIVER_LABELS: Record<string, string> = {
  Default: 'Default',
  Null: 'Null (no sound on the host)',
  OSS: 'OSS',
  ALSA: 'ALSA',
  Pulse: 'PulseAudio',
  WinMM: 'Windows multimedia',
  DirectSound: 'DirectSound',
  WAS: 'Windows audio session',
  CoreAudio: 'Core Audio',
  MMPM: 'MMPM',
  SolAudio: 'Solaris audio',
};
export const USB_CONTROLLER_LABELS: Record<string, string> = { OHCI: 'USB 1.1 (OHCI)', EHCI: 'USB 2.0 (EHCI)', XHCI: 'USB 3.0 (xHCI)' };
export const PORT_MODE_LABELS: Record<string, string> = { Disconnected: 'Disconnected', HostPipe: 'Host pipe', HostDevice: 'Host device', RawFile: 'Raw file', TCP: 'TCP' };
export const UART_LABELS: Record<string, string> = { U16450: '16450', U16550A: '16550A', U16750: '16750' };
/** Clipboard and drag-and-drop share their values. */
export const DIRECTION_LABELS: Record<string, string> = { Disabled: 'Disabled', HostToGuest: 'Host to guest', GuestToHost: 'Guest to host', Bidirectional: 'Both ways' };
export const AUTOSTOP_LABELS: Record<string, string> = { Disabled: 'Nothing (killed with the host)', SaveState: 'Save its state', PowerOff: 'Power off', AcpiShutdown: 'ACPI shutdown' };
export const AUTH_LABELS: Record<string, string> = { Null: 'None', External: 'External (host accounts)', Guest: 'Guest' };

/** A value's label, or the value itself when it has none. */
export const say = (labels: Record<string, string>, v: string): string => labels[v] ?? v;

/** The COM ports' standard I/O base and IRQ, by slot (COM1…COM4). */
export const COM_PORTS = [
  { ioAddress: 0x3f8, irq: 4 },
  { ioAddress: 0x2f8, irq: 3 },
  { ioAddress: 0x3e8, irq: 4 },
  { ioAddress: 0x2e8, irq: 3 },
];

/** An I/O port as VirtualBox's GUI writes it: 0x3F8. */
export const hex = (n: number): string => `0x${n.toString(16).toUpperCase()}`;

/** What a serial port's path means in each mode. */
export const PATH_LABELS: Record<string, string> = { HostPipe: 'Pipe path', HostDevice: 'Host device', RawFile: 'File path', TCP: 'Port, or host:port to connect to' };

export const isEfi = (firmware: string): boolean => firmware.startsWith('EFI');
