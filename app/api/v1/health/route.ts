import packageJson from "@/package.json";

export type Health = {
  status: "ok";
  version: string;
};

// A liveness probe. GET handlers are dynamic by default, so every call reaches the server.
export function GET(_request: Request): Response {
  const body: Health = { status: "ok", version: packageJson.version };
  return Response.json(body, { headers: { "Cache-Control": "no-store" } });
}
