// Table-driven tests of the normalizers: each function with forms that parse (and what they
// normalize to) and forms that are refused (wrong form, oversized, hostile), checking that the
// error says what was wrong.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "actions/normalize.hpp"

namespace dockgate::actions {
namespace {

struct Refused {
  std::string input;
  std::string message_part;  // must appear in the error
};

template <typename Parse>
void expect_refused(Parse parse, const std::vector<Refused>& cases) {
  for (const auto& c : cases) {
    auto result = parse(c.input);
    ASSERT_FALSE(result.ok()) << "accepted: " << c.input;
    EXPECT_NE(result.error().message.find(c.message_part), std::string::npos)
        << "input: " << c.input << "\nmessage: " << result.error().message
        << "\nexpected to contain: " << c.message_part;
  }
}

const std::string kHex64(64, 'a');
const std::string kDigest = "sha256:" + std::string(64, 'b');

// ---------------------------------------------------------------------------------- images

TEST(NormalizeImage, NormalizesLikeDistributionReference) {
  struct Case {
    std::string input, registry, repository, tag, digest;
    bool implicit;
  };
  const std::vector<Case> cases = {
      {"nginx", "docker.io", "library/nginx", "latest", "", true},
      {"postgres:13", "docker.io", "library/postgres", "13", "", false},
      {"docker.io/foo", "docker.io", "library/foo", "latest", "", true},
      {"index.docker.io/foo/bar:1", "docker.io", "foo/bar", "1", "", false},
      {"team/app:v1.2-rc_3", "docker.io", "team/app", "v1.2-rc_3", "", false},
      {"localhost/foo", "localhost", "foo", "latest", "", true},
      {"localhost:5000/a/b:1", "localhost:5000", "a/b", "1", "", false},
      {"127.0.0.1:5000/dockgate-test/busybox:1", "127.0.0.1:5000", "dockgate-test/busybox", "1", "",
       false},
      {"[::1]:5000/x", "[::1]:5000", "x", "latest", "", true},
      {"registry-1.docker.io/x", "registry-1.docker.io", "x", "latest", "", true},
      {"Registry.Example.com/a", "Registry.Example.com", "a", "latest", "", true},
      {"a__b.c-d---e", "docker.io", "library/a__b.c-d---e", "latest", "", true},
      {"app@" + kDigest, "docker.io", "library/app", "", kDigest, false},
      {"app:1.0@" + kDigest, "docker.io", "library/app", "1.0", kDigest, false},
  };
  for (const auto& c : cases) {
    auto ref = parse_image_reference(c.input);
    ASSERT_TRUE(ref.ok()) << c.input << ": " << ref.error().message;
    EXPECT_EQ(ref->registry, c.registry) << c.input;
    EXPECT_EQ(ref->repository, c.repository) << c.input;
    EXPECT_EQ(ref->tag, c.tag) << c.input;
    EXPECT_EQ(ref->digest, c.digest) << c.input;
    EXPECT_EQ(ref->implicit_tag, c.implicit) << c.input;
  }
}

TEST(NormalizeImage, FullAndFamiliarForms) {
  auto ref = parse_image_reference("postgres:13");
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(ref->full(), "docker.io/library/postgres:13");
  EXPECT_EQ(ref->familiar(), "postgres:13");
  auto nested = parse_image_reference("library/a/b:1");
  ASSERT_TRUE(nested.ok());
  EXPECT_EQ(nested->familiar(), "library/a/b:1");  // "a/b:1" would be another repository
  auto both = parse_image_reference("team/app:1@" + kDigest);
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->full(), "docker.io/team/app:1@" + kDigest);
  auto local = parse_image_reference("127.0.0.1:5000/x:2");
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(local->familiar(), "127.0.0.1:5000/x:2");
  // The familiar form parses back to the same full form.
  auto host_like = parse_image_reference("docker.io/x.y/z");
  ASSERT_TRUE(host_like.ok());
  EXPECT_EQ(host_like->familiar(), "docker.io/x.y/z:latest");  // "x.y/z" names registry x.y
  const std::vector<std::string> round_trip = {
      "nginx",           "team/app:1",
      "library/a/b",     "docker.io/localhost/x",
      "docker.io/a.b/c", "localhost/x@sha256:" + std::string(64, 'c')};
  for (const auto& text : round_trip) {
    auto first = parse_image_reference(text);
    ASSERT_TRUE(first.ok()) << text;
    auto again = parse_image_reference(first->familiar());
    ASSERT_TRUE(again.ok()) << first->familiar();
    EXPECT_EQ(again->full(), first->full());
  }
}

TEST(NormalizeImage, RefusesBadReferences) {
  expect_refused(parse_image_reference, {
                                            {"", "empty"},
                                            {"Nginx", "repository name must be lowercase"},
                                            {"team/App:1", "repository name must be lowercase"},
                                            {"http://registry/x", "without a URL scheme"},
                                            {"nginx latest", "whitespace"},
                                            {"nginx\n", "whitespace or control"},
                                            {kHex64, "image ID"},
                                            {"a:", "tag ''"},
                                            {"a:-x", "tag '-x'"},
                                            {"a:" + std::string(129, 't'), "up to 128"},
                                            {":tag", "repository name is missing"},
                                            {"a___b", "path component"},
                                            {"a.-b", "path component"},
                                            {"a//b", "path component ''"},
                                            {"-a/b", "path component"},
                                            {"a@sha256:abc", "64 lower-case hex"},
                                            {"a@sha256:" + std::string(64, 'B'), "lower-case hex"},
                                            {"a@md5:" + std::string(32, 'a'), "not supported"},
                                            {"a@b@" + kDigest, "'@'"},
                                            {"a@" + std::string(64, 'b'), "algorithm:hex"},
                                            {"foo:tag/bar", "registry 'foo:tag'"},
                                            {"-bad.com/x", "registry"},
                                            {std::string(250, 'a') + "/b/c", "longer than 255"},
                                            {std::string(600, 'a'), "longer than 520"},
                                        });
}

// ----------------------------------------------------------------------------------- ports

TEST(NormalizePorts, ParsesEveryDockerForm) {
  struct Case {
    std::string input;
    std::string host_ip;
    std::uint16_t host_port, container_port;
    std::string protocol;
    std::size_t count;
  };
  const std::vector<Case> cases = {
      {"80", "", 0, 80, "tcp", 1},
      {"8080:80", "", 8080, 80, "tcp", 1},
      {"127.0.0.1:8080:80", "127.0.0.1", 8080, 80, "tcp", 1},
      {"127.0.0.1::80", "127.0.0.1", 0, 80, "tcp", 1},
      {"[::1]:8080:80", "::1", 8080, 80, "tcp", 1},
      {"[::1]::80", "::1", 0, 80, "tcp", 1},
      {"[0:0::1]:1:1", "::1", 1, 1, "tcp", 1},
      {"::1:8080:80", "::1", 8080, 80, "tcp", 1},
      {"8080:80/udp", "", 8080, 80, "udp", 1},
      {"80/sctp", "", 0, 80, "sctp", 1},
      {"80/TCP", "", 0, 80, "tcp", 1},
      {":80", "", 0, 80, "tcp", 1},
      {"000080", "", 0, 80, "tcp", 1},
      {"65535:65535", "", 65535, 65535, "tcp", 1},
      {"8000-8001:8000-8001", "", 8000, 8000, "tcp", 2},
      {"9000-9001:80-81/udp", "", 9000, 80, "udp", 2},
      {"8000-8010", "", 0, 8000, "tcp", 11},
      {"1-1024", "", 0, 1, "tcp", 1024},
  };
  for (const auto& c : cases) {
    auto bindings = parse_port_spec(c.input);
    ASSERT_TRUE(bindings.ok()) << c.input << ": " << bindings.error().message;
    ASSERT_EQ(bindings->size(), c.count) << c.input;
    const auto& first = bindings->front();
    EXPECT_EQ(first.host_ip, c.host_ip) << c.input;
    EXPECT_EQ(first.host_port, c.host_port) << c.input;
    EXPECT_EQ(first.container_port, c.container_port) << c.input;
    EXPECT_EQ(first.protocol, c.protocol) << c.input;
  }
  auto range = parse_port_spec("127.0.0.1:9000-9001:80-81/udp");
  ASSERT_TRUE(range.ok());
  EXPECT_EQ((*range)[1].host_ip, "127.0.0.1");
  EXPECT_EQ((*range)[1].host_port, 9001);
  EXPECT_EQ((*range)[1].container_port, 81);
  EXPECT_EQ((*range)[1].protocol, "udp");
}

TEST(NormalizePorts, RefusesBadSpecs) {
  expect_refused(parse_port_spec,
                 {
                     {"", "empty"},
                     {"99999:80", "port 99999 is out of range 1-65535 in '99999:80'"},
                     {"80:99999", "port 99999 is out of range"},
                     {"65536", "out of range"},
                     {"0:80", "port 0 is out of range"},
                     {"0", "port 0 is out of range"},
                     {"-1:80", "host port '-1' in '-1:80' is not a port number"},
                     {"80:80:80:80", "host address '80:80' in '80:80:80:80' is not an IPv4"},
                     {"abc", "container port 'abc'"},
                     {"8080:abc", "container port 'abc'"},
                     {"8080:80/http", "protocol 'http' in '8080:80/http' is not supported"},
                     {"80/", "protocol ''"},
                     {"80/tcp/udp", "protocol 'tcp/udp'"},
                     {"8080:", "no container port"},
                     {"/tcp", "no container port"},
                     {"1.2.3.04:1:1", "not an IPv4 or IPv6"},
                     {"localhost:8080:80", "not an IPv4 or IPv6"},
                     {"[::1:80:80", "unclosed '['"},
                     {"fe80::1%eth0:80:80", "not an IPv4 or IPv6"},
                     {"::80", "empty host address"},
                     {"8000-8010:80", "single container port is not supported"},
                     {"8000-8001:80-82", "differ in length"},
                     {"8001-8000", "ends before it starts"},
                     {"8000-:80", "not a port number or range"},
                     {"1-2-3", "not a port number or range"},
                     {"+80", "not a port number"},
                     {"1-2000", "at most 1024"},
                     {"1-65535:1-65535", "at most 1024"},
                     {"80 ", "whitespace"},
                     {"80\n", "whitespace or control"},
                     {std::string(200, '1'), "longer than 128"},
                     {"99999999999999999999999", "out of range"},
                 });
}

// --------------------------------------------------------------------------------- volumes

TEST(NormalizeVolumes, ParsesBindsVolumesAndAnonymous) {
  struct Case {
    std::string input;
    MountType type;
    std::string source, target;
    bool read_only;
    std::string propagation, relabel;
  };
  const std::vector<Case> cases = {
      {"name:/path", MountType::Volume, "name", "/path", false, "", ""},
      {"name:/path:ro", MountType::Volume, "name", "/path", true, "", ""},
      {"data_1.x-y:/path:rw,z", MountType::Volume, "data_1.x-y", "/path", false, "", "z"},
      {"etc:/x", MountType::Volume, "etc", "/x", false, "", ""},
      {"/host:/path", MountType::Bind, "/host", "/path", false, "", ""},
      {"/host:/path:ro,z", MountType::Bind, "/host", "/path", true, "", "z"},
      {"/host:/path:Z", MountType::Bind, "/host", "/path", false, "", "Z"},
      {"/h:/p:rshared", MountType::Bind, "/h", "/p", false, "rshared", ""},
      {"/h:/p:ro,rslave,Z", MountType::Bind, "/h", "/p", true, "rslave", "Z"},
      {"/:/host:ro", MountType::Bind, "/", "/host", true, "", ""},
      {"//h//a/./b/:/x//y/", MountType::Bind, "/h/a/b", "/x/y", false, "", ""},
      {"/path", MountType::Volume, "", "/path", false, "", ""},
  };
  for (const auto& c : cases) {
    auto mount = parse_volume_spec(c.input);
    ASSERT_TRUE(mount.ok()) << c.input << ": " << mount.error().message;
    EXPECT_EQ(mount->type, c.type) << c.input;
    EXPECT_EQ(mount->source, c.source) << c.input;
    EXPECT_EQ(mount->target, c.target) << c.input;
    EXPECT_EQ(mount->read_only, c.read_only) << c.input;
    EXPECT_EQ(mount->propagation, c.propagation) << c.input;
    EXPECT_EQ(mount->selinux_relabel, c.relabel) << c.input;
  }
}

TEST(NormalizeVolumes, RefusesRelativeHostileAndUnknown) {
  expect_refused(parse_volume_spec, {
                                        {"", "empty"},
                                        {"../../etc:/x", "host paths must be absolute"},
                                        {"./data:/x", "host paths must be absolute"},
                                        {"~/x:/y", "host paths must be absolute"},
                                        {"etc/passwd:/x", "host paths must be absolute"},
                                        {"/h/../etc:/x", "'..' segment"},
                                        {"/h:/x/../y", "'..' segment"},
                                        {"/h:/", "is '/'"},
                                        {"/h://.", "is '/'"},
                                        {"n1:rel", "must be an absolute path"},
                                        {"rel", "must be an absolute path"},
                                        {"a:/x", "volume name 'a'"},
                                        {"-x:/p", "volume name '-x'"},
                                        {"n@me:/p", "volume name"},
                                        {"n1:/p:rshared", "only to host-path binds"},
                                        {"/h:/p:ro,rw", "same kind of option twice"},
                                        {"/h:/p:z,Z", "same kind of option twice"},
                                        {"/h:/p:shared,slave", "same kind of option twice"},
                                        {"/h:/p:bogus", "mode 'bogus'"},
                                        {"/h:/p:ro,", "mode ''"},
                                        {"/h:/p:nocopy", "nocopy"},
                                        {"/p:ro", "mode without a container path"},
                                        {"a:b:c:d", "too many ':'"},
                                        {"/h::/p", "empty part"},
                                        {"/h:/p\n", "control characters"},
                                        {std::string("/h\0x:/p", 7), "control characters"},
                                        {"/" + std::string(5000, 'a') + ":/p", "longer than 4096"},
                                        {std::string(300, 'v') + ":/p", "volume name"},
                                        {std::string(10000, '/'), "longer than"},
                                    });
}

// ----------------------------------------------------------------------------------- units

TEST(NormalizeUnits, MemoryLikeRamInBytes) {
  const std::vector<std::pair<std::string, std::int64_t>> cases = {
      {"512m", 512LL << 20},
      {"512mb", 512LL << 20},
      {"512MiB", 512LL << 20},
      {"1g", 1LL << 30},
      {"1G", 1LL << 30},
      {"1.5g", 3LL << 29},
      {"1024k", 1LL << 20},
      {"1048576", 1048576},
      {"10b", 10},
      {"7p", 7LL << 50},
      {"2t", 2LL << 40},
      {"0.5k", 512},
      {"9223372036854775807", INT64_MAX},
  };
  for (const auto& [input, bytes] : cases) {
    auto parsed = parse_memory_bytes(input);
    ASSERT_TRUE(parsed.ok()) << input << ": " << parsed.error().message;
    EXPECT_EQ(*parsed, bytes) << input;
  }
  expect_refused(parse_memory_bytes,
                 {
                     {"lots",
                      "memory 'lots' is not a size: use a number with an optional unit "
                      "b, k, m or g"},
                     {"", "empty"},
                     {"-1m", "is not a size"},
                     {"1x", "unit 'x'"},
                     {"1kbb", "unit 'kbb'"},
                     {"1e3", "unit 'e3'"},
                     {"512 m", "is not a size"},
                     {".5g", "is not a size"},
                     {"0", "zero bytes"},
                     {"9223372036854775808", "too large"},
                     {"8192p", "too large"},
                     {"99999999999999999999999g", "too large"},
                     {std::string(100, '9'), "too long"},
                 });
}

TEST(NormalizeUnits, CpusLikeNanoCpus) {
  const std::vector<std::pair<std::string, std::int64_t>> cases = {
      {"0.5", 500000000}, {"2", 2000000000},    {"1.000000001", 1000000001},
      {"0.000000001", 1}, {"1.25", 1250000000}, {"9223372036", 9223372036000000000},
  };
  for (const auto& [input, nano] : cases) {
    auto parsed = parse_nano_cpus(input);
    ASSERT_TRUE(parsed.ok()) << input << ": " << parsed.error().message;
    EXPECT_EQ(*parsed, nano) << input;
  }
  expect_refused(parse_nano_cpus, {
                                      {"lots", "not a number"},
                                      {"-1", "not a number"},
                                      {"0", "more than 0"},
                                      {"0.0", "more than 0"},
                                      {"", "empty"},
                                      {"1/2", "not a number"},
                                      {"1e3", "not a number"},
                                      {"1.0000000001", "too precise"},
                                      {"9223372037", "too large"},
                                      {std::string(100, '1'), "too long"},
                                  });
}

TEST(NormalizeUnits, DurationsLikeGo) {
  const std::vector<std::pair<std::string, std::int64_t>> cases = {
      {"5s", 5'000'000'000},
      {"1m30s", 90'000'000'000},
      {"500ms", 500'000'000},
      {"2h", 7'200'000'000'000},
      {"1.5s", 1'500'000'000},
      {"1us", 1'000},
      {"1\xC2\xB5s", 1'000},
      {"1\xCE\xBCs", 1'000},
      {"10ns", 10},
      {"0s", 0},
      {".5s", 500'000'000},
      {"1h1h", 7'200'000'000'000},
      {"9223372036854775807ns", INT64_MAX},
  };
  for (const auto& [input, ns] : cases) {
    auto parsed = parse_duration_ns(input);
    ASSERT_TRUE(parsed.ok()) << input << ": " << parsed.error().message;
    EXPECT_EQ(*parsed, ns) << input;
  }
  expect_refused(parse_duration_ns, {
                                        {"5", "missing unit: use e.g. 5s"},
                                        {"0", "missing unit"},
                                        {"", "empty"},
                                        {"-5s", "sign"},
                                        {"+5s", "sign"},
                                        {"1x", "unknown unit 'x'"},
                                        {"5s5", "missing unit"},
                                        {".s", "not a duration"},
                                        {"1.2.3s", "not a duration"},
                                        {"5 s", "unknown unit"},
                                        {"2562048h", "too large"},
                                        {"9223372036854775808ns", "too large"},
                                        {"99999999999999999999s", "too large"},
                                        {std::string(100, '1') + "s", "too long"},
                                    });
}

}  // namespace
}  // namespace dockgate::actions
