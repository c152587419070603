#!/usr/bin/env bash
# A private Docker engine for dockgate development and tests, reachable only over mutual TLS
# on tcp://127.0.0.1:2376 (and a root-only unix socket), plus a local registry on
# 127.0.0.1:5000 and the dockgate-test/busybox images the tests use.
#
#   scripts/dev-engine.sh start    start what is not running (idempotent), build missing images
#   scripts/dev-engine.sh stop     stop registry and engine (data stays in .dev/)
#   scripts/dev-engine.sh status   what runs
#   scripts/dev-engine.sh env      shell exports for the dev engine: eval "$(scripts/dev-engine.sh env)"
#
# It never disturbs another Docker daemon on the machine: its own data root (.dev/engine/data),
# exec root, pidfile, sockets, bridge, containerd namespace and cgroup parent, and it changes
# no global iptables or sysctl state (see the comments at start_engine).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dev_dir="$repo_root/.dev"
engine_dir="$dev_dir/engine"
data_root="$engine_dir/data"
engine_log="$engine_dir/dockerd.log"
daemon_json="$engine_dir/daemon.json"
registry_dir="$dev_dir/registry"
registry_yml="$registry_dir/config.yml"
registry_log="$registry_dir/registry.log"
images_dir="$dev_dir/images"
cert_dir="$dev_dir/certs"

# Runtime state lives under /run with short paths: unix socket paths are limited to 108 bytes,
# and containerd/runc put sockets below the exec root.
run_dir="${DOCKGATE_DEV_RUN_DIR:-/run/dockgate-dev}"
exec_root="$run_dir/exec"
engine_pidfile="$run_dir/dockerd.pid"
engine_sock="$run_dir/docker.sock"
registry_pidfile="$run_dir/registry.pid"

tcp_port="${DOCKGATE_DEV_PORT:-2376}"
registry_addr="127.0.0.1:${DOCKGATE_DEV_REGISTRY_PORT:-5000}"
bridge="${DOCKGATE_DEV_BRIDGE:-dgdev0}"
bridge_cidr="${DOCKGATE_DEV_BRIDGE_CIDR:-10.201.0.1/24}"
address_pool="${DOCKGATE_DEV_ADDRESS_POOL:-10.201.128.0/17}"
start_timeout=60
stop_timeout=30

img_root="dockgate-test/busybox:root"
img_user="dockgate-test/busybox:user"
img_pushed="$registry_addr/dockgate-test/busybox:1"

log() { printf 'dev-engine: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# The docker CLI used by this script. Debian's 20.10 client matches the 20.10 engine and has
# the classic builder built in; a newer client on PATH would want buildx for `docker build`.
docker_cli() {
  local cli="${DOCKGATE_DOCKER_CLI:-}"
  if [[ -z "$cli" ]]; then
    if [[ -x /usr/bin/docker ]]; then cli=/usr/bin/docker; else cli="$(command -v docker)"; fi
  fi
  DOCKER_HOST="tcp://127.0.0.1:$tcp_port" DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH="$cert_dir/client" \
    DOCKER_API_VERSION=1.41 DOCKER_BUILDKIT=0 DOCKER_CONFIG="$dev_dir/docker-config" \
    "$cli" "$@"
}

# --- process helpers ---------------------------------------------------------------------

# live_pid PIDFILE COMM MARK: prints the pid if PIDFILE names a live (not zombie) process whose
# comm is COMM and whose command line contains MARK (so a reused pid is not mistaken for ours).
live_pid() {
  local pidfile="$1" comm="$2" mark="$3" pid state
  [[ -s "$pidfile" ]] || return 1
  pid="$(tr -dc '0-9' <"$pidfile")"
  [[ -n "$pid" && -d "/proc/$pid" ]] || return 1
  # field 3 of /proc/PID/stat is the state; comm (field 2) may hold spaces, so cut after ')'
  state="$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)" || return 1
  [[ -n "$state" && "$state" != Z && "$state" != X ]] || return 1
  [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$comm" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$mark" || return 1
  echo "$pid"
}

# clear_stale PIDFILE COMM MARK: removes PIDFILE unless it names our live process.
clear_stale() {
  local pidfile="$1"
  if [[ -e "$pidfile" ]] && ! live_pid "$@" >/dev/null; then
    log "removing stale pidfile $pidfile (process gone, zombie, or not ours)"
    rm -f "$pidfile"
  fi
}

# stop_pid PIDFILE COMM MARK NAME: SIGTERM, wait up to stop_timeout, then SIGKILL.
stop_pid() {
  local pidfile="$1" comm="$2" mark="$3" name="$4" pid i
  if pid="$(live_pid "$pidfile" "$comm" "$mark")"; then
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    # Poll by pid, not by pidfile (dockerd removes its own on exit). A process that exited
    # may stay a zombie, since nothing here reaps it: live_pid counts that as gone.
    echo "$pid" >"$pidfile.stopping"
    for ((i = 0; i < stop_timeout * 5; i++)); do
      live_pid "$pidfile.stopping" "$comm" "$mark" >/dev/null || break
      sleep 0.2
    done
    if live_pid "$pidfile.stopping" "$comm" "$mark" >/dev/null; then
      log "$name did not stop within ${stop_timeout}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
    fi
    rm -f "$pidfile.stopping"
  else
    log "$name not running"
  fi
  rm -f "$pidfile"
}

engine_pid() { live_pid "$engine_pidfile" dockerd "--pidfile=$engine_pidfile"; }
registry_pid() { live_pid "$registry_pidfile" docker-registry "$registry_yml"; }
engine_answers() { docker_cli version >/dev/null 2>&1; }

# --- certificates ------------------------------------------------------------------------

ensure_certs() {
  "$repo_root/certs/make-dev-certs.sh" "$cert_dir"
}

# --- engine ------------------------------------------------------------------------------

# Our own bridge instead of docker0: another daemon on this machine (a system docker.io, a CI
# runner) owns docker0 and allocates 172.17.0.0/16 on it; two daemons on one bridge hand out
# the same container IPs. `--bip` only renames docker0's address, so it does not help; `-b`
# with a bridge we create (dockerd does not create a non-default bridge itself) does. Its
# subnet, and the pool for user-defined networks, are kept away from Docker's defaults.
ensure_bridge() {
  if ! ip link show "$bridge" >/dev/null 2>&1; then
    log "creating bridge $bridge ($bridge_cidr)"
    ip link add "$bridge" type bridge
  fi
  if ! ip -4 addr show dev "$bridge" | grep -qF " ${bridge_cidr} "; then
    ip addr add "$bridge_cidr" dev "$bridge"
  fi
  ip link set "$bridge" up
}

start_engine() {
  clear_stale "$engine_pidfile" dockerd "--pidfile=$engine_pidfile"
  local pid
  if pid="$(engine_pid)"; then
    log "dockerd already running (pid $pid)"
  else
    # Another dockgate checkout's engine would hold the same port and run dir.
    if ss -ltnH "sport = :$tcp_port" 2>/dev/null | grep -q .; then
      die "port $tcp_port is in use by another process; is another checkout's dev engine running? ($(ss -ltnpH "sport = :$tcp_port" | head -1))"
    fi
    ensure_bridge
    mkdir -p "$data_root" "$exec_root" "$dev_dir/docker-config"
    cat >"$daemon_json" <<EOF
{
  "default-address-pools": [{"base": "$address_pool", "size": 24}]
}
EOF
    log "starting dockerd (log: ${engine_log#"$repo_root"/})"
    printf '\n==== %s dev-engine start ====\n' "$(date -Is)" >>"$engine_log"
    # --iptables=false / --ip-masq=false: at start-up a dockerd with iptables enabled removes
    #   and recreates the shared DOCKER* chains, which would break the port forwarding of any
    #   other daemon, and it sets the host's FORWARD policy to DROP. Without them, published
    #   ports still work through docker-proxy (the userland proxy listens on the host
    #   address), containers on our bridge reach each other and the host; only outbound NAT
    #   is lost, and this machine has no outside network anyway. ip-forward stays on (it only
    #   sets net.ipv4.ip_forward=1, as any Docker host has): with it off, every container
    #   create answers with the warning "IPv4 forwarding is disabled", which would show up in
    #   the Warnings that dockgate relays.
    # containerd: with no --containerd and no /run/containerd/containerd.sock, dockerd 20.10
    #   starts and supervises its own containerd with state in <exec-root>/containerd (socket
    #   /run/dockgate-dev/exec/containerd/containerd.sock) and root in <data-root>/containerd,
    #   and stops it with itself; after a hard kill the next dockerd adopts or restarts it via
    #   that pidfile. If a system containerd is running, dockerd uses it instead: the
    #   namespaces below keep our containers, images and plugins apart from another dockerd's
    #   ("moby") there.
    # --config-file: never read /etc/docker/daemon.json, which belongs to the system daemon.
    setsid dockerd \
      --config-file="$daemon_json" \
      --data-root="$data_root" \
      --exec-root="$exec_root" \
      --pidfile="$engine_pidfile" \
      -H "unix://$engine_sock" \
      -H "tcp://127.0.0.1:$tcp_port" \
      --tlsverify \
      --tlscacert="$cert_dir/server/ca.pem" \
      --tlscert="$cert_dir/server/cert.pem" \
      --tlskey="$cert_dir/server/key.pem" \
      --bridge="$bridge" \
      --iptables=false --ip-masq=false \
      --containerd-namespace=dockgate-dev \
      --containerd-plugins-namespace=dockgate-dev-plugins \
      --cgroup-parent=dockgate-dev \
      --shutdown-timeout=10 \
      </dev/null >>"$engine_log" 2>&1 9>&- &
    local launched=$!
    local i
    for ((i = 0; i < start_timeout * 2; i++)); do
      engine_answers && break
      if ! kill -0 "$launched" 2>/dev/null || [[ "$(sed 's/^.*) //' "/proc/$launched/stat" 2>/dev/null | cut -d' ' -f1)" == Z ]]; then
        tail -n 20 "$engine_log" >&2
        die "dockerd exited during start-up; see $engine_log"
      fi
      sleep 0.5
    done
    engine_answers || { tail -n 20 "$engine_log" >&2; die "dockerd did not answer on tcp://127.0.0.1:$tcp_port within ${start_timeout}s"; }
    log "dockerd up (pid $(engine_pid || echo "$launched"), $(docker_cli version -f 'engine {{.Server.Version}}, API {{.Server.APIVersion}}'))"
  fi
  # also covers "running but still starting" (e.g. started by a concurrent call)
  local i
  for ((i = 0; i < start_timeout * 2; i++)); do engine_answers && return 0; sleep 0.5; done
  die "dockerd is running but does not answer on tcp://127.0.0.1:$tcp_port"
}

# --- registry ----------------------------------------------------------------------------

registry_answers() { curl -fsS -o /dev/null --max-time 2 "http://$registry_addr/v2/" 2>/dev/null; }

start_registry() {
  clear_stale "$registry_pidfile" docker-registry "$registry_yml"
  local pid
  if pid="$(registry_pid)"; then
    log "registry already running (pid $pid)"
  else
    if ss -ltnH "sport = :${registry_addr##*:}" 2>/dev/null | grep -q .; then
      die "$registry_addr is in use by another process ($(ss -ltnpH "sport = :${registry_addr##*:}" | head -1))"
    fi
    mkdir -p "$registry_dir/data"
    cat >"$registry_yml" <<EOF
# written by scripts/dev-engine.sh
version: 0.1
log:
  level: info
  fields:
    service: dockgate-dev-registry
storage:
  filesystem:
    rootdirectory: $registry_dir/data
  delete:
    enabled: true
http:
  addr: $registry_addr
  headers:
    X-Content-Type-Options: [nosniff]
EOF
    log "starting docker-registry on $registry_addr (log: ${registry_log#"$repo_root"/})"
    setsid docker-registry serve "$registry_yml" </dev/null >>"$registry_log" 2>&1 9>&- &
    echo $! >"$registry_pidfile"
  fi
  # Liveness by pid (kill -0, not a zombie), as for dockerd: right after the fork the child
  # may not have exec'd yet, so its comm is still "bash" and registry_pid would call a
  # starting registry dead (CI lost a run to exactly that race).
  local launched i state
  launched="$(tr -dc '0-9' <"$registry_pidfile")"
  for ((i = 0; i < 40; i++)); do
    registry_answers && return 0
    state="$(sed 's/^.*) //' "/proc/$launched/stat" 2>/dev/null | cut -d' ' -f1)"
    if ! kill -0 "$launched" 2>/dev/null || [[ "$state" == Z ]]; then
      registry_answers && return 0
      echo "---- $registry_log (last 20 lines)" >&2
      tail -n 20 "$registry_log" >&2
      rm -f "$registry_pidfile"
      die "docker-registry exited during start-up; see $registry_log"
    fi
    sleep 0.5
  done
  tail -n 20 "$registry_log" >&2
  die "docker-registry did not answer on http://$registry_addr/v2/ within 20s"
}

# --- test images -------------------------------------------------------------------------

# A rootfs with the static busybox and its applets as symlinks (scratch has no shell to run
# `busybox --install` at build time), a passwd/group that names uid 1000, and /tmp.
make_rootfs_tar() {
  local out="$1" stage
  stage="$(mktemp -d)"
  local busybox=/bin/busybox
  [[ -x "$busybox" ]] || die "/bin/busybox not found (apt-get install busybox-static)"
  file_is_static "$busybox" || die "$busybox is not statically linked (install busybox-static)"
  mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,home/app}
  install -m 755 "$busybox" "$stage/bin/busybox"
  local applet
  while read -r applet; do
    [[ -n "$applet" && "$applet" != bin/busybox ]] || continue
    mkdir -p "$stage/$(dirname "$applet")"
    ln -sf /bin/busybox "$stage/$applet"
  done < <("$busybox" --list-full)
  printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$stage/etc/passwd"
  printf 'root:x:0:\napp:x:1000:\nnogroup:x:65534:\n' >"$stage/etc/group"
  chmod 1777 "$stage/tmp"
  chmod 700 "$stage/root"
  chown 1000:1000 "$stage/home/app"
  tar -C "$stage" --numeric-owner --sort=name --mtime=@0 -cf "$out" .
  rm -rf "$stage"
}

file_is_static() {
  # a dynamically linked ELF has a PT_INTERP (program interpreter) header
  ! LC_ALL=C readelf -l "$1" 2>/dev/null | grep -q 'program interpreter'
}

image_exists() { docker_cli image inspect "$1" >/dev/null 2>&1; }

registry_has() {
  curl -fsS -o /dev/null --max-time 5 \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://$registry_addr/v2/dockgate-test/busybox/manifests/1" 2>/dev/null
}

ensure_images() {
  local ctx="$images_dir/busybox"
  if [[ "${DOCKGATE_DEV_REBUILD:-0}" == 1 ]] || ! image_exists "$img_root" || ! image_exists "$img_user"; then
    log "building $img_root and $img_user"
    rm -rf "$ctx"
    mkdir -p "$ctx"
    make_rootfs_tar "$ctx/rootfs.tar"
    cat >"$ctx/Dockerfile.root" <<'EOF'
FROM scratch
ADD rootfs.tar /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LABEL dockgate.test=1
CMD ["sh"]
EOF
    { cat "$ctx/Dockerfile.root"; echo 'USER 1000:1000'; } >"$ctx/Dockerfile.user"
    docker_cli build -q -f "$ctx/Dockerfile.root" -t "$img_root" "$ctx" >&2
    docker_cli build -q -f "$ctx/Dockerfile.user" -t "$img_user" "$ctx" >&2
  else
    log "images $img_root and $img_user present"
  fi
  if [[ "${DOCKGATE_DEV_REBUILD:-0}" == 1 ]] || ! registry_has; then
    log "pushing $img_pushed"
    docker_cli tag "$img_root" "$img_pushed"
    docker_cli push "$img_pushed" >"$images_dir/push.log" 2>&1 || { cat "$images_dir/push.log" >&2; die "push to $registry_addr failed"; }
  else
    log "registry has $img_pushed"
  fi
}

# --- commands ----------------------------------------------------------------------------

need_root() { [[ "$(id -u)" == 0 ]] || die "must run as root (dockerd needs it)"; }

with_lock() {
  mkdir -p "$run_dir"
  # fd 9 must not leak into dockerd or the registry (see the `9>&-` where they start),
  # or they would hold the lock for their whole life
  exec 9>"$run_dir/lock"
  flock -w 180 9 || die "another dev-engine.sh holds $run_dir/lock"
}

cmd_start() {
  need_root
  with_lock
  for tool in dockerd containerd runc docker-proxy docker-registry openssl curl ip ss readelf; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found; run scripts/setup.sh"
  done
  mkdir -p "$engine_dir" "$registry_dir" "$images_dir"
  ensure_certs
  start_engine
  start_registry
  ensure_images
  log "ready: eval \"\$($0 env)\""
}

cmd_stop() {
  need_root
  with_lock
  stop_pid "$registry_pidfile" docker-registry "$registry_yml" docker-registry
  stop_pid "$engine_pidfile" dockerd "--pidfile=$engine_pidfile" dockerd
  # dockerd stops its managed containerd on a clean exit; after a SIGKILL it may be left over
  local ctd_pidfile="$exec_root/containerd/containerd.pid"
  if [[ -e "$ctd_pidfile" ]]; then
    stop_pid "$ctd_pidfile" containerd "$exec_root/containerd" "managed containerd"
  fi
  log "stopped (data kept in ${dev_dir#"$repo_root"/})"
}

cmd_status() {
  local pid rc=0
  if pid="$(engine_pid)"; then
    if engine_answers; then
      echo "dockerd: running (pid $pid), tcp://127.0.0.1:$tcp_port (mutual TLS), unix://$engine_sock, $(docker_cli version -f 'engine {{.Server.Version}} API {{.Server.APIVersion}}' 2>/dev/null)"
    else
      echo "dockerd: running (pid $pid) but not answering on tcp://127.0.0.1:$tcp_port"; rc=1
    fi
  else
    echo "dockerd: not running"; rc=1
    [[ -e "$engine_pidfile" ]] && echo "  (stale pidfile $engine_pidfile)"
  fi
  local ctd_pidfile="$exec_root/containerd/containerd.pid"
  if pid="$(live_pid "$ctd_pidfile" containerd "$exec_root/containerd" 2>/dev/null)"; then
    echo "containerd: running (pid $pid, managed by dockerd)"
  fi
  if pid="$(registry_pid)"; then
    echo "registry: running (pid $pid), http://$registry_addr"
  else
    echo "registry: not running"; rc=1
  fi
  if engine_answers; then
    local img
    for img in "$img_root" "$img_user"; do
      if image_exists "$img"; then echo "image: $img"; else echo "image: $img missing"; rc=1; fi
    done
  fi
  if registry_answers; then
    if registry_has; then echo "registry image: $img_pushed"; else echo "registry image: $img_pushed missing"; rc=1; fi
  fi
  return "$rc"
}

cmd_env() {
  printf 'export DOCKER_HOST=%q DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=%q\n' \
    "tcp://127.0.0.1:$tcp_port" "$cert_dir/client"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  *) echo "usage: $0 {start|stop|status|env}" >&2; exit 2 ;;
esac
