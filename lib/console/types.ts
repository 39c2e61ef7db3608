import type { MachineState } from '@/lib/vbox/types';

/** Machine states in which a machine has a screen to show (console, previews). */
export const CONSOLE_STATES: ReadonlySet<MachineState> = new Set<MachineState>([
  'Running', 'Paused', 'Stuck', 'LiveSnapshotting', 'Teleporting', 'TeleportingPausedVM',
]);

/** What POST /api/v1/vms/:id/console answers. */
export interface ConsoleTicket {
  /** The one-time pass (30 s; this user, this machine, the host and VNC port it runs on). */
  ticket: string;
  /** The gateway's WebSocket URL with the ticket, relative to the server; noVNC connects to it as is. */
  url: string;
  /** ISO time after which the ticket is refused. */
  expiresAt: string;
  machine: { id: string; name: string; hostId: string; hostName: string };
  /** Whether the gateway lets only screen updates through (no keyboard, pointer or clipboard). */
  viewOnly: boolean;
}

/** What POST /api/v1/vms/:id/embed-links answers (lib/console/embed-link). */
export interface EmbedLink {
  /** The page to put in an iframe, absolute. */
  url: string;
  /** The same, relative to Nimbox. */
  path: string;
  /** An iframe element for it, ready to paste. */
  iframe: string;
  viewOnly: boolean;
  expiresAt: string;
  machine: { id: string; name: string };
}

/** The Authorization scheme the embed page sends its link in: `EmbedLink <link>`. */
export const LINK_SCHEME = 'EmbedLink';
