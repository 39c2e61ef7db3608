import type { Conversation } from './index';
import { launchConversations, lockConversations, machineConversations } from './machine';
import { mediaConversations } from './media';
import { eventConversations, progressConversations, wrongConversations } from './misc';
import { adapterConversations } from './adapters';
import { guestConversations } from './guest';
import { hostNetworkConversations } from './host-network';
import { networkConversations } from './network';
import { openConversations } from './open';
import { snapshotConversations } from './snapshots';
import { storageConversations } from './storage';
import { vboxConversations } from './vbox';
import { vfsConversations } from './vfs';
import { machineSettingsConversations } from './machine-settings'; // issue 16 S1
import { deviceConversations } from './devices'; // issue 16 S3
import { logConversations } from './logs'; // issue 16 S5
import { usbConversations } from './usb'; // issue 16 S4
import { firmwareConversations } from './firmware'; // issue 16 S2
import { groupConversations } from './groups'; // issue 16 H8
import { cloneConversations } from './clone'; // issue 17 A
import { applianceConversations } from './appliance'; // issue 17
import { metricConversations } from './metrics'; // issue 18

/**
 * Every conversation of the suite (sim/conversations.test.ts), in the order they run. Each new
 * vboxsim behaviour comes with its conversation here; where it needs a running machine, which the
 * real server here cannot run, its code names the VirtualBox function it follows instead.
 */
export const CONVERSATIONS: Conversation[] = [
  // First: VirtualBox 7.1.12's Appliance::write looks each disk up in the global media list, and fails "The object
  // is not ready" on a medium an earlier conversation left half-closed there (order found by bisecting the suite).
  ...applianceConversations,
  ...vboxConversations, ...machineConversations, ...lockConversations, ...snapshotConversations, ...mediaConversations,
  ...adapterConversations, ...networkConversations, ...guestConversations, ...hostNetworkConversations, ...cloneConversations, ...eventConversations, ...progressConversations,
  ...wrongConversations, ...launchConversations, ...openConversations, ...storageConversations, ...vfsConversations,
  ...machineSettingsConversations, // issue 16 S1
  ...deviceConversations, // issue 16 S3
  ...logConversations, // issue 16 S5
  ...usbConversations, // issue 16 S4
  ...firmwareConversations, // issue 16 S2
  ...groupConversations, // issue 16 H8
  ...metricConversations, // issue 18
];
