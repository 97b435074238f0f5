#include "reports/escape.hpp"

#include <fmt/format.h>

#include <cstdint>

namespace ikeconform::reports {
namespace {

// Decodes one UTF-8 sequence at s[i]; returns its length, or 0 when it is not well-formed
// (overlong forms, surrogates and values past U+10FFFF are rejected too).
std::size_t utf8_length(std::string_view s, std::size_t i, std::uint32_t& cp) {
  const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(s[k]); };
  const std::uint8_t b0 = byte(i);
  std::size_t n = 0;
  if (b0 < 0x80) return cp = b0, 1;
  if ((b0 & 0xE0) == 0xC0) n = 2, cp = b0 & 0x1Fu;
  else if ((b0 & 0xF0) == 0xE0) n = 3, cp = b0 & 0x0Fu;
  else if ((b0 & 0xF8) == 0xF0) n = 4, cp = b0 & 0x07u;
  else return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3Fu);
  }
  static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

// XML 1.0 Char production, minus the control characters we spell out instead.
bool xml_char(std::uint32_t cp) {
  if (cp == 0x9 || cp == 0xA || cp == 0xD) return true;
  if (cp < 0x20) return false;
  return cp != 0xFFFE && cp != 0xFFFF;
}

}  // namespace

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (std::size_t i = 0; i < s.size();) {
    std::uint32_t cp = 0;
    const std::size_t n = utf8_length(s, i, cp);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD for a byte that is not UTF-8
      ++i;
      continue;
    }
    if (!xml_char(cp)) {
      out += cp < 0x100 ? fmt::format("\\x{:02x}", cp) : "\xEF\xBF\xBD";
    } else {
      switch (cp) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out.append(s.substr(i, n));
      }
    }
    i += n;
  }
  return out;
}

std::string xml_attr(std::string_view s) {
  std::string out;
  for (char c : xml_escape(s)) {
    if (c == '\n') out += "&#10;";
    else if (c == '\r') out += "&#13;";
    else if (c == '\t') out += "&#9;";
    else out += c;
  }
  return out;
}

}  // namespace ikeconform::reports
