import { z } from "zod";
import { describeRoute } from "@/lib/api/route-meta";
import packageJson from "@/package.json";

export type Health = {
  status: "ok";
  version: string;
};

// A liveness probe. GET handlers are dynamic by default, so every call reaches the server.
// Not made with route() (no sign-in), so described here for the OpenAPI document.
export const GET = describeRoute(function GET(_request: Request): Response {
  const body: Health = { status: "ok", version: packageJson.version };
  return Response.json(body, { headers: { "Cache-Control": "no-store" } });
}, {
  action: null,
  summary: "Liveness probe",
  response: z.object({ status: z.literal("ok"), version: z.string() }),
});
