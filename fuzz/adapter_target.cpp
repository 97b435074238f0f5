// Target `adapter`: the ikeconform.adapter/1 line parsers (drivers/adapter/protocol.hpp,
// docs/adapter-protocol.md), the input read as either direction's line. Properties:
//   - only ProtocolError escapes a parser;
//   - an accepted message writes a single newline-terminated line that parses back to the same
//     message, and writing that again gives the same line (to_line is stable).
#include <exception>
#include <string>
#include <string_view>

#include "drivers/adapter/protocol.hpp"
#include "fuzz/targets.hpp"

namespace ikeconform::fuzz {
namespace {

constexpr std::string_view kTarget = "adapter";

[[noreturn]] void violated(const std::string& what, std::string_view input) {
  report_violation(kTarget, what, std::string("input: ") + std::string(input.substr(0, 2000)));
}

template <class Message, class Parse>
void check(std::string_view input, Parse parse) {
  Message m;
  try {
    m = parse(input);
  } catch (const adapter::ProtocolError&) {
    return;
  } catch (const std::exception& e) {
    violated(std::string("parser threw something other than ProtocolError: ") + e.what(), input);
  }
  const std::string line = to_line(m);
  if (line.empty() || line.back() != '\n' || line.find('\n') != line.size() - 1)
    violated("to_line is not one line", input);
  Message again;
  try {
    again = parse(std::string_view(line).substr(0, line.size() - 1));
  } catch (const std::exception& e) {
    violated(std::string("a written message does not parse back: ") + e.what(), line);
  }
  if (!(again == m)) violated("parse(to_line(m)) != m", line);
  if (to_line(again) != line) violated("to_line is not stable", line);
}

}  // namespace

int fuzz_adapter(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check<adapter::HarnessMessage>(input, [](std::string_view l) { return adapter::parse_harness_message(l); });
  check<adapter::AdapterMessage>(input, [](std::string_view l) { return adapter::parse_adapter_message(l); });
  return 0;
}

}  // namespace ikeconform::fuzz
