// Small text helpers shared by the IOS parsers (internal, not part of the public API).
// No std::regex: the parsers are fuzzed and must stay fast.
#pragma once

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ikeconform::ios::detail {

inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Leading blanks (a tab counts as one): IOS writes one space per sub-mode level.
inline int indentation(std::string_view line) {
  int n = 0;
  while (static_cast<std::size_t>(n) < line.size() && (line[static_cast<std::size_t>(n)] == ' ' || line[static_cast<std::size_t>(n)] == '\t')) ++n;
  return n;
}

inline void split_words(std::string_view s, std::vector<std::string_view>& out) {
  out.clear();
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i])) ++i;
    std::size_t j = i;
    while (j < s.size() && !is_space(s[j])) ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
}

// Text of `line` from word `k` on (words are views into `line`).
inline std::string_view rest_from(std::string_view line, const std::vector<std::string_view>& w, std::size_t k) {
  if (k >= w.size()) return {};
  return trim(line.substr(static_cast<std::size_t>(w[k].data() - line.data())));
}

inline std::optional<int> to_int(std::string_view s) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

inline bool is_ipv4(std::string_view s) {
  int parts = 0;
  while (true) {
    std::size_t dot = s.find('.');
    std::string_view part = s.substr(0, dot);
    if (part.empty() || part.size() > 3) return false;
    for (char c : part)
      if (c < '0' || c > '9') return false;
    if (*to_int(part) > 255) return false;
    ++parts;
    if (dot == std::string_view::npos) break;
    s.remove_prefix(dot + 1);
  }
  return parts == 4;
}

inline bool is_attr_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

// True when `s` starts with "attr=" (an RDN), the way IOS prints each DN component.
inline bool starts_with_attr(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && is_attr_char(s[i])) ++i;
  return i > 0 && i < s.size() && s[i] == '=';
}

// Splits "cn=CA1,o=VeriSign, Inc.,c=US" at the commas that start a new "attr=" only, so
// values with ", " (as in the predefined VeriSign DN) stay whole.
inline std::vector<std::string_view> split_dn(std::string_view dn) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i < dn.size(); ++i)
    if (dn[i] == ',' && starts_with_attr(dn.substr(i + 1))) {
      out.push_back(dn.substr(start, i - start));
      start = i + 1;
    }
  out.push_back(dn.substr(start));
  return out;
}

inline std::string file_stem(const std::string& file) {
  std::size_t slash = file.find_last_of("/\\");
  std::string base = slash == std::string::npos ? file : file.substr(slash + 1);
  std::size_t dot = base.find('.');
  return dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
}

inline std::string quote_for_message(std::string_view s) {
  constexpr std::size_t kMax = 120;  // keep warnings readable on fuzzed megabyte lines
  return "'" + std::string(s.substr(0, kMax)) + (s.size() > kMax ? "...'" : "'");
}

// Subject and issuer of a DER X.509 certificate, DNs as IOS prints them; nullopt if not DER.
struct DerNames {
  std::string subject, issuer;
};
std::optional<DerNames> der_names(const std::vector<unsigned char>& der);

}  // namespace ikeconform::ios::detail
