// What a container will be, in Engine API terms, after parsing and defaults: the one value
// docker_run (and later each compose service) plans, the policy judges, the audit records and
// the engine request is serialized from. Every string here is already normalized (see
// normalize.hpp): capabilities without CAP_ and upper-case, image references in full form.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dockgate::actions {

// "docker.io/library/postgres:13": registry, repository path, tag and/or digest.
struct ImageRef {
  std::string registry;          // "docker.io", "127.0.0.1:5000"
  std::string repository;        // "library/postgres", "team/app"
  std::string tag;               // "13"; "latest" when implicit
  std::string digest;            // "sha256:..." or empty
  bool implicit_tag = false;     // the user wrote no tag and no digest
  std::string full() const;      // "docker.io/library/postgres:13[@sha256:...]"
  std::string familiar() const;  // as docker shows it: "postgres:13"
};

struct PortBinding {
  std::string host_ip;          // "" = all interfaces
  std::uint16_t host_port = 0;  // 0 = an ephemeral port chosen by the engine
  std::uint16_t container_port = 0;
  std::string protocol = "tcp";  // tcp | udp | sctp
};

enum class MountType { Bind, Volume, Tmpfs };

struct Mount {
  MountType type = MountType::Volume;
  std::string source;  // bind: absolute host path as written; volume: name; tmpfs: ""
  std::string target;  // absolute path in the container
  bool read_only = false;
  std::string propagation;      // bind only: "", private, rprivate, shared, rshared, slave, rslave
  std::string selinux_relabel;  // "", "z" or "Z"
};

struct HealthCheck {
  std::vector<std::string> test;  // ["CMD", ...] or ["CMD-SHELL", "..."] or ["NONE"]
  std::int64_t interval_ns = 0;
  std::int64_t timeout_ns = 0;
  std::int64_t start_period_ns = 0;
  int retries = 0;
};

struct RestartPolicy {
  std::string name = "no";  // no | always | unless-stopped | on-failure
  int maximum_retry_count = 0;
};

// A user-defined network a container joins besides its first one (compose services may join
// several): connected after create, before start.
struct NetworkAttachment {
  std::string network;
  std::vector<std::string> aliases;  // names other containers on it resolve to this one
};

struct ContainerSpec {
  std::string name;  // may be empty: the engine picks one
  ImageRef image;
  std::optional<std::vector<std::string>> command;     // absent: the image's CMD
  std::optional<std::vector<std::string>> entrypoint;  // absent: the image's ENTRYPOINT
  std::vector<std::string> env;                        // "KEY=value"
  std::string user;  // as given: "1000:1000", "app", "" (= the image's User)
  std::string workdir;
  std::map<std::string, std::string> labels;
  std::vector<PortBinding> ports;
  bool publish_all = false;
  std::vector<Mount> mounts;
  std::vector<std::string> secrets;  // secret names; each becomes a read-only bind of
                                     // <secrets folder>/<name> at /run/secrets/<name>
  std::string network;  // "" = default bridge; "host", "none", "container:<x>" or a name
  std::vector<std::string> network_aliases;       // on `network` (a user-defined network only)
  std::vector<NetworkAttachment> extra_networks;  // more user-defined networks
  std::vector<std::string> exposed_ports;         // "80/tcp": documentation, nothing published
  std::string pid_mode;                           // "", "host", "container:<x>"
  std::string ipc_mode;              // "", "private", "shareable", "host", "container:<x>"
  std::string uts_mode;              // "", "host"
  std::string userns_mode;           // "", "host"
  std::string cgroupns_mode;         // "", "private", "host"
  std::int64_t memory_bytes = 0;     // 0 = no limit
  std::int64_t nano_cpus = 0;        // 0 = no limit
  std::int64_t pids_limit = 0;       // 0 = no limit
  std::vector<std::string> cap_add;  // normalized: "NET_BIND_SERVICE", "ALL"
  std::vector<std::string> cap_drop;
  bool privileged = false;
  bool read_only_rootfs = false;
  std::vector<std::string> security_opt;  // normalized to "key=value" ("seccomp=unconfined")
  std::vector<std::string> devices;       // "/dev/fuse" or "/dev/x:/dev/y:rwm"
  std::map<std::string, std::string> sysctls;
  std::vector<std::string> volumes_from;
  RestartPolicy restart;
  bool auto_remove = false;
  std::optional<HealthCheck> healthcheck;
  bool init = false;                  // run an init process (docker run --init)
  std::optional<int> stop_timeout_s;  // seconds between SIGTERM and SIGKILL; absent: 10
};

}  // namespace dockgate::actions
