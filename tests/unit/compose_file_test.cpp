// The compose file parser: a realistic project parsed to the ContainerSpecs docker_run would
// plan, each key in its forms, interpolation and .env files, and the refusals (unknown keys,
// wrong types, broken YAML, limits, hostile values), each error naming its line.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "compose/compose_file.hpp"

namespace dockgate::compose {
namespace {

using actions::MountType;

ParseOptions options(std::map<std::string, std::string> variables = {}) {
  ParseOptions o;
  o.file_name = "compose.yaml";
  o.project_dir = "/work/Shop";
  o.variables = std::move(variables);
  o.read_file = [](const std::string& path) -> Result<std::string> {
    if (path == "/work/Shop/web.env") return std::string("# web\nexport MODE=prod\nTOKEN='a b'\n");
    if (path == "/work/Shop/override.env") return std::string("MODE=dev\n");
    return make_error("no such file");
  };
  return o;
}

ComposeFile parse_ok(const std::string& text, std::map<std::string, std::string> variables = {}) {
  auto file = parse_compose(text, options(std::move(variables)));
  EXPECT_TRUE(file.ok()) << file.error().message;
  return file.ok() ? *file : ComposeFile{};
}

std::string parse_error(const std::string& text,
                        std::map<std::string, std::string> variables = {}) {
  auto file = parse_compose(text, options(std::move(variables)));
  EXPECT_FALSE(file.ok()) << "accepted:\n" << text;
  return file.ok() ? "" : file.error().message;
}

// One service "s" with the given lines of keys (indented by the helper).
std::string service(const std::string& keys, const std::string& top = "") {
  std::string text = "services:\n  s:\n    image: alpine:3.19\n";
  std::size_t start = 0;
  while (start < keys.size()) {
    auto end = keys.find('\n', start);
    if (end == std::string::npos) end = keys.size();
    text += "    " + keys.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return text + top;
}

Service parse_service(const std::string& keys, const std::string& top = "",
                      std::map<std::string, std::string> variables = {}) {
  auto file = parse_ok(service(keys, top), std::move(variables));
  return file.services.empty() ? Service{} : file.services[0];
}

#define EXPECT_CONTAINS(text, part) \
  EXPECT_NE(std::string(text).find(part), std::string::npos) << (text) << "\n  lacks: " << (part)

// ------------------------------------------------------------------------- a whole project

TEST(ComposeFile, ParsesARealisticProject) {
  const std::string text = R"(name: shop
services:
  web:
    image: nginx:1.25
    ports:
      - "8080:80"
    environment:
      DB_HOST: db
      DB_PASSWORD: ${DB_PASSWORD}
    depends_on:
      db:
        condition: service_healthy
    networks: [backend]
    restart: unless-stopped
  db:
    image: postgres:16
    volumes:
      - db-data:/var/lib/postgresql/data
    environment:
      - POSTGRES_PASSWORD=${DB_PASSWORD:?set DB_PASSWORD in .env}
    healthcheck:
      test: ["CMD", "pg_isready", "-U", "postgres"]
      interval: 5s
      timeout: 3s
      retries: 5
    networks:
      backend:
        aliases: [database]
    mem_limit: 512m
networks:
  backend:
volumes:
  db-data:
)";
  const auto file = parse_ok(text, {{"DB_PASSWORD", "s3cret"}});
  EXPECT_EQ(file.project, "shop");
  EXPECT_EQ(file.project_dir, "/work/Shop");
  ASSERT_EQ(file.services.size(), 2u);
  const Service& web = file.services[0];
  EXPECT_EQ(web.name, "web");
  EXPECT_EQ(web.line, 3);
  EXPECT_EQ(web.spec.image.full(), "docker.io/library/nginx:1.25");
  ASSERT_EQ(web.spec.ports.size(), 1u);
  EXPECT_EQ(web.spec.ports[0].host_port, 8080);
  EXPECT_EQ(web.spec.ports[0].container_port, 80);
  EXPECT_EQ(web.spec.env, (std::vector<std::string>{"DB_HOST=db", "DB_PASSWORD=s3cret"}));
  ASSERT_EQ(web.depends_on.size(), 1u);
  EXPECT_EQ(web.depends_on[0].service, "db");
  EXPECT_EQ(web.depends_on[0].condition, DependencyCondition::Healthy);
  ASSERT_EQ(web.networks.size(), 1u);
  EXPECT_EQ(web.networks[0].key, "backend");
  EXPECT_EQ(web.spec.restart.name, "unless-stopped");
  EXPECT_TRUE(web.spec.name.empty());  // the planner names containers

  const Service& db = file.services[1];
  EXPECT_EQ(db.spec.image.full(), "docker.io/library/postgres:16");
  ASSERT_EQ(db.spec.mounts.size(), 1u);
  EXPECT_EQ(db.spec.mounts[0].type, MountType::Volume);
  EXPECT_EQ(db.spec.mounts[0].source, "shop_db-data");
  EXPECT_EQ(db.spec.mounts[0].target, "/var/lib/postgresql/data");
  EXPECT_EQ(db.spec.env, (std::vector<std::string>{"POSTGRES_PASSWORD=s3cret"}));
  ASSERT_TRUE(db.spec.healthcheck);
  EXPECT_EQ(db.spec.healthcheck->test,
            (std::vector<std::string>{"CMD", "pg_isready", "-U", "postgres"}));
  EXPECT_EQ(db.spec.healthcheck->interval_ns, 5'000'000'000);
  EXPECT_EQ(db.spec.healthcheck->timeout_ns, 3'000'000'000);
  EXPECT_EQ(db.spec.healthcheck->retries, 5);
  EXPECT_EQ(db.networks[0].aliases, (std::vector<std::string>{"database"}));
  EXPECT_EQ(db.spec.memory_bytes, 512 * 1024 * 1024);

  ASSERT_EQ(file.networks.size(), 1u);  // every service names its networks: no default
  EXPECT_EQ(file.networks[0].name, "shop_backend");
  EXPECT_EQ(file.networks[0].driver, "bridge");
  ASSERT_EQ(file.volumes.size(), 1u);
  EXPECT_EQ(file.volumes[0].key, "db-data");
  EXPECT_EQ(file.volumes[0].name, "shop_db-data");
  EXPECT_EQ(file.volumes[0].driver, "local");

  EXPECT_CONTAINS(parse_error(text),
                  "compose.yaml:20: variable DB_PASSWORD: set DB_PASSWORD in .env");
}

TEST(ComposeFile, AddsTheDefaultNetworkWhenAServiceUsesIt) {
  const auto file = parse_ok(
      "services:\n  a:\n    image: alpine:3\n  b:\n    image: alpine:3\n"
      "    network_mode: host\n");
  EXPECT_EQ(file.project, "shop");  // the folder "Shop", normalized
  ASSERT_EQ(file.networks.size(), 1u);
  EXPECT_EQ(file.networks[0].key, "default");
  EXPECT_EQ(file.networks[0].name, "shop_default");
  EXPECT_EQ(file.services[1].network_mode, "host");
  const auto listed = parse_ok("services:\n  a:\n    image: alpine:3\n    networks: [default]\n");
  ASSERT_EQ(listed.networks.size(), 1u);
  EXPECT_EQ(listed.networks[0].name, "shop_default");
  EXPECT_CONTAINS(parse_error("services:\n  a:\n    image: alpine:3\n---\nservices: {}\n"),
                  "more than one YAML document");
  EXPECT_EQ(parse_ok("# a comment\n---\nservices:\n  a:\n    image: alpine:3\n").services.size(),
            1u);
  // yaml-cpp 0.7's LoadAll never returns on this (found by fuzz_compose_parser).
  EXPECT_FALSE(parse_compose(std::string(125, ',') + "!-anea", options()).ok());
  const auto host_only = parse_ok("services:\n  b:\n    image: alpine:3\n    network_mode: none\n");
  EXPECT_TRUE(host_only.networks.empty());
}

TEST(ComposeFile, NamesTheProject) {
  auto o = options();
  o.project_name = "My_App!";
  auto file = parse_compose("name: other\nservices:\n  a:\n    image: alpine:3\n", o);
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_EQ(file->project, "my_app");
  EXPECT_EQ(parse_ok("name: ${P:-Demo-1}\nservices:\n  a:\n    image: alpine:3\n").project,
            "demo-1");
  EXPECT_EQ(normalize_project_name("--Web.App_1"), "webapp_1");
  EXPECT_EQ(normalize_project_name("_-!"), "");
  EXPECT_CONTAINS(parse_error("name: '--'\nservices:\n  a:\n    image: alpine:3\n"),
                  "compose.yaml:1: 'name' '--' has no letter or digit");
  o.project_name = "";
  o.project_dir = "/";
  auto root = parse_compose("services:\n  a:\n    image: alpine:3\n", o);
  ASSERT_FALSE(root.ok());
  EXPECT_CONTAINS(root.error().message, "cannot name the project");
}

TEST(ComposeFile, NamesNetworksAndVolumesAsComposeDoes) {
  const auto file =
      parse_ok(service("networks: [front, ext]\nvolumes: [data:/d, old:/o]",
                       "networks:\n  front:\n    name: my-front\n    driver: overlay\n"
                       "    internal: true\n    labels: [team=web]\n"
                       "    driver_opts: {mtu: 1400}\n"
                       "  ext:\n    external: true\nvolumes:\n  data:\n"
                       "    labels: {a: b}\n  old:\n    external: true\n"
                       "    name: legacy\n"));
  ASSERT_EQ(file.networks.size(), 2u);
  EXPECT_EQ(file.networks[0].name, "my-front");
  EXPECT_EQ(file.networks[0].driver, "overlay");
  EXPECT_TRUE(file.networks[0].internal);
  EXPECT_EQ(file.networks[0].labels.at("team"), "web");
  EXPECT_EQ(file.networks[0].driver_opts.at("mtu"), "1400");
  EXPECT_EQ(file.networks[1].name, "ext");
  EXPECT_TRUE(file.networks[1].external);
  EXPECT_EQ(file.volumes[0].name, "shop_data");
  EXPECT_EQ(file.volumes[1].name, "legacy");
  EXPECT_EQ(file.services[0].spec.mounts[1].source, "legacy");
  EXPECT_CONTAINS(parse_error(service("", "volumes:\n  v:\n    external: true\n    driver: nfs\n")),
                  "'driver' cannot be set with 'external: true'");
  EXPECT_CONTAINS(parse_error(service("", "networks:\n  n:\n    ipam: {}\n")),
                  "compose.yaml:6: network 'n': key 'ipam' is not supported by dockgate");
  EXPECT_CONTAINS(parse_error(service("", "volumes:\n  v:\n    name: 'a/b'\n")),
                  "the volume name 'a/b' is not valid");
}

// ----------------------------------------------------------------------------- service keys

TEST(ComposeService, ImageAndBuild) {
  auto s = parse_service("build: ./app");
  ASSERT_TRUE(s.build);
  EXPECT_EQ(s.build->context, "/work/Shop/app");
  EXPECT_EQ(s.build->dockerfile, "Dockerfile");
  EXPECT_EQ(s.spec.image.full(), "docker.io/library/alpine:3.19");  // image: wins
  const auto built = parse_ok(
      "services:\n  Api:\n    build:\n      context: ../api\n"
      "      dockerfile: docker/Dockerfile.dev\n"
      "      args: [VERSION=1, FROM_ENV, UNSET]\n      target: dev\n",
      {{"FROM_ENV", "x"}});
  const auto& api = built.services[0];
  EXPECT_EQ(api.spec.image.full(), "docker.io/library/shop-api:compose");
  EXPECT_EQ(api.build->context, "/work/api");
  EXPECT_EQ(api.build->dockerfile, "docker/Dockerfile.dev");
  EXPECT_EQ(api.build->args,
            (std::map<std::string, std::string>{{"VERSION", "1"}, {"FROM_ENV", "x"}}));
  EXPECT_EQ(api.build->target, "dev");
  EXPECT_EQ(
      parse_ok("services:\n  a:\n    build:\n      args: {A: 1}\n").services[0].build->context,
      "/work/Shop");
  EXPECT_CONTAINS(parse_error("services:\n  a:\n    command: x\n"),
                  "compose.yaml:2: service 'a': needs 'image' or 'build'");
  EXPECT_CONTAINS(parse_error("services:\n  a:\n    build: https://github.com/x/y.git\n"),
                  "remote contexts");
  EXPECT_CONTAINS(
      parse_error("services:\n  a:\n    build: {context: ., dockerfile: ../Dockerfile}\n"),
      "'build.dockerfile' must be a path inside the build context");
  EXPECT_CONTAINS(parse_error("services:\n  a:\n    image: Nginx\n"),
                  "compose.yaml:3: service 'a': 'image' ");
}

TEST(ComposeService, CommandAndEntrypoint) {
  auto s =
      parse_service("command: sh -c 'echo \"hi there\"' \"a b\" c\\ d\nentrypoint: [\"/init\", 1]");
  EXPECT_EQ(*s.spec.command,
            (std::vector<std::string>{"sh", "-c", "echo \"hi there\"", "a b", "c d"}));
  EXPECT_EQ(*s.spec.entrypoint, (std::vector<std::string>{"/init", "1"}));
  EXPECT_FALSE(parse_service("").spec.command);
  EXPECT_CONTAINS(parse_error(service("command: \"echo 'unclosed\"")),
                  "'command' has an unclosed ' quote");
  EXPECT_CONTAINS(parse_error(service("entrypoint: []")), "'entrypoint' must not be empty");
  EXPECT_CONTAINS(parse_error(service("command: {a: b}")),
                  "compose.yaml:4: service 's': 'command' must be a string or a list");
}

TEST(ComposeService, EnvironmentAndEnvFile) {
  auto s = parse_service("environment:\n  A: 1\n  B: 'true'\n  FROM_VARS:\n  UNSET:\n  EMPTY: ''",
                         "", {{"FROM_VARS", "v"}});
  EXPECT_EQ(s.spec.env, (std::vector<std::string>{"A=1", "B=true", "FROM_VARS=v", "EMPTY="}));
  s = parse_service("environment: [A=1=2, FROM_VARS, UNSET]", "", {{"FROM_VARS", "v"}});
  EXPECT_EQ(s.spec.env, (std::vector<std::string>{"A=1=2", "FROM_VARS=v"}));
  s = parse_service("env_file: [web.env, override.env]\nenvironment: [TOKEN=mine]");
  EXPECT_EQ(s.spec.env, (std::vector<std::string>{"MODE=dev", "TOKEN=mine"}));
  s = parse_service("env_file: ./web.env");
  EXPECT_EQ(s.spec.env, (std::vector<std::string>{"MODE=prod", "TOKEN=a b"}));
  EXPECT_CONTAINS(parse_error(service("env_file: missing.env")),
                  "compose.yaml:4: service 's': env_file 'missing.env': no such file");
  auto o = options();
  o.read_file = nullptr;
  auto refused = parse_compose(service("env_file: web.env"), o);
  ASSERT_FALSE(refused.ok());
  EXPECT_CONTAINS(refused.error().message, "'env_file' cannot be read here");
  EXPECT_CONTAINS(parse_error(service("environment: [\"1BAD=x\"]")), "environment.1BAD");
  EXPECT_CONTAINS(parse_error(service("environment: {A: [1]}")),
                  "'environment.A' must be a string or a number");
}

TEST(ComposeService, PortsShortAndLong) {
  auto s = parse_service(
      "ports:\n  - 8080:80\n  - \"127.0.0.1:5353:53/udp\"\n  - 9000\n"
      "  - target: 443\n    published: \"8443\"\n    host_ip: ::1\n"
      "  - {target: 53, protocol: udp}");
  ASSERT_EQ(s.spec.ports.size(), 5u);
  EXPECT_EQ(s.spec.ports[1].host_ip, "127.0.0.1");
  EXPECT_EQ(s.spec.ports[1].protocol, "udp");
  EXPECT_EQ(s.spec.ports[2].container_port, 9000);
  EXPECT_EQ(s.spec.ports[2].host_port, 0);
  EXPECT_EQ(s.spec.ports[3].host_ip, "::1");
  EXPECT_EQ(s.spec.ports[3].host_port, 8443);
  EXPECT_EQ(s.spec.ports[4].protocol, "udp");
  EXPECT_CONTAINS(parse_error(service("ports:\n  - 80\n  - [1]")),
                  "compose.yaml:6: service 's': 'ports[1]' must be a string or a number");
  EXPECT_CONTAINS(parse_error(service("ports: [{published: 80}]")), "needs a 'target'");
  EXPECT_CONTAINS(parse_error(service("ports: [{target: 80, mode: host}]")),
                  "key 'mode' is not supported");
  EXPECT_CONTAINS(parse_error(service("ports: [\"70000:80\"]")), "'ports[0]'");
}

TEST(ComposeService, Expose) {
  auto s = parse_service("expose: [80, \"53/udp\", 8000-8001]");
  EXPECT_EQ(s.spec.exposed_ports,
            (std::vector<std::string>{"80/tcp", "53/udp", "8000/tcp", "8001/tcp"}));
  EXPECT_CONTAINS(parse_error(service("expose: [\"8080:80\"]")), "must be a port like 80");
}

TEST(ComposeService, VolumesShortAndLong) {
  auto s = parse_service(
      "volumes:\n  - data:/data:ro\n  - ./site:/usr/share/nginx/html\n"
      "  - ../up/../conf:/conf:ro\n  - /srv/x:/x\n  - /anon\n"
      "  - type: bind\n    source: ./b\n    target: /b\n    read_only: true\n"
      "    bind: {propagation: rshared}\n"
      "  - {type: volume, source: data, target: /v}\n"
      "  - {type: tmpfs, target: /t}\n  - {type: volume, target: /anon2}",
      "volumes:\n  data:\n");
  const auto& m = s.spec.mounts;
  ASSERT_EQ(m.size(), 9u);
  EXPECT_EQ(m[0].type, MountType::Volume);
  EXPECT_EQ(m[0].source, "shop_data");
  EXPECT_TRUE(m[0].read_only);
  EXPECT_EQ(m[1].type, MountType::Bind);
  EXPECT_EQ(m[1].source, "/work/Shop/site");
  EXPECT_EQ(m[2].source, "/work/conf");  // resolved, absolute and normal: the planner judges it
  EXPECT_EQ(m[3].source, "/srv/x");
  EXPECT_EQ(m[4].source, "");
  EXPECT_EQ(m[4].target, "/anon");
  EXPECT_EQ(m[5].source, "/work/Shop/b");
  EXPECT_TRUE(m[5].read_only);
  EXPECT_EQ(m[5].propagation, "rshared");
  EXPECT_EQ(m[6].source, "shop_data");
  EXPECT_EQ(m[7].type, MountType::Tmpfs);
  EXPECT_EQ(m[7].target, "/t");
  EXPECT_EQ(m[8].source, "");
  EXPECT_CONTAINS(parse_error(service("volumes: [undeclared:/x]")),
                  "compose.yaml:4: service 's': volume 'undeclared' is not declared in the "
                  "top-level 'volumes'");
  EXPECT_CONTAINS(parse_error(service("volumes: [{type: tmpfs, target: /t, tmpfs: {size: 1000}}]")),
                  "tmpfs mount here carries no options");
  EXPECT_CONTAINS(parse_error(service("volumes: [{type: npipe, source: x, target: /x}]")),
                  "must be volume, bind or tmpfs");
  EXPECT_CONTAINS(parse_error(service("volumes: [{type: volume, source: /etc, target: /x}]")),
                  "use type: bind for a path");
  EXPECT_CONTAINS(parse_error(service("volumes: [\"~/x:/x\"]")), "'volumes[0]'");
  EXPECT_CONTAINS(parse_error(service("volumes: [\"/a/../etc:/x\"]")), "'..'");
  EXPECT_CONTAINS(parse_error(service("volumes: [{type: bind, source: /a/../etc, target: /x}]")),
                  "'..'");
  EXPECT_CONTAINS(parse_error(service("volumes: [{type: bind, source: ~/x, target: /x}]")),
                  "'volumes[0]'");
}

TEST(ComposeService, NetworksAndNetworkMode) {
  auto s = parse_service("networks:\n  front:\n    aliases: [www, site]\n  default:",
                         "networks:\n  front:\n");
  ASSERT_EQ(s.networks.size(), 2u);
  EXPECT_EQ(s.networks[0].aliases, (std::vector<std::string>{"www", "site"}));
  EXPECT_EQ(s.networks[1].key, "default");
  EXPECT_CONTAINS(
      parse_error(service("networks: [back]")),
      "compose.yaml:4: service 's': network 'back' is not declared in the top-level 'networks'");
  EXPECT_CONTAINS(parse_error(service("networks: [default]\nnetwork_mode: host")),
                  "'network_mode' and 'networks' cannot both be set");
  EXPECT_CONTAINS(parse_error(service("network_mode: service:nope")),
                  "names no service of this file");
  EXPECT_CONTAINS(parse_error(service("network_mode: weird")), "must be host, none, bridge");
  EXPECT_EQ(parse_service("network_mode: container:abc").network_mode, "container:abc");
}

TEST(ComposeService, DependsOn) {
  const auto file = parse_ok(
      "services:\n  a:\n    image: alpine:3\n    depends_on: [b, c]\n"
      "  b:\n    image: alpine:3\n    depends_on:\n      c:\n"
      "        condition: service_completed_successfully\n"
      "  c:\n    image: alpine:3\n");
  EXPECT_EQ(file.services[0].depends_on.size(), 2u);
  EXPECT_EQ(file.services[1].depends_on[0].condition, DependencyCondition::CompletedSuccessfully);
  EXPECT_CONTAINS(
      parse_error("services:\n  a:\n    image: alpine:3\n    depends_on: [ghost]\n"),
      "compose.yaml:2: service 'a': depends on 'ghost', which is not a service of this file");
  EXPECT_CONTAINS(parse_error("services:\n  a:\n    image: alpine:3\n    depends_on: [b]\n"
                              "  b:\n    image: alpine:3\n    depends_on: [c]\n"
                              "  c:\n    image: alpine:3\n    depends_on: [a]\n"),
                  "depends_on forms a cycle: a -> b -> c -> a");
  EXPECT_CONTAINS(parse_error("services:\n  a:\n    image: alpine:3\n    depends_on: [a]\n"),
                  "cycle: a -> a");
  EXPECT_CONTAINS(parse_error(service("depends_on: {b: {condition: started}}")),
                  "must be service_started");
}

TEST(ComposeService, ProcessAndSecuritySettings) {
  auto s = parse_service(
      "user: \"1000:1000\"\nworking_dir: /app\nprivileged: true\nread_only: true\n"
      "init: true\ncap_add: [net_admin, CAP_NET_ADMIN]\ncap_drop: [ALL]\n"
      "security_opt: [\"no-new-privileges:true\"]\nrestart: on-failure:3\n"
      "stop_grace_period: 1m30.5s\npid: host\nipc: shareable\n"
      "sysctls: [net.core.somaxconn=1024]\ndevices: [/dev/fuse]\n"
      "tmpfs: [/run, /tmp]\nlabels: {team: web}");
  const auto& spec = s.spec;
  EXPECT_EQ(spec.user, "1000:1000");
  EXPECT_EQ(spec.workdir, "/app");
  EXPECT_TRUE(spec.privileged);
  EXPECT_TRUE(spec.read_only_rootfs);
  EXPECT_TRUE(spec.init);
  EXPECT_EQ(spec.cap_add, (std::vector<std::string>{"NET_ADMIN"}));
  EXPECT_EQ(spec.cap_drop, (std::vector<std::string>{"ALL"}));
  EXPECT_EQ(spec.security_opt, (std::vector<std::string>{"no-new-privileges=true"}));
  EXPECT_EQ(spec.restart.name, "on-failure");
  EXPECT_EQ(spec.restart.maximum_retry_count, 3);
  EXPECT_EQ(spec.stop_timeout_s, 91);
  EXPECT_EQ(spec.pid_mode, "host");
  EXPECT_EQ(spec.ipc_mode, "shareable");
  EXPECT_EQ(spec.sysctls.at("net.core.somaxconn"), "1024");
  EXPECT_EQ(spec.devices, (std::vector<std::string>{"/dev/fuse:/dev/fuse:rwm"}));
  ASSERT_EQ(spec.mounts.size(), 2u);
  EXPECT_EQ(spec.mounts[1].type, MountType::Tmpfs);
  EXPECT_EQ(spec.labels.at("team"), "web");
  EXPECT_EQ(parse_service("tmpfs: /run").spec.mounts.size(), 1u);
  EXPECT_CONTAINS(parse_error(service("cap_add: [fly]")), "'cap_add[0]'");
  EXPECT_CONTAINS(parse_error(service("privileged: maybe")),
                  "'privileged' must be true or false, got 'maybe'");
  EXPECT_CONTAINS(parse_error(service("working_dir: app")), "must be an absolute path");
  EXPECT_CONTAINS(parse_error(service("tmpfs: [\"/run:size=64m\"]")), "tmpfs options");
  EXPECT_CONTAINS(parse_error(service("devices: [\"/dev/../etc\"]")), "'devices[0]'");
}

TEST(ComposeService, Limits) {
  auto s = parse_service("deploy:\n  resources:\n    limits: {memory: 1g, cpus: '0.5', pids: 100}");
  EXPECT_EQ(s.spec.memory_bytes, 1024 * 1024 * 1024);
  EXPECT_EQ(s.spec.nano_cpus, 500'000'000);
  EXPECT_EQ(s.spec.pids_limit, 100);
  s = parse_service("mem_limit: 268435456\ncpus: 1.5\npids_limit: -1");
  EXPECT_EQ(s.spec.memory_bytes, 268435456);
  EXPECT_EQ(s.spec.nano_cpus, 1'500'000'000);
  EXPECT_EQ(s.spec.pids_limit, 0);
  EXPECT_CONTAINS(
      parse_error(service("deploy: {replicas: 2}")),
      "service 's': deploy: key 'replicas' is not supported by dockgate (supported: resources)");
  EXPECT_CONTAINS(parse_error(service("deploy: {resources: {reservations: {memory: 1g}}}")),
                  "key 'reservations' is not supported");
  EXPECT_CONTAINS(
      parse_error(service("mem_limit: 1g\ndeploy: {resources: {limits: {memory: 1g}}}")),
      "'mem_limit' is also set in deploy.resources.limits");
  EXPECT_CONTAINS(parse_error(service("pids_limit: lots")), "'pids_limit' must be a whole number");
}

TEST(ComposeService, Healthcheck) {
  auto s = parse_service("healthcheck:\n  test: curl -f http://localhost/\n  start_period: 10s");
  EXPECT_EQ(s.spec.healthcheck->test,
            (std::vector<std::string>{"CMD-SHELL", "curl -f http://localhost/"}));
  EXPECT_EQ(s.spec.healthcheck->start_period_ns, 10'000'000'000);
  s = parse_service("healthcheck: {disable: true}");
  EXPECT_EQ(s.spec.healthcheck->test, (std::vector<std::string>{"NONE"}));
  EXPECT_CONTAINS(parse_error(service("healthcheck: {test: [\"CMD\"]}")),
                  "needs a command after CMD");
  EXPECT_CONTAINS(parse_error(service("healthcheck: {interval: 5s}")), "'test' is required");
  EXPECT_CONTAINS(parse_error(service("healthcheck: {test: [curl], interval: 5s}")),
                  "must start with");
  EXPECT_CONTAINS(parse_error(service("healthcheck: {test: x, interval: soon}")),
                  "'healthcheck.interval'");
}

TEST(ComposeService, LabelsReservedForDockgateAndCompose) {
  auto s = parse_service("labels: [\"a.b=c\", d]");
  EXPECT_EQ(s.spec.labels, (std::map<std::string, std::string>{{"a.b", "c"}, {"d", ""}}));
  EXPECT_CONTAINS(
      parse_error(service("labels: {dockgate.owner: mallory}")),
      "label 'dockgate.owner': labels starting with 'dockgate.' are reserved for dockgate");
  EXPECT_CONTAINS(parse_error(service("labels: [\"COM.DOCKER.COMPOSE.project=other\"]")),
                  "reserved for Compose");
  EXPECT_CONTAINS(parse_error(service("", "networks:\n  n:\n    labels: [dockgate.x=1]\n")),
                  "reserved for dockgate");
}

TEST(ComposeService, Secrets) {
  auto s = parse_service(
      "secrets: [db_password, {source: api}]",
      "secrets:\n  db_password:\n    external: true\n  api:\n    name: api-key.txt\n");
  EXPECT_EQ(s.spec.secrets, (std::vector<std::string>{"db_password", "api-key.txt"}));
  EXPECT_CONTAINS(parse_error(service("secrets: [nope]")),
                  "secret 'nope' is not declared in the top-level 'secrets'");
  EXPECT_CONTAINS(parse_error(service("", "secrets:\n  k:\n    file: ./k.txt\n")),
                  "compose.yaml:6: secret 'k': 'file' is not supported: dockgate serves secrets "
                  "from its secrets folder");
  EXPECT_CONTAINS(parse_error(service("", "secrets:\n  k:\n    environment: K\n")),
                  "'environment' is not supported");
  EXPECT_CONTAINS(parse_error(service("", "secrets:\n  k: {}\n")), "say where it comes from");
  EXPECT_CONTAINS(parse_error(service("secrets: [{source: k, target: /etc/k}]",
                                      "secrets:\n  k:\n    external: true\n")),
                  "key 'target' is not supported");
}

TEST(ComposeService, ContainerNameIsRefused) {
  EXPECT_CONTAINS(parse_error(service("container_name: web")),
                  "compose.yaml:4: service 's': key 'container_name' is not supported by dockgate");
}

// ------------------------------------------------------------------- keys, types and YAML

TEST(ComposeFile, UnknownKeysNameTheirLine) {
  const std::string message = parse_error(service("image_pull: always\nfoo: 1"));
  EXPECT_CONTAINS(message,
                  "compose.yaml:4: service 's': key 'image_pull' is not supported by dockgate "
                  "(supported: image, build,");
  EXPECT_CONTAINS(parse_error("services:\n  a:\n    image: alpine:3\nconfigs: {}\n"),
                  "compose.yaml:4: top level: key 'configs' is not supported by dockgate");
  // Extensions and `version` are accepted and ignored, as Compose does.
  const auto file = parse_ok(
      "version: '3.8'\nx-common: &common\n  image: alpine:3\n  init: true\n"
      "services:\n  a:\n    <<: *common\n    x-note: hi\n    init: false\n");
  EXPECT_EQ(file.services[0].spec.image.full(), "docker.io/library/alpine:3");
  EXPECT_FALSE(file.services[0].spec.init);  // the map's own key wins over the merged one
  EXPECT_CONTAINS(parse_error(service("init: true\ninit: false")), "key 'init' appears twice");
}

TEST(ComposeFile, BrokenYamlNamesLineAndColumn) {
  EXPECT_CONTAINS(parse_error("services:\n  a:\n    image: [alpine\n"), "compose.yaml:4:1: ");
  EXPECT_CONTAINS(parse_error("services: {a: {image: \"x}}\n"), "compose.yaml:2:1: ");
  EXPECT_CONTAINS(parse_error("- a\n- b\n"), "must be a map with 'services'");
  EXPECT_CONTAINS(parse_error(""), "must be a map");
  EXPECT_CONTAINS(parse_error("name: x\n"), "has no services");
  EXPECT_CONTAINS(parse_error("services: []\n"), "'services' must be a map");
}

TEST(ComposeFile, WrongTypes) {
  EXPECT_CONTAINS(parse_error(service("volumes: /data")),
                  "compose.yaml:4: service 's': 'volumes' must be a list");
  EXPECT_CONTAINS(parse_error(service("environment: 5")), "'environment' must be a map or a list");
  EXPECT_CONTAINS(parse_error("services:\n  s:\n    image: [a]\n"),
                  "compose.yaml:3: service 's': 'image' must be a string");
  EXPECT_CONTAINS(parse_error(service("healthcheck: {retries: many, test: x}")),
                  "'healthcheck.retries' must be a whole number");
  EXPECT_CONTAINS(parse_error(service("networks: front")),
                  "'networks' must be a list of networks or a map");
}

// ---------------------------------------------------------------------- interpolation, .env

TEST(ComposeInterpolation, Forms) {
  const std::map<std::string, std::string> v = {{"SET", "x"}, {"EMPTY", ""}};
  auto expect = [&](const std::string& in, const std::string& out) {
    auto result = interpolate(in, v);
    ASSERT_TRUE(result.ok()) << in << ": " << result.error().message;
    EXPECT_EQ(*result, out) << in;
  };
  expect("a ${SET} $SET b", "a x x b");
  expect("$$SET and $${SET}", "$SET and ${SET}");
  expect("${UNSET}|$UNSET|", "||");
  expect("${UNSET:-d} ${EMPTY:-d} ${EMPTY-d} ${UNSET-d}", "d d  d");
  expect("${SET:+alt} ${EMPTY:+alt} ${EMPTY+alt} ${UNSET+alt}", "alt  alt ");
  expect("${UNSET:-${SET}-y}", "x-y");
  expect("${SET:?never}", "x");
  expect("${EMPTY?}x", "x");  // set, though empty
  expect("$SET.txt ${SET}_1", "x.txt x_1");
  auto error = [&](const std::string& in, const std::string& part) {
    auto result = interpolate(in, v);
    ASSERT_FALSE(result.ok()) << in;
    EXPECT_CONTAINS(result.error().message, part);
  };
  error("${UNSET?must be set}", "variable UNSET: must be set");
  error("${EMPTY:?}", "variable EMPTY: is required and must not be empty");
  error("${SET", "without a closing '}'");
  error("${1X}", "malformed variable reference");
  error("${SET:x}", "malformed variable reference");
  error("cost $5", "write '$$'");
  error(std::string(40, '$').substr(1) + "{", "");
  std::string nested = "x";
  for (int i = 0; i < 100; ++i) nested = "${U:-" + nested + "}";
  error(nested, "nested more than");
}

TEST(ComposeInterpolation, AppliesToValuesBeforeTypes) {
  auto s =
      parse_service("ports: [\"${PORT:-8080}:80\"]\nprivileged: ${PRIV}\nenvironment: [PRICE=$$5]",
                    "", {{"PRIV", "false"}});
  EXPECT_EQ(s.spec.ports[0].host_port, 8080);
  EXPECT_FALSE(s.spec.privileged);
  EXPECT_EQ(s.spec.env, (std::vector<std::string>{"PRICE=$5"}));
  EXPECT_CONTAINS(parse_error("services:\n  s:\n\n    image: ${IMAGE?set IMAGE}\n"),
                  "compose.yaml:4: variable IMAGE: set IMAGE");
}

TEST(ComposeDotenv, Parses) {
  auto env = parse_dotenv(
      "# comment\n\nexport A=1\nB = two words # note\nC='single # kept $X'\n"
      "D=\"line\\nnext \\\"q\\\"\"\nE=\nF=\"multi\nline\"\r\nG=a#b\n",
      ".env");
  ASSERT_TRUE(env.ok()) << env.error().message;
  EXPECT_EQ(env->at("A"), "1");
  EXPECT_EQ(env->at("B"), "two words");
  EXPECT_EQ(env->at("C"), "single # kept $X");
  EXPECT_EQ(env->at("D"), "line\nnext \"q\"");
  EXPECT_EQ(env->at("E"), "");
  EXPECT_EQ(env->at("F"), "multi\nline");
  EXPECT_EQ(env->at("G"), "a#b");
  auto bad = parse_dotenv("A=1\nnot a line\n", ".env");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, ".env:2: expected KEY=value, got 'not a line'");
  bad = parse_dotenv("A=\"open\n", ".env");
  ASSERT_FALSE(bad.ok());
  EXPECT_CONTAINS(bad.error().message, ".env:1: the value of A has no closing \"");
  bad = parse_dotenv("1A=x\n", ".env");
  EXPECT_FALSE(bad.ok());
}

// ------------------------------------------------------------------------ limits, hostility

TEST(ComposeLimits, Refused) {
  std::string many = "services:\n";
  for (int i = 0; i < 101; ++i) many += "  s" + std::to_string(i) + ":\n    image: alpine:3\n";
  EXPECT_CONTAINS(parse_error(many), "the file has 101 services (at most 100)");

  std::string big = service("labels:\n  a: '" + std::string((1u << 20), 'x') + "'");
  EXPECT_CONTAINS(parse_error(big), "a compose file may be at most 1 MiB");

  std::string deep = "services:\n  s:\n    image: alpine:3\n    labels: {x-deep: ";
  for (int i = 0; i < 40; ++i) deep += "[";
  for (int i = 0; i < 40; ++i) deep += "]";
  EXPECT_CONTAINS(parse_error(deep + "}\n"), "nests deeper than 32 levels");

  std::string very_deep(100000, '[');
  EXPECT_FALSE(parse_compose(very_deep, options()).ok());  // yaml-cpp's own guard, no crash

  std::string bomb =
      "x-a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  const char* previous = "a";
  const char* names[] = {"b", "c", "d", "e", "f", "g", "h", "i"};
  for (const char* name : names) {
    bomb += std::string("x-") + name + ": &" + name + " [";
    for (int i = 0; i < 9; ++i) bomb += std::string(i ? "," : "") + "*" + previous;
    bomb += "]\n";
    previous = name;
  }
  EXPECT_CONTAINS(parse_error(bomb + "services:\n  s:\n    image: alpine:3\n"),
                  "more than 100000 YAML nodes");

  std::string env = "environment:\n";
  for (int i = 0; i < 129; ++i) env += "  - V" + std::to_string(i) + "=1\n";
  EXPECT_CONTAINS(parse_error(service(env)), "more than 128 entries");
}

TEST(ComposeLimits, HostileValues) {
  EXPECT_CONTAINS(parse_error(service("environment: [\"A=x\\0y\"]")),
                  "must not contain NUL characters");
  EXPECT_CONTAINS(parse_error(std::string("services:\n  s:\n    image: alpine:3\n    user: \"a") +
                              '\0' + "b\"\n"),
                  "compose.yaml");
  EXPECT_CONTAINS(parse_error("services:\n  web/evil:\n    image: alpine:3\n"),
                  "compose.yaml:2: service name 'web/evil' is not valid");
  EXPECT_CONTAINS(parse_error("services:\n  ../x:\n    image: alpine:3\n"), "is not valid");
  // "../" climbs resolve lexically to an absolute, normal path (never above "/").
  auto s = parse_service("volumes: [\"../../../../../etc:/host-etc\"]");
  EXPECT_EQ(s.spec.mounts[0].source, "/etc");
  auto b = parse_ok("services:\n  a:\n    build: ../../../..\n");
  EXPECT_EQ(b.services[0].build->context, "/");
  EXPECT_CONTAINS(parse_error(service("env_file: ../../etc/shadow")),
                  "env_file '../../etc/shadow'");
}

}  // namespace
}  // namespace dockgate::compose
