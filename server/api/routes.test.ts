// The provisioning API, driven through the route modules Next serves, on both databases.
import assert from "node:assert/strict";
import { before, test } from "node:test";
import * as labRoute from "../../app/api/v1/labs/[id]/route.ts";
import * as labStateRoute from "../../app/api/v1/labs/[id]/state/route.ts";
import * as labsRoute from "../../app/api/v1/labs/route.ts";
import * as usersRoute from "../../app/api/v1/users/route.ts";
import { db, setProcessDb, type Db } from "../db/index.ts";
import { createTestTemplate } from "../labs/test-fixtures.ts";
import { describeOnDatabases } from "../testing/databases.ts";

const origin = "http://labdeck.test";
const token = () => process.env.LABDECK_API_TOKEN!;

type Init = { method?: string; body?: unknown; rawBody?: string; auth?: string | null };

function request(path: string, init: Init = {}): Request {
  const headers = new Headers({ "content-type": "application/json" });
  const auth = init.auth === undefined ? `Bearer ${token()}` : init.auth;
  if (auth !== null) headers.set("authorization", auth);
  const body = init.rawBody ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
  return new Request(`${origin}${path}`, { method: init.method ?? (body === undefined ? "GET" : "POST"), headers, body });
}

const noParams = { params: Promise.resolve({}) };
const withId = (id: string) => ({ params: Promise.resolve({ id }) });

async function read(response: Response): Promise<{ status: number; body: any }> {
  assert.match(response.headers.get("content-type") ?? "", /application\/json/);
  assert.equal(response.headers.get("cache-control"), "no-store");
  return { status: response.status, body: await response.json() };
}

describeOnDatabases("provisioning API /api/v1", (database) => {
  before(async () => {
    await createTestTemplate(database().db, "linux-shell");
  });

  test("route modules run on Node, uncached", () => {
    for (const route of [usersRoute, labsRoute, labRoute, labStateRoute]) {
      assert.equal(route.runtime, "nodejs");
      assert.equal(route.dynamic, "force-dynamic");
    }
  });

  test("a missing, malformed or wrong token is 401 JSON, before anything else", async () => {
    for (const auth of [null, "", "Basic abc", `Bearer ${token()}x`, `Bearer ${token().slice(1)}`, "Bearer", token()]) {
      const { status, body } = await read(await labsRoute.POST(request("/api/v1/labs", { auth, rawBody: "{not json" }), noParams));
      assert.equal(status, 401, `auth ${JSON.stringify(auth)}`);
      assert.equal(body.error.code, "unauthorized");
    }
    const response = await labRoute.DELETE(request("/api/v1/labs/x", { method: "DELETE", auth: "Bearer nope" }), withId("x"));
    assert.equal(response.status, 401);
    assert.match(response.headers.get("www-authenticate") ?? "", /^Bearer/);
  });

  test("POST /users creates a user (201); a duplicate is 409", async () => {
    const created = await read(await usersRoute.POST(request("/api/v1/users", { body: { email: "Api@Example.org", name: "Api" } }), noParams));
    assert.equal(created.status, 201);
    assert.equal(created.body.user.email, "api@example.org");
    assert.equal(created.body.user.passwordHash, undefined);
    const again = await read(await usersRoute.POST(request("/api/v1/users", { body: { email: "api@example.org" } }), noParams));
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, "conflict");
  });

  test("invalid JSON, a non-object body and a missing field are 400, naming the field", async () => {
    const broken = await read(await labsRoute.POST(request("/api/v1/labs", { rawBody: "{\"host\": " }), noParams));
    assert.equal(broken.status, 400);
    assert.equal(broken.body.error.code, "invalid_input");
    assert.match(broken.body.error.message, /JSON/);
    const list = await read(await labsRoute.POST(request("/api/v1/labs", { rawBody: "[1,2]" }), noParams));
    assert.equal(list.status, 400);
    const missing = await read(
      await labsRoute.POST(request("/api/v1/labs", { body: { ownerEmail: "api@example.org", templateSlug: "linux-shell", vnc: { port: 5900, password: "p" } } }), noParams),
    );
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.body.error.fields, { host: "is required" });
    assert.match(missing.body.error.message, /host is required/);
  });

  test("register with generateKey (201 + sshPublicKey), get, list, state, teardown: credentials gone", async () => {
    const { db } = database();
    const registered = await read(
      await labsRoute.POST(
        request("/api/v1/labs", {
          body: {
            ownerEmail: "api@example.org",
            templateSlug: "linux-shell",
            host: "10.9.0.1",
            ssh: { port: 22, username: "learner", generateKey: true },
            rdp: { port: 3389, username: "learner", password: "api-rdp-password" },
          },
        }),
        noParams,
      ),
    );
    assert.equal(registered.status, 201);
    const lab = registered.body.lab;
    assert.match(registered.body.sshPublicKey, new RegExp(`^ssh-rsa AAAA\\S+ labdeck-${lab.id}$`));
    assert.equal(lab.state, "provisioning");
    assert.ok(!JSON.stringify(registered.body).includes("api-rdp-password"));
    assert.ok(!JSON.stringify(registered.body).includes("PRIVATE KEY"));

    const got = await read(await labRoute.GET(request(`/api/v1/labs/${lab.id}`), withId(lab.id)));
    assert.equal(got.status, 200);
    assert.deepEqual(got.body.lab, lab);

    const listed = await read(await labsRoute.GET(request("/api/v1/labs?owner=api@example.org"), noParams));
    assert.deepEqual(listed.body.labs.map((l: { id: string }) => l.id), [lab.id]);
    const badFilter = await read(await labsRoute.GET(request("/api/v1/labs?state=melted"), noParams));
    assert.equal(badFilter.status, 400);
    assert.ok(badFilter.body.error.fields.state);

    const ready = await read(await labStateRoute.POST(request(`/api/v1/labs/${lab.id}/state`, { body: { state: "ready" } }), withId(lab.id)));
    assert.equal(ready.status, 200);
    assert.equal(ready.body.lab.state, "ready");
    const badState = await read(await labStateRoute.POST(request(`/api/v1/labs/${lab.id}/state`, { body: { state: "torn_down" } }), withId(lab.id)));
    assert.equal(badState.status, 400);
    assert.ok(badState.body.error.fields.state);
    const extra = await read(await labStateRoute.POST(request(`/api/v1/labs/${lab.id}/state`, { body: { state: "ready", force: true } }), withId(lab.id)));
    assert.deepEqual(extra.body.error.fields, { force: "is not allowed" });

    assert.ok((await db.labCredential.count({ where: { labId: lab.id } })) > 0);
    const torn = await read(await labRoute.DELETE(request(`/api/v1/labs/${lab.id}`, { method: "DELETE" }), withId(lab.id)));
    assert.equal(torn.status, 200);
    assert.equal(torn.body.lab.state, "torn_down");
    assert.equal(await db.labCredential.count({ where: { labId: lab.id } }), 0);
    const tornAgain = await read(await labRoute.DELETE(request(`/api/v1/labs/${lab.id}`, { method: "DELETE" }), withId(lab.id)));
    assert.equal(tornAgain.status, 200);

    const gone = await read(await labStateRoute.POST(request(`/api/v1/labs/${lab.id}/state`, { body: { state: "ready" } }), withId(lab.id)));
    assert.equal(gone.status, 410);
    assert.equal(gone.body.error.code, "gone");
  });

  test("unknown labs are 404; unknown owners are 400 naming ownerEmail", async () => {
    const missing = await read(await labRoute.GET(request("/api/v1/labs/nope"), withId("nope")));
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, "not_found");
    const missingDelete = await read(await labRoute.DELETE(request("/api/v1/labs/nope", { method: "DELETE" }), withId("nope")));
    assert.equal(missingDelete.status, 404);
    const ghost = await read(
      await labsRoute.POST(
        request("/api/v1/labs", { body: { ownerEmail: "ghost@example.org", templateSlug: "linux-shell", host: "h", vnc: { port: 5900, password: "p" } } }),
        noParams,
      ),
    );
    assert.equal(ghost.status, 400);
    assert.ok(ghost.body.error.fields.ownerEmail);
  });

  test("an unexpected failure is a generic 500 that reveals nothing", async () => {
    const { url } = database();
    const real = db();
    setProcessDb(url, new Proxy({} as Db, {
      get() {
        throw new Error("connection to 10.0.0.1 failed: password s3cr3t-in-error");
      },
    }));
    try {
      const failed = await read(await labsRoute.GET(request("/api/v1/labs"), noParams));
      assert.equal(failed.status, 500);
      assert.deepEqual(failed.body, { error: { code: "internal", message: "Internal error." } });
    } finally {
      setProcessDb(url, real);
    }
  });
});
