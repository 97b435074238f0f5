// nlohmann::json::parse throws out_of_range (406, "number overflow parsing '1e999'") besides
// parse_error, with no offset. Every parser that reads JSON text turns it into the project's
// `file:line: what is wrong` (InputError) here, finding the line by the quoted token.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "model/input_error.hpp"

namespace ikeconform {

[[noreturn]] inline void throw_json_out_of_range(const nlohmann::json::out_of_range& e, std::string_view text,
                                                 const std::string& file, int first_line = 1) {
  const std::string what = e.what();
  const auto open = what.find('\''), close = what.rfind('\'');
  const auto at = open < close ? text.find(what.substr(open + 1, close - open - 1)) : std::string_view::npos;
  int line = first_line;  // of `text` in the file
  for (std::size_t i = 0; at != std::string_view::npos && i < at; ++i) line += text[i] == '\n';
  throw InputError(file, line, "invalid JSON: number out of range" + (open < close ? " " + what.substr(open) : ""));
}

}  // namespace ikeconform
