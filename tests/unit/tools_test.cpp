#include <gtest/gtest.h>

#include <set>

#include "tools/argument_schema.hpp"
#include "tools/inspect_format.hpp"
#include "tools/list_filters.hpp"
#include "tools/text_table.hpp"
#include "tools/tool.hpp"

namespace dockgate::tools {
namespace {

using nlohmann::json;

const ToolRegistry& registry() {
  static const ToolRegistry tools = ToolRegistry::with_builtin_tools();
  return tools;
}

Result<actions::Action> plan(std::string_view tool, const json& arguments) {
  const Tool* t = registry().find(tool);
  EXPECT_NE(t, nullptr) << tool;
  return plan_call(*t, arguments);
}

std::string error_of(std::string_view tool, const json& arguments) {
  auto action = plan(tool, arguments);
  EXPECT_FALSE(action.ok()) << "expected " << tool << " to refuse " << arguments.dump();
  return action.ok() ? "" : action.error().message;
}

TEST(ToolRegistry, EveryToolHasAClosedObjectSchemaAndAUniqueName) {
  std::set<std::string> names;
  for (const auto& tool : registry().all()) {
    EXPECT_TRUE(names.insert(tool->definition().name).second) << tool->definition().name;
    EXPECT_EQ(tool->definition().input_schema["type"], "object");
    EXPECT_EQ(tool->definition().input_schema["additionalProperties"], false);
    EXPECT_FALSE(tool->definition().description.empty());
  }
  for (const char* read_only : {"docker_ps", "docker_images", "docker_inspect"}) {
    ASSERT_NE(registry().find(read_only), nullptr) << read_only;
    EXPECT_TRUE(registry().find(read_only)->definition().read_only) << read_only;
  }
  EXPECT_EQ(registry().find("docker_nope"), nullptr);
}

TEST(PsTool, PlansAListWithAllAndFilters) {
  auto action = plan("docker_ps", {{"all", true}, {"filter", {"status=exited", "label=app=web"}}});
  ASSERT_TRUE(action.ok()) << action.error().message;
  const auto& list = std::get<actions::ListContainers>(*action);
  EXPECT_TRUE(list.all);
  EXPECT_EQ(list.filters.at("status"), std::vector<std::string>{"exited"});
  EXPECT_EQ(list.filters.at("label"), std::vector<std::string>{"app=web"});
}

TEST(PsTool, NoArgumentsMeansRunningContainersWithoutFilters) {
  auto action = plan("docker_ps", json::object());
  ASSERT_TRUE(action.ok());
  EXPECT_FALSE(std::get<actions::ListContainers>(*action).all);
  EXPECT_TRUE(std::get<actions::ListContainers>(*action).filters.empty());
}

TEST(PsTool, WrongTypesAreRefusedNamingTheArgument) {
  EXPECT_EQ(error_of("docker_ps", {{"all", "yes"}}),
            "docker_ps: argument 'all' must be a boolean, got a string \"yes\"");
  EXPECT_NE(
      error_of("docker_ps", {{"filter", 3}}).find("argument 'filter' must be a string or a list"),
      std::string::npos);
  EXPECT_NE(error_of("docker_ps", {{"filter", {"status=exited", 7}}})
                .find("argument 'filter[1]' must be a string"),
            std::string::npos);
  EXPECT_EQ(error_of("docker_ps", json::array()),
            "docker_ps: arguments must be an object, got a list []");
}

TEST(PsTool, UnknownArgumentIsRefusedListingTheAcceptedOnes) {
  EXPECT_EQ(error_of("docker_ps", {{"quiet", true}}),
            "docker_ps: unknown argument 'quiet' (accepted: all, filter)");
}

TEST(PsTool, MalformedOrUnknownFiltersAreRefused) {
  EXPECT_NE(error_of("docker_ps", {{"filter", "status"}}).find("must look like key=value"),
            std::string::npos);
  EXPECT_NE(error_of("docker_ps", {{"filter", "=xy"}}).find("must look like key=value"),
            std::string::npos);
  EXPECT_NE(error_of("docker_ps", {{"filter", "colour=red"}})
                .find("filter key 'colour' is not supported"),
            std::string::npos);
}

TEST(PsTool, OversizedValuesAreRefused) {
  EXPECT_NE(error_of("docker_ps", {{"filter", "name=" + std::string(10000, 'a')}}).find("too long"),
            std::string::npos);
  EXPECT_NE(
      error_of("docker_ps", {{"filter", json(std::vector<std::string>(100, "status=exited"))}})
          .find("at most 64"),
      std::string::npos);
}

TEST(PsTool, RendersADockerLikeTableAndStructuredContent) {
  const json engine =
      json::parse(R"([{"Id":"0123456789abcdef0123","Names":["/web"],"Image":"nginx:1.25",
    "Command":"nginx -g 'daemon off;'","Created":1000,"State":"running","Status":"Up 5 minutes",
    "Ports":[{"IP":"0.0.0.0","PrivatePort":80,"PublicPort":8080,"Type":"tcp"}],"Labels":null}])");
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1000 + 300));
  auto output = registry().find("docker_ps")->render(actions::ListContainers{}, engine, now);
  EXPECT_NE(output.text.find("CONTAINER ID"), std::string::npos);
  EXPECT_NE(output.text.find("0123456789ab"), std::string::npos);
  EXPECT_NE(output.text.find("0.0.0.0:8080->80/tcp"), std::string::npos);
  EXPECT_NE(output.text.find("5 minutes ago"), std::string::npos);
  EXPECT_NE(output.text.find("web"), std::string::npos);
  ASSERT_EQ(output.structured["containers"].size(), 1u);
  EXPECT_EQ(output.structured["containers"][0]["name"], "web");
  EXPECT_EQ(output.structured["containers"][0]["labels"], json::object());
}

TEST(PsTool, RenderingNeverThrowsOnOddEngineJson) {
  const auto now = std::chrono::system_clock::now();
  for (const char* odd : {"null", "{}", "[1, null, {\"Names\": 3, \"Ports\": [null]}]", "\"x\""}) {
    EXPECT_NO_THROW(
        registry().find("docker_ps")->render(actions::ListContainers{}, json::parse(odd), now));
    EXPECT_NO_THROW(
        registry().find("docker_images")->render(actions::ListImages{}, json::parse(odd), now));
  }
}

TEST(ImagesTool, RendersOneRowPerTagAndSplitsRegistryPorts) {
  const json engine = json::parse(R"([{"Id":"sha256:abcdef0123456789","RepoTags":
    ["127.0.0.1:5000/team/app:1.2","app:latest"],"Created":0,"Size":1985631}])");
  auto output =
      registry()
          .find("docker_images")
          ->render(actions::ListImages{}, engine, std::chrono::system_clock::time_point{});
  EXPECT_NE(output.text.find("127.0.0.1:5000/team/app   1.2"), std::string::npos) << output.text;
  EXPECT_NE(output.text.find("abcdef012345"), std::string::npos);
  EXPECT_NE(output.text.find("1.986MB"), std::string::npos);
  EXPECT_EQ(output.structured["images"][0]["repo_tags"].size(), 2u);
}

TEST(InspectTool, RequiresAnObjectAndChecksType) {
  EXPECT_EQ(error_of("docker_inspect", json::object()),
            "docker_inspect: missing required argument 'object'");
  EXPECT_NE(error_of("docker_inspect", {{"object", "web"}, {"type", "secret"}})
                .find("must be one of \"container\", \"image\", \"volume\", \"network\""),
            std::string::npos);
  EXPECT_NE(error_of("docker_inspect", {{"object", ""}}).find("must not be empty"),
            std::string::npos);
}

TEST(InspectTool, HostileObjectNamesAreRefused) {
  for (const char* hostile :
       {"../../containers/x", "web?x=1", "a b", "web/../../v1.41/info", "-rf", "web\nx"}) {
    EXPECT_NE(error_of("docker_inspect", {{"object", hostile}}).find("must be a name, id or image"),
              std::string::npos)
        << hostile;
  }
}

TEST(InspectTool, PlansAKindAndRefusesUnsupportedTemplatesEarly) {
  auto action =
      plan("docker_inspect", {{"object", "registry:5000/team/app:1.2"}, {"type", "image"}});
  ASSERT_TRUE(action.ok());
  EXPECT_EQ(std::get<actions::InspectObject>(*action).kind, actions::ObjectKind::Image);
  EXPECT_NE(error_of("docker_inspect", {{"object", "web"}, {"format", "{{range .Mounts}}x{{end}}"}})
                .find("is not supported"),
            std::string::npos);
}

TEST(InspectFormat, SupportsPathsAndJsonWithSurroundingText) {
  const json object =
      json::parse(R"({"State":{"Status":"running","Pid":42},"Config":{"Labels":{"a":"b"}}})");
  EXPECT_EQ(*apply_inspect_format("{{.State.Status}}", object), "running");
  EXPECT_EQ(*apply_inspect_format("pid={{ .State.Pid }}!", object), "pid=42!");
  EXPECT_EQ(*apply_inspect_format("{{json .Config.Labels}}", object), R"({"a":"b"})");
  EXPECT_EQ(*apply_inspect_format("{{.Missing.Key}}", object), "<no value>");
  EXPECT_EQ(*apply_inspect_format("{{json .}}", json::object()), "{}");
  EXPECT_FALSE(apply_inspect_format("{{.State", object).ok());
  EXPECT_EQ(*apply_inspect_format("{{index .Config.Labels \"a\"}}", object), "b");
}

TEST(InspectFormat, IndexesMapsByKeyAndListsByPosition) {
  const json object = json::parse(R"({
    "Config": {"Labels": {"com.example.x": "blue", "n": 3}, "Env": ["A=1", "B=2"]},
    "NetworkSettings": {"Networks": {"bridge": {"IPAddress": "172.17.0.2", "Aliases": null}}}
  })");
  EXPECT_EQ(*apply_inspect_format(R"({{index .Config.Labels "com.example.x"}})", object), "blue");
  EXPECT_EQ(*apply_inspect_format(R"(n={{ index .Config.Labels "n" }};)", object), "n=3;");
  EXPECT_EQ(*apply_inspect_format(R"({{index .Config.Labels "missing"}})", object), "<no value>");
  EXPECT_EQ(*apply_inspect_format(R"({{index .Missing.Map "k"}})", object), "<no value>");
  EXPECT_EQ(*apply_inspect_format("{{index .Config.Env 1}}", object), "B=2");
  EXPECT_EQ(*apply_inspect_format(R"({{json (index .NetworkSettings.Networks "bridge")}})", object),
            R"({"Aliases":null,"IPAddress":"172.17.0.2"})");
  EXPECT_EQ(*apply_inspect_format(R"({{json (index .Config.Labels "gone")}})", object), "null");
  EXPECT_EQ(
      *apply_inspect_format(R"({{(index .NetworkSettings.Networks "bridge").IPAddress}})", object),
      "172.17.0.2");
  EXPECT_EQ(*apply_inspect_format(R"({{(index .NetworkSettings.Networks "x").IPAddress}})", object),
            "<no value>");
  EXPECT_EQ(
      *apply_inspect_format(R"({{index .NetworkSettings.Networks "bridge" "IPAddress"}})", object),
      "172.17.0.2");
  EXPECT_EQ(*apply_inspect_format(R"({{index .Config.Labels "say \"hi\""}})", object),
            "<no value>");
}

TEST(InspectFormat, IndexErrorsSayWhatWentWrong) {
  const json object = json::parse(R"({"State":{"Status":"running"},"Config":{"Env":["A=1"]}})");
  auto on_string = apply_inspect_format(R"({{index .State.Status "x"}})", object);
  ASSERT_FALSE(on_string.ok());
  EXPECT_NE(on_string.error().message.find("cannot index string"), std::string::npos);
  auto out_of_range = apply_inspect_format("{{index .Config.Env 5}}", object);
  ASSERT_FALSE(out_of_range.ok());
  EXPECT_NE(out_of_range.error().message.find("out of range"), std::string::npos);
  auto key_on_list = apply_inspect_format(R"({{index .Config.Env "A"}})", object);
  ASSERT_FALSE(key_on_list.ok());
  EXPECT_NE(key_on_list.error().message.find("cannot index array"), std::string::npos);
}

TEST(InspectFormat, UnsupportedFormsListTheSupportedOnes) {
  const json object = json::parse(R"({"Config":{"Labels":{"a":"b"}}})");
  for (const char* unsupported :
       {"{{index .Config.Labels}}", "{{index .Config.Labels a}}", R"({{index .Config.Labels "a}})",
        R"({{index .Config.Labels "a"x}})", R"({{index .Config.Labels "a\n"}})",
        R"({{json index .Config.Labels "a"}})", R"({{(index .Config.Labels "a"}})",
        R"({{(index .Config.Labels "a")x}})", "{{printf \"%s\" .Name}}", "{{.Name | upper}}",
        "{{range .Mounts}}x{{end}}", "{{}}", "{{json}}", "{{index .Config.Env 9999999999}}",
        "{{ .A. }}", "{{$x := .A}}"}) {
    auto result = apply_inspect_format(unsupported, object);
    ASSERT_FALSE(result.ok()) << unsupported;
    EXPECT_NE(result.error().message.find("is not supported; supported forms are {{.Field.Sub}}, "
                                          "{{json .Field.Sub}}, {{index .Field \"key\"}}"),
              std::string::npos)
        << unsupported << ": " << result.error().message;
  }
}

TEST(InspectFormat, RedactsSecretLikeEnvironmentValues) {
  const json object = json::parse(R"({
    "Config": {"Env": ["PATH=/bin", "DB_PASSWORD=hunter2", "github_token=ghp_x", "Api_Key=k",
                       "MYSQL_ROOT_PASSWD=p", "AWS_SECRET_ACCESS_KEY=s", "APIKEY=a",
                       "SSH_PRIVATE_KEY=-----BEGIN", "GOOGLE_CREDENTIALS=c", "AWS_ACCESS_KEY_ID=i",
                       "BASIC_AUTH=u:p", "EMPTY_TOKEN=", "NOEQUALS_SECRET", 7, "MODE=a=TOKEN=b"]},
    "ContainerConfig": {"Env": ["OLD_SECRET=x"]},
    "Name": "/web"
  })");
  const json redacted = redact_secret_environment(object);
  EXPECT_EQ(redacted["Config"]["Env"],
            json::parse(R"(["PATH=/bin", "DB_PASSWORD=<redacted>", "github_token=<redacted>",
              "Api_Key=<redacted>", "MYSQL_ROOT_PASSWD=<redacted>",
              "AWS_SECRET_ACCESS_KEY=<redacted>", "APIKEY=<redacted>",
              "SSH_PRIVATE_KEY=<redacted>", "GOOGLE_CREDENTIALS=<redacted>",
              "AWS_ACCESS_KEY_ID=<redacted>", "BASIC_AUTH=<redacted>", "EMPTY_TOKEN=<redacted>",
              "NOEQUALS_SECRET", 7, "MODE=a=TOKEN=b"])"));
  EXPECT_EQ(redacted["ContainerConfig"]["Env"][0], "OLD_SECRET=<redacted>");
  EXPECT_EQ(redacted["Name"], "/web");
  // Shapes the engine should not send are left alone rather than thrown on.
  EXPECT_EQ(redact_secret_environment(json::parse(R"({"Config":{"Env":null}})")),
            json::parse(R"({"Config":{"Env":null}})"));
  EXPECT_EQ(redact_secret_environment(json::parse(R"({"Config":"x"})")),
            json::parse(R"({"Config":"x"})"));
  EXPECT_EQ(redact_secret_environment(json::array()), json::array());
}

TEST(InspectTool, RenderRedactsSecretEnvironmentInTextStructuredAndFormatted) {
  const json engine = json::parse(R"({"type": "container", "object": {
    "Name": "/web", "Config": {"Env": ["PATH=/bin", "DB_PASSWORD=hunter2"]}}})");
  const Tool* tool = registry().find("docker_inspect");
  ASSERT_NE(tool, nullptr);
  EXPECT_NE(tool->definition().description.find("<redacted>"), std::string::npos);
  const auto when = std::chrono::system_clock::time_point{};
  actions::InspectObject plain;
  plain.object = "web";
  auto output = tool->render(actions::Action{plain}, engine, when);
  EXPECT_EQ(output.text.find("hunter2"), std::string::npos) << output.text;
  EXPECT_NE(output.text.find("DB_PASSWORD=<redacted>"), std::string::npos) << output.text;
  EXPECT_EQ(output.structured["object"]["Config"]["Env"][1], "DB_PASSWORD=<redacted>");
  EXPECT_EQ(output.structured.dump().find("hunter2"), std::string::npos);
  for (const char* format : {"{{json .Config.Env}}", "{{index .Config.Env 1}}", "{{json .}}",
                             "{{.Config.Env}}", "{{json .Config}}"}) {
    actions::InspectObject formatted = plain;
    formatted.format = format;
    auto out = tool->render(actions::Action{formatted}, engine, when);
    EXPECT_EQ(out.text.find("hunter2"), std::string::npos) << format << ": " << out.text;
    EXPECT_NE(out.text.find("<redacted>"), std::string::npos) << format << ": " << out.text;
    EXPECT_EQ(out.structured.dump().find("hunter2"), std::string::npos) << format;
  }
}

TEST(TextFormatting, HumanSizesAndAgesMatchTheDockerCli) {
  EXPECT_EQ(human_size(1985631), "1.986MB");
  EXPECT_EQ(human_size(999), "999B");
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(100000));
  EXPECT_EQ(human_age(100000 - 30, now), "30 seconds ago");
  EXPECT_EQ(human_age(100000 - 90, now), "About a minute ago");
  EXPECT_EQ(human_age(100000 - 3 * 3600, now), "3 hours ago");
  EXPECT_EQ(rfc3339_utc(0), "1970-01-01T00:00:00Z");
}

}  // namespace
}  // namespace dockgate::tools
