import assert from "node:assert/strict";
import { test } from "node:test";
import { log, scrubSecrets } from "./log.ts";

test("credentials in text are cut out: URL user info, password-like words, PEM keys", () => {
  assert.equal(scrubSecrets("connect postgresql://labdeck:hunter2@db:5432/x failed"), "connect postgresql://[redacted]@db:5432/x failed");
  assert.equal(scrubSecrets("connection to 10.0.0.1 failed: password s3cr3t"), "connection to 10.0.0.1 failed: password [redacted]");
  assert.equal(scrubSecrets("token=abc123; ticket: xyz"), "token=[redacted] ticket: [redacted]");
  assert.equal(scrubSecrets("key -----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY----- done"), "key [redacted key] done");
  assert.equal(scrubSecrets("guacd unreachable at 127.0.0.1:4822"), "guacd unreachable at 127.0.0.1:4822");
});

test("a logged error's message and stack are scrubbed", () => {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    log.error({ err: new Error("connection to postgresql://u:pw-in-url@h/db failed: password pw-in-text") }, "boom");
  } finally {
    process.stdout.write = write;
  }
  const output = lines.join("");
  assert.match(output, /boom/);
  assert.ok(!output.includes("pw-in-url") && !output.includes("pw-in-text"), output);
});
