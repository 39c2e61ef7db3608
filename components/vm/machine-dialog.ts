import type { MachineDetail, Task } from '@/lib/hooks/types';

/** The props of a dialog that acts on a machine and hands the task it starts to `onTask`. */
export interface MachineDialogProps {
  machine: MachineDetail;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onTask: (t: Task) => void;
}
