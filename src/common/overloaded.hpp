// The usual visitor helper for std::visit over several lambdas. The deduction guide is
// needed by clang 14 (the fuzz build), which lacks C++20's aggregate deduction.
#pragma once

namespace dockgate {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace dockgate
