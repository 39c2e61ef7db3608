/**
 * lib/cluster/operations: the machine operations that change the cluster — create, edit, delete and
 * snapshots — each checked against the live inventory first (400/404/409 problems) and then run as
 * a task (lib/tasks), which the routes answer 202 with.
 */
import type { Task } from '@/lib/tasks';

export { hostCapabilities, forgetCapabilities, type HostCapabilities, type OsTypeInfo } from './capabilities';
export { createMachineSchema, planCreate, startCreate, type CreateMachineInput, type CreatePlan } from './create';
export { cloneSchema, planClone, startClone, MAC_POLICIES, type CloneInput, type ClonePlan, type MacPolicy } from './clone';
export { editMachineSchema, startEdit, type EditMachineInput } from './edit';
export { startDelete } from './delete';
export {
  addControllerSchema, attachSchema, attachmentFlagsSchema, editControllerSchema, machineStorage, mountSchema, readStorage,
  startAddController, startAttach, startDetach, startEditAttachment, startEditController, startMount, startRemoveController,
  type AttachmentView, type BusView, type ControllerView, type SlotParams, type StorageView,
} from './storage';
export { machineTenantSchema, setMachineTenant } from './tenant';
export {
  editSnapshot, editSnapshotSchema, snapshotTree, startDeleteSnapshot, startRestoreSnapshot, startTakeSnapshot, takeSnapshotSchema,
  type SnapshotInfo, type SnapshotNode, type SnapshotTree,
} from './snapshots';
export { moveGroupsSchema, setGroupsSchema, startMoveGroups, startSetGroups } from './groups';

/** 202 Accepted with the task, as every action route answers. */
export function accepted(task: Task): Response {
  return Response.json(task, { status: 202, headers: { Location: `/api/v1/tasks/${task.id}`, 'Cache-Control': 'no-store' } });
}
