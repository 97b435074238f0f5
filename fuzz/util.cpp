#include "fuzz/util.hpp"

#include <string>

namespace ikeconform::fuzz {

std::string check_error_location(std::string_view what, std::string_view file, int line, int lines, bool line_zero_ok) {
  const std::string prefix = std::string(file) + ":";
  if (what.substr(0, prefix.size()) != prefix) return "message does not start with '" + prefix + "'";
  if (line == 0) {
    if (!line_zero_ok) return "no line number (line 0) for an error in text input";
    if (what.substr(prefix.size(), 1) != " ") return "line 0 but the message has a line number";
    return "";
  }
  const std::string located = prefix + std::to_string(line) + ": ";
  if (what.substr(0, located.size()) != located) return "message does not start with '" + located + "'";
  if (line < 1 || line > lines)
    return "line " + std::to_string(line) + " outside the input's " + std::to_string(lines) + " lines";
  if (what.size() == located.size()) return "empty error text";
  return "";
}

}  // namespace ikeconform::fuzz
