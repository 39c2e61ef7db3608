'use client';

import type { TemplateView } from '@/lib/templates';
import type { DeployInput } from '@/lib/templates/deploy';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiFetch } from './api';
import { queryKeys } from './keys';
import { useSeedTasks } from './use-tasks';
import type { MachineDetail, Task } from './types';

// The API's shapes as the server declares them (type-only imports: erased, no server code reaches the client bundle).
export type { DeployInput, TemplateView };

/** The templates the caller may deploy (GET /api/v1/templates). */
export function useTemplates(enabled = true) {
  return useQuery({
    queryKey: queryKeys.templates,
    queryFn: ({ signal }) => apiFetch<{ templates: TemplateView[] }>('/api/v1/templates', { signal }),
    enabled,
  });
}

/** Marks a powered-off machine as a template, or unmarks it (PUT /api/v1/vms/:id/template). */
export function useSetTemplate(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (template: boolean) =>
      apiFetch<{ id: string; template: boolean }>(`/api/v1/vms/${encodeURIComponent(id)}/template`, { method: 'PUT', json: { template } }),
    // The answer is the truth at once (the host's ExtraDataChanged event follows): patch the page, re-read the lists,
    // where the machine moves between the machines and the templates.
    onSuccess: (r) => {
      qc.setQueryData<MachineDetail>(queryKeys.vmDetail(id), (old) => (old ? { ...old, template: r.template } : old));
      void qc.invalidateQueries({ queryKey: queryKeys.vmLists });
      void qc.invalidateQueries({ queryKey: queryKeys.templates });
    },
  });
}

/** Deploys a new machine from a template (POST /api/v1/templates/:id/deploy) → 202 with the `vm.clone` task. */
export function useDeployTemplate() {
  const seed = useSeedTasks();
  return useMutation({
    mutationFn: ({ id, input }: { id: string; input: DeployInput }) =>
      apiFetch<Task>(`/api/v1/templates/${encodeURIComponent(id)}/deploy`, { method: 'POST', json: input }),
    onSuccess: (t) => seed([t]),
  });
}
