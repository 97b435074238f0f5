// The registered personalities' names, as they appear in scenario/1 ("personality"), on the
// command line (`--personality`) and in reports. Code compares against these, never literals.
#pragma once

#include <string_view>

namespace ikeconform {

inline constexpr std::string_view kCiscoIos = "cisco-ios";           // spec/cisco-ios-behavior.md
inline constexpr std::string_view kStrongswan59 = "strongswan-5.9";  // spec/real-stacks.md
inline constexpr std::string_view kLibreswan410 = "libreswan-4.10";  // spec/real-stacks.md

}  // namespace ikeconform
