// Small helpers shared by the target bodies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ikeconform::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Lines as an editor counts them: a last line without '\n' still counts; "" has one line.
inline int line_count(std::string_view text) {
  int n = 1;
  for (char c : text) n += c == '\n';
  return n;
}

// Checks the project-wide error contract: InputError::what() is "<file>:<line>: <what>" with
// 1 <= line <= `lines` (the input's line_count(), counted once by the caller: a parser may warn
// on every line), or "<file>: <what>" (line 0) when `line_zero_ok`. Returns "" when it holds,
// else why not.
std::string check_error_location(std::string_view what, std::string_view file, int line, int lines, bool line_zero_ok);

}  // namespace ikeconform::fuzz
