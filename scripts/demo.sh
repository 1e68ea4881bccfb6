#!/usr/bin/env bash
# `npm run demo`: Labdeck on this machine with a local guacd and a real SSH lab per demo account.
# Installs what is missing (system packages, node_modules), keeps local secrets in data/.env,
# builds when the sources changed since the last build, then runs server/demo/main.ts.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/ensure-system-deps.sh demo

# node_modules/.package-lock.json is npm's record of what it installed.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ package.json -nt node_modules/.package-lock.json ]; then
  npm install
  touch node_modules/.package-lock.json
fi

# Local secrets: generated once, kept across runs (sessions and stored lab credentials depend on them).
mkdir -p data
touch data/.env
chmod 600 data/.env
for name in AUTH_SECRET LABDECK_API_TOKEN LABDECK_ENCRYPTION_KEY; do
  if ! grep -q "^${name}=" data/.env; then
    echo "${name}=$(node -e 'process.stdout.write(require("node:crypto").randomBytes(32).toString("base64"))')" >> data/.env
  fi
done
# Export them, without overriding what the user already set.
while IFS='=' read -r name value; do
  case "$name" in '' | \#*) continue ;; esac
  if [ -z "${!name:-}" ]; then export "${name}=${value}"; fi
done < data/.env

export NEXT_TELEMETRY_DISABLED=1
export NODE_ENV=production

# Rebuild when there is no build, or any source the build reads is newer than it.
if [ ! -f .next/BUILD_ID ] || [ -n "$(find app server content public next.config.mjs tsconfig.json package-lock.json \
    -newer .next/BUILD_ID -type f -print -quit 2>/dev/null)" ]; then
  npm run build
fi

exec node --import tsx server/demo/main.ts
