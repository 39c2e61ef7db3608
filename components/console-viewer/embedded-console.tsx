'use client';

import { ConsoleViewer } from './console-viewer';

/** The console filling an iframe (the /embed/console/:id page), signed in or with an embed link. */
export function EmbeddedConsole({ id, viewOnly, link }: { id: string; viewOnly?: boolean; link?: string }) {
  return (
    <div className="fixed inset-0 flex flex-col bg-slate-950">
      <ConsoleViewer machineId={id} variant="embed" viewOnly={viewOnly} link={link} />
    </div>
  );
}
