// Fuzz body for the ikeconform.adapter/1 message parsers (docs/adapter-protocol.md). Plain
// function so the normal test suite replays its corpus without libFuzzer; fuzz/adapter_target.cpp
// (the fuzz library's `fuzz_adapter`) and drivers/adapter/fuzz_main.cpp (IKECONFORM_FUZZ=ON)
// call it. Properties, for the input read as either direction's line:
//   - only ProtocolError escapes a parser;
//   - an accepted message writes a single newline-terminated line that parses back to the same
//     message, and writing that again gives the same line (to_line is stable).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "drivers/adapter/fuzz_message.hpp"
#include "drivers/adapter/protocol.hpp"

namespace ikeconform::adapter {
namespace {

[[noreturn]] void violated(const char* what, std::string_view input) {
  throw FuzzViolation(std::string(what) + " on input: " + std::string(input.substr(0, 2000)));
}

template <class Message, class Parse>
void check(std::string_view input, Parse parse) {
  Message m;
  try {
    m = parse(input);
  } catch (const ProtocolError&) {
    return;
  } catch (const std::exception& e) {
    violated((std::string("parser threw something other than ProtocolError: ") + e.what()).c_str(), input);
  }
  const std::string line = to_line(m);
  if (line.empty() || line.back() != '\n' || line.find('\n') != line.size() - 1) violated("to_line is not one line", input);
  Message again;
  try {
    again = parse(std::string_view(line).substr(0, line.size() - 1));
  } catch (const std::exception& e) {
    violated((std::string("a written message does not parse back: ") + e.what()).c_str(), line);
  }
  if (!(again == m)) violated("parse(to_line(m)) != m", line);
  if (to_line(again) != line) violated("to_line is not stable", line);
}

}  // namespace

int fuzz_adapter_message(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check<HarnessMessage>(input, [](std::string_view l) { return parse_harness_message(l); });
  check<AdapterMessage>(input, [](std::string_view l) { return parse_adapter_message(l); });
  return 0;
}

}  // namespace ikeconform::adapter
