#!/usr/bin/env bash
# A throw-away docker-registry with htpasswd (bcrypt) authentication, for the docker_pull
# credential tests. It serves one image, pushed from the dev engine's dockgate-test/busybox:root
# as 127.0.0.1:<port>/dockgate-test/busybox:auth.
#   scripts/auth-registry.sh start DIR PORT USER PASSWORD   (DIR must not exist yet)
#   scripts/auth-registry.sh stop DIR                        (stops it, removes DIR)
# Needs the dev engine's environment (eval "$(scripts/dev-engine.sh env)"). Only what it
# created is touched: its own process (by its pid file), its folder, and the local tag it
# pushed from, which it removes again.
set -euo pipefail

die() { echo "auth-registry: $*" >&2; exit 1; }

bcrypt_hash() {
  if command -v htpasswd >/dev/null 2>&1; then
    htpasswd -nbB "$1" "$2" | cut -d: -f2-
  else
    # Debian 12's libcrypt does bcrypt ($2b$), which the registry's Go bcrypt accepts.
    python3 -W ignore -c 'import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH)))' "$2"
  fi
}

start() {
  local dir="$1" port="$2" user="$3" password="$4"
  [[ -e "$dir" ]] && die "$dir exists already"
  command -v docker-registry >/dev/null || die "docker-registry is not installed (apt-get install docker-registry)"
  if ss -ltnH "sport = :$port" 2>/dev/null | grep -q .; then die "port $port is in use"; fi
  mkdir -p "$dir/data" "$dir/docker-config"
  echo "$user:$(bcrypt_hash "$user" "$password")" >"$dir/htpasswd"
  cat >"$dir/config.yml" <<YML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/data
http:
  addr: 127.0.0.1:$port
auth:
  htpasswd:
    realm: dockgate-test
    path: $dir/htpasswd
YML
  setsid docker-registry serve "$dir/config.yml" </dev/null >>"$dir/registry.log" 2>&1 &
  echo $! >"$dir/registry.pid"
  for _ in $(seq 1 100); do
    # 401 without credentials: it is up and asks for them.
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$port/v2/" || true)"
    [[ "$code" == 401 ]] && break
    sleep 0.1
  done
  [[ "${code:-}" == 401 ]] || { cat "$dir/registry.log" >&2; die "the registry did not start"; }

  export DOCKER_CONFIG="$dir/docker-config" DOCKER_API_VERSION=1.41
  local image="127.0.0.1:$port/dockgate-test/busybox:auth"
  echo "$password" | docker login -u "$user" --password-stdin "127.0.0.1:$port" >/dev/null 2>&1
  docker tag dockgate-test/busybox:root "$image"
  local pushed=0
  docker push "$image" >/dev/null && pushed=1
  docker rmi "$image" >/dev/null  # only the tag made above; the image stays as :root
  docker logout "127.0.0.1:$port" >/dev/null || true
  [[ $pushed == 1 ]] || die "docker push $image failed"
  echo "$image"
}

stop() {
  local dir="$1"
  [[ -d "$dir" ]] || return 0
  if [[ -f "$dir/registry.pid" ]]; then
    local pid
    pid="$(cat "$dir/registry.pid")"
    # Only our registry: the pid must still run docker-registry with our config.
    if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$dir/config.yml"; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) [[ $# == 5 ]] || die "usage: $0 start DIR PORT USER PASSWORD"; start "$2" "$3" "$4" "$5" ;;
  stop) [[ $# == 2 ]] || die "usage: $0 stop DIR"; stop "$2" ;;
  *) die "usage: $0 start DIR PORT USER PASSWORD | stop DIR" ;;
esac
