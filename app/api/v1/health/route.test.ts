import { describe, expect, it } from "vitest";
import packageJson from "@/package.json";
import { GET } from "./route";

describe("GET /api/v1/health", () => {
  it("answers 200 with the status and the package version as JSON", async () => {
    const response = GET(new Request("http://localhost/api/v1/health"));

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({ status: "ok", version: packageJson.version });
  });
});
