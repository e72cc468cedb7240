#!/usr/bin/env bash
# Runs ChatDesk on this machine. Installs and builds what is missing; when no database is configured
# (ConnectionStrings__ChatDesk unset) it starts a project-local PostgreSQL in .data/pg on 127.0.0.1:55432.
# Environment: CHATDESK_PORT (default 5080), CHATDESK_PG_PORT (55432), ChatDesk__Demo__Enabled (true here).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/infra/setup.sh"

port=${CHATDESK_PORT:-5080}
if [ -z "${ConnectionStrings__ChatDesk:-}" ]; then
  ConnectionStrings__ChatDesk=$("$root/infra/local-postgres.sh" "$root/.data/pg" "${CHATDESK_PG_PORT:-55432}")
  export ConnectionStrings__ChatDesk
  echo "==> Using the project-local PostgreSQL in .data/pg (127.0.0.1:${CHATDESK_PG_PORT:-55432})"
fi
# The console is served as http://localhost:PORT and the demo customer site as http://127.0.0.1:PORT:
# two origins, so the widget runs cross-origin exactly as it does on a real customer's website.
export ChatDesk__Demo__Enabled=${ChatDesk__Demo__Enabled:-true}
export ChatDesk__PublicUrl=${ChatDesk__PublicUrl:-http://localhost:$port}
export ChatDesk__Demo__SiteOrigins=${ChatDesk__Demo__SiteOrigins:-http://127.0.0.1:$port}
export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Production}

cd "$root/server/ChatDesk.Server"
exec dotnet bin/Release/net10.0/ChatDesk.Server.dll --urls "http://127.0.0.1:$port"
