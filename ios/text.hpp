// Small text helpers shared by the IOS parsers (internal, not part of the public API).
// No std::regex: the parsers are fuzzed and must stay fast.
#pragma once

#include <array>
#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ikeconform::ios::detail {

// Character classes by table: one load per character keeps the fuzzed parser fast even with
// comparison tracing (-fsanitize=fuzzer) on.
enum CharClass : unsigned char { kSpace = 1, kHex = 2, kDigit = 4, kAttr = 8, kLetter = 16 };
struct CharTable {
  unsigned char c[256];  // a plain array: std::array::operator[] is a call in -O1 sanitizer builds
};
inline constexpr CharTable kCharClass = [] {
  CharTable t{};
  for (char c : {' ', '\t', '\r', '\f', '\v'}) t.c[static_cast<unsigned char>(c)] = kSpace;
  for (int c = '0'; c <= '9'; ++c) t.c[c] = kHex | kDigit | kAttr;
  for (int c = 'a'; c <= 'z'; ++c) t.c[c] = kAttr | kLetter;
  for (int c = 'A'; c <= 'Z'; ++c) t.c[c] = kAttr | kLetter;
  for (int c = 'a'; c <= 'f'; ++c) t.c[c] |= kHex;
  for (int c = 'A'; c <= 'F'; ++c) t.c[c] |= kHex;
  t.c[static_cast<unsigned char>('.')] = kAttr;
  t.c[static_cast<unsigned char>('-')] = kAttr;
  return t;
}();
inline bool has_class(char c, unsigned char cls) { return (kCharClass.c[static_cast<unsigned char>(c)] & cls) != 0; }
inline bool is_space(char c) { return has_class(c, kSpace); }

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// The first words of a line, views into it; no command needs more than kMax, and a longer
// line is reported as having kMax + 1 words so that "unexpected ..." still fires.
class Words {
 public:
  static constexpr std::size_t kMax = 15;
  std::size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  std::string_view operator[](std::size_t i) const { return w_[i]; }
  const std::string_view* begin() const { return w_; }
  const std::string_view* end() const { return w_ + n_; }
  // Splits [p, e); returns the end of the last word seen (the line without trailing blanks
  // when it has at most kMax + 1 words).
  const char* split(const char* p, const char* e) {
    n_ = 0;
    const char* last = p;
    while (n_ <= kMax) {
      while (p != e && is_space(*p)) ++p;
      if (p == e) break;
      const char* q = p;
      while (q != e && !is_space(*q)) ++q;
      w_[n_++] = std::string_view(p, static_cast<std::size_t>(q - p));
      last = p = q;
    }
    return last;
  }
  void split(std::string_view s) { split(s.data(), s.data() + s.size()); }

 private:
  std::string_view w_[kMax + 1];
  std::size_t n_ = 0;
};

// All words (for the show output and annotations, which are not on the hot path).
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
template <class W>
std::string_view rest_from(std::string_view line, const W& w, std::size_t k) {
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
  int parts = 0, value = 0, digits = 0;
  for (char c : s) {
    if (has_class(c, kDigit)) {
      value = value * 10 + (c - '0');
      if (++digits > 3 || value > 255) return false;
    } else if (c == '.' && digits > 0 && parts < 3) {
      ++parts;
      value = digits = 0;
    } else {
      return false;
    }
  }
  return parts == 3 && digits > 0;
}

inline bool is_attr_char(char c) { return has_class(c, kAttr); }

// A character IOS keeps in a host name as `show running-config` prints it (IOS itself accepts
// e.g. ':' there): printable, not blank, and not one of the prompt's own characters.
inline bool is_host_char(char c) { return c > ' ' && c < 0x7f && c != '#' && c != '>' && c != '(' && c != ')'; }

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
