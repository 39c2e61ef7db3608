'use client';

import { ConsoleViewer } from './console-viewer';

/** The console filling an iframe (the /embed/console/:id page). */
export function EmbeddedConsole({ id, viewOnly }: { id: string; viewOnly?: boolean }) {
  return (
    <div className="fixed inset-0 flex flex-col bg-slate-950">
      <ConsoleViewer machineId={id} variant="embed" viewOnly={viewOnly} />
    </div>
  );
}
