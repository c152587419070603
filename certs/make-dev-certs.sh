#!/usr/bin/env bash
# Makes the development PKI for the private mutual-TLS engine (scripts/dev-engine.sh):
#
#   OUTDIR/ca/{ca.pem,ca-key.pem}                 dev CA (signs the engine and the client)
#   OUTDIR/server/{ca.pem,cert.pem,key.pem}       engine certificate: serverAuth,
#                                                 SAN IP:127.0.0.1, DNS:localhost
#   OUTDIR/client/{ca.pem,cert.pem,key.pem}       client certificate: clientAuth, laid out as
#                                                 DOCKER_CERT_PATH expects
#   OUTDIR/rogue-ca/{ca.pem,ca-key.pem}           a second, unrelated CA
#   OUTDIR/rogue-client/{ca.pem,cert.pem,key.pem} client cert signed by the rogue CA; its
#                                                 ca.pem is the *real* dev CA so the engine's
#                                                 certificate still verifies and the only
#                                                 thing that fails is the client certificate
#
# Usage: certs/make-dev-certs.sh [OUTDIR]   (default: <repo>/.dev/certs)
#
# Idempotent: a certificate is kept while it exists, matches its key and CA, and is valid for
# at least 7 more days; otherwise it (and whatever it signed, for a CA) is made anew.
# No key is ever written under certs/.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
outdir="${1:-$repo_root/.dev/certs}"
days=825               # the longest validity clients accept for leaf certs
min_valid=$((7 * 24 * 3600))

log() { printf 'make-dev-certs: %s\n' "$*" >&2; }

command -v openssl >/dev/null || { log "openssl not found (run scripts/setup.sh)"; exit 1; }

mkdir -p "$outdir"
outdir="$(cd "$outdir" && pwd)"
umask 077

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# cert_ok CERT KEY [CA]: exists, not expiring within 7 days, matches KEY, and verifies against CA.
cert_ok() {
  local cert="$1" key="$2" ca="${3:-}"
  [[ -s "$cert" && -s "$key" ]] || return 1
  openssl x509 -in "$cert" -noout -checkend "$min_valid" >/dev/null 2>&1 || return 1
  local a b
  a="$(openssl x509 -in "$cert" -noout -pubkey 2>/dev/null | openssl sha256)" || return 1
  b="$(openssl pkey -in "$key" -pubout 2>/dev/null | openssl sha256)" || return 1
  [[ "$a" == "$b" ]] || return 1
  if [[ -n "$ca" ]]; then
    openssl verify -CAfile "$ca" "$cert" >/dev/null 2>&1 || return 1
  fi
  return 0
}

new_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; chmod 600 "$1"; }

# make_ca DIR CN
make_ca() {
  local dir="$1" cn="$2"
  mkdir -p "$dir"
  if cert_ok "$dir/ca.pem" "$dir/ca-key.pem"; then
    return 1   # kept
  fi
  log "creating CA '$cn' in $dir"
  new_key "$dir/ca-key.pem"
  openssl req -x509 -new -key "$dir/ca-key.pem" -sha256 -days 3650 -subj "/O=dockgate dev/CN=$cn" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$dir/ca.pem"
  chmod 644 "$dir/ca.pem"
  return 0     # made anew
}

# make_leaf DIR CN CA_DIR TRUST_CA_PEM EXTFILE_CONTENT FORCE
make_leaf() {
  local dir="$1" cn="$2" ca_dir="$3" trust_ca="$4" ext="$5" force="$6"
  mkdir -p "$dir"
  if [[ "$force" != 1 ]] && cert_ok "$dir/cert.pem" "$dir/key.pem" "$ca_dir/ca.pem"; then
    # the trust anchor can be refreshed without touching the key
    cmp -s "$trust_ca" "$dir/ca.pem" || install -m 644 "$trust_ca" "$dir/ca.pem"
    log "keeping $dir"
    return 0
  fi
  log "creating certificate '$cn' in $dir"
  new_key "$dir/key.pem"
  openssl req -new -key "$dir/key.pem" -subj "/O=dockgate dev/CN=$cn" -out "$tmp/req.csr"
  printf '%s\n' "$ext" >"$tmp/ext.cnf"
  openssl x509 -req -in "$tmp/req.csr" -CA "$ca_dir/ca.pem" -CAkey "$ca_dir/ca-key.pem" \
    -set_serial "0x$(openssl rand -hex 16)" -sha256 -days "$days" \
    -extfile "$tmp/ext.cnf" -out "$dir/cert.pem" 2>/dev/null
  chmod 644 "$dir/cert.pem"
  install -m 644 "$trust_ca" "$dir/ca.pem"
}

server_ext='basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost'
client_ext='basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth'

force=0
make_ca "$outdir/ca" "dockgate dev CA" && force=1
make_leaf "$outdir/server" "localhost" "$outdir/ca" "$outdir/ca/ca.pem" "$server_ext" "$force"
make_leaf "$outdir/client" "dockgate-dev-client" "$outdir/ca" "$outdir/ca/ca.pem" "$client_ext" "$force"

force=0
make_ca "$outdir/rogue-ca" "dockgate rogue CA (not trusted by the engine)" && force=1
make_leaf "$outdir/rogue-client" "dockgate-rogue-client" "$outdir/rogue-ca" "$outdir/ca/ca.pem" "$client_ext" "$force"

chmod 600 "$outdir"/*/*key.pem
log "certificates ready in $outdir"
