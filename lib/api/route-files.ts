/** The HTTP methods an App Router route module may export that the API uses. */
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** One app/api/v1/**\/route.ts, as listed by scripts/openapi-routes.ts in lib/api/routes.generated.ts. */
export interface RouteFile {
  /** The path below /api/v1 with Next's folder names, e.g. '/vms/[id]'. */
  path: string;
  /** The file, relative to the repository root. */
  file: string;
  /** Imports the module (static specifiers, so Next bundles every route). */
  load: () => Promise<object>;
  /** Its exported methods, each with the doc comment above it in the source ('' when none). */
  methods: Partial<Record<HttpMethod, string>>;
}
