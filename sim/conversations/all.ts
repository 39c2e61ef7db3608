import type { Conversation } from './index';
import { launchConversations, lockConversations, machineConversations } from './machine';
import { mediaConversations } from './media';
import { applianceConversations, cloneConversations, eventConversations, progressConversations, wrongConversations } from './misc';
import { adapterConversations } from './adapters';
import { guestConversations } from './guest';
import { hostNetworkConversations } from './host-network';
import { networkConversations } from './network';
import { openConversations } from './open';
import { snapshotConversations } from './snapshots';
import { storageConversations } from './storage';
import { vboxConversations } from './vbox';
import { vfsConversations } from './vfs';

/**
 * Every conversation of the suite (sim/conversations.test.ts), in the order they run. Each new
 * vboxsim behaviour comes with its conversation here; where it needs a running machine, which the
 * real server here cannot run, its code names the VirtualBox function it follows instead.
 */
export const CONVERSATIONS: Conversation[] = [
  ...vboxConversations, ...machineConversations, ...lockConversations, ...snapshotConversations, ...mediaConversations,
  ...adapterConversations, ...networkConversations, ...guestConversations, ...hostNetworkConversations, ...cloneConversations, ...applianceConversations, ...eventConversations, ...progressConversations,
  ...wrongConversations, ...launchConversations, ...openConversations, ...storageConversations, ...vfsConversations,
];
