#!/bin/sh
# Docent's container entrypoint (POSIX sh). Picks the data dir, selects the Space profile, links the models
# baked into the image, then `exec`s Node so that SIGTERM/SIGINT reach Docent directly (no shell in between,
# no zombie) and Docent's graceful shutdown runs.
#
#   DATA_DIR          when set, used as is
#   PERSISTENT_ROOT   where paid persistent storage mounts (default /data): used as $PERSISTENT_ROOT/docent when
#                     writable; otherwise state goes to $HOME/.docent, on the container's ephemeral disk
#   SPACE_ID          set by Hugging Face Spaces: DOCENT_PROFILE defaults to hf-space (an explicit one wins,
#                     even empty)
#   APP_ROOT          the application folder (default /app)
set -eu

APP_ROOT="${APP_ROOT:-/app}"
PERSISTENT_ROOT="${PERSISTENT_ROOT:-/data}"

# One JSON line per message, like Docent's own logs under the hf-space profile (log.pretty: never).
log() {
  msg=$(printf '%s' "$2" | sed 's/\\/\\\\/g; s/"/\\"/g')
  printf '{"level":%s,"time":%s000,"component":"entrypoint","msg":"%s"}\n' "$1" "$(date +%s)" "$msg" >&2
}

can_write() {
  mkdir -p "$1" 2>/dev/null || return 1
  probe="$1/.docent-write-probe.$$"
  (: >"$probe") 2>/dev/null || return 1
  rm -f "$probe"
}

if [ -n "${DATA_DIR:-}" ]; then
  log 30 "data dir $DATA_DIR (DATA_DIR)"
elif [ -d "$PERSISTENT_ROOT" ] && can_write "$PERSISTENT_ROOT/docent"; then
  DATA_DIR="$PERSISTENT_ROOT/docent"
  log 30 "data dir $DATA_DIR (persistent storage)"
else
  DATA_DIR="${HOME:-/tmp}/.docent"
  log 40 "$PERSISTENT_ROOT is absent or not writable (no persistent storage): data dir $DATA_DIR is on the container's ephemeral disk, so the index will be rebuilt at every boot"
fi
if ! can_write "$DATA_DIR"; then
  log 50 "data dir $DATA_DIR is not writable by uid $(id -u); set DATA_DIR to a writable folder"
  exit 1
fi
export DATA_DIR

if [ -n "${SPACE_ID:-}" ] && [ -z "${DOCENT_PROFILE+set}" ]; then
  export DOCENT_PROFILE=hf-space
  log 30 "Hugging Face Space $SPACE_ID: profile hf-space"
fi

# Models pulled at build time (`docent models pull` into $APP_ROOT/seed) live in the image, so a fresh or
# ephemeral data dir needs no download. A models folder of the data dir's own is left alone.
if [ -d "$APP_ROOT/seed/models" ] && { [ -L "$DATA_DIR/models" ] || [ ! -e "$DATA_DIR/models" ]; }; then
  ln -sfn "$APP_ROOT/seed/models" "$DATA_DIR/models"
fi

# Relative sources in config (data/sample) resolve from the application folder.
cd "$APP_ROOT"
[ "$#" -gt 0 ] || set -- start
exec node "$APP_ROOT/bin/docent.js" "$@"
