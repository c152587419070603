#include <gtest/gtest.h>

#include "actions/action.hpp"

namespace dockgate::actions {
namespace {

TEST(Actions, OperationNamesAreStableForPolicies) {
  EXPECT_EQ(operation_name(ListContainers{}), "container.list");
  EXPECT_EQ(operation_name(ListImages{}), "image.list");
  EXPECT_EQ(operation_name(InspectObject{}), "object.inspect");
}

TEST(Actions, KindsRoundTrip) {
  for (auto kind :
       {ObjectKind::Container, ObjectKind::Image, ObjectKind::Volume, ObjectKind::Network}) {
    EXPECT_EQ(parse_kind(kind_name(kind)), kind);
  }
  EXPECT_EQ(parse_kind("secret"), std::nullopt);
}

TEST(Actions, BriefJsonSaysWhatWillHappen) {
  auto brief = to_json(ListContainers{true, {{"status", {"exited"}}}, std::nullopt});
  EXPECT_EQ(brief["operation"], "container.list");
  EXPECT_EQ(brief["all"], true);
  EXPECT_EQ(brief["filters"]["status"][0], "exited");
  EXPECT_EQ(to_json(InspectObject{"web", std::nullopt, ""})["type"], "any");
}

}  // namespace
}  // namespace dockgate::actions
