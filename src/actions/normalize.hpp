// Parsers and normalizers for what people type to docker, shared by the tools (which build
// actions from arguments) and the policy (which judges the normalized values). Each follows
// the docker CLI, runc or the Engine API exactly, and each error names what was wrong and
// what is allowed. Pure functions: no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "actions/container_spec.hpp"
#include "common/result.hpp"

namespace dockgate::actions {

// Docker's reference grammar: "postgres:13" -> docker.io/library/postgres:13;
// "127.0.0.1:5000/team/app@sha256:..." ; upper-case repositories refused.
Result<ImageRef> parse_image_reference(std::string_view text);

// "8080:80", "127.0.0.1:8080:80", "8080:80/udp", "80", "8000-8001:8000-8001", "[::1]:80:80".
// Ranges expand to one binding per port (at most 1024). Ports are 1..65535.
Result<std::vector<PortBinding>> parse_port_spec(std::string_view text);

// "name:/path", "/host:/path:ro", options ro/rw/z/Z and a propagation mode; "/path" alone is an
// anonymous volume. A host path must be absolute (no relative or "~" paths; ".." refused).
Result<Mount> parse_volume_spec(std::string_view text);

// "512m", "1g", "1024k", "1048576", "1.5g": docker's RAMInBytes (binary units, b/k/m/g/t/p).
Result<std::int64_t> parse_memory_bytes(std::string_view text);

// "0.5" -> 500000000 NanoCpus; docker's --cpus.
Result<std::int64_t> parse_nano_cpus(std::string_view text);

// Go durations as docker takes them: "5s", "1m30s", "500ms", "2h". Returns nanoseconds.
Result<std::int64_t> parse_duration_ns(std::string_view text);

// "no", "always", "unless-stopped", "on-failure", "on-failure:3".
Result<RestartPolicy> parse_restart_policy(std::string_view text);

// "cap_sys_admin", "CAP_SYS_ADMIN", "sys_admin" -> "SYS_ADMIN"; "all" -> "ALL".
// Unknown names are refused (the list is Linux's capabilities as of 6.x).
Result<std::string> normalize_capability(std::string_view text);

// "seccomp=unconfined", "seccomp:unconfined", "no-new-privileges", "no-new-privileges:true",
// "apparmor=x", "label=disable", "label:type:x" -> "key=value" form.
Result<std::string> normalize_security_opt(std::string_view text);

// "KEY=value" (value may be empty, may contain '='); a key is [A-Za-z_][A-Za-z0-9_.-]*.
Result<std::string> parse_env_entry(std::string_view text);

// "/dev/fuse", "/dev/x:/dev/y", "/dev/x:rw", "/dev/x:/dev/y:rwm" -> "SRC:DST:PERMS" (docker's
// parseDevice); paths absolute without '..'.
Result<std::string> parse_device_spec(std::string_view text);

// The user as runc reads it: "0", "00", "+0", "root", "0:0", "root:root", "1000:1000",
// "app", "app:app". uid is known when numeric ("0"/"00"/"+0" -> 0) or "root".
struct UserSpec {
  std::string user;                 // the part before ':'
  std::string group;                // the part after ':' ("" if none)
  std::optional<std::int64_t> uid;  // when numeric, or 0 for "root"
  std::optional<std::int64_t> gid;
};
Result<UserSpec> parse_user_spec(std::string_view text);

}  // namespace dockgate::actions
