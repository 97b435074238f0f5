// `show crypto pki certificates` parser. The order of the identity certificates is the store
// order (first shown = most recently enrolled, spec section 1 / V1-4); CA certificates and
// issuers tell which CA each trustpoint stands for (section 6).
#include "ios/ios.hpp"
#include "ios/text.hpp"
#include "model/input_error.hpp"

namespace ikeconform::ios {
namespace {

using namespace detail;

enum class Section { None, Issuer, Subject };

// "R1#sh crypto pki certificates", "R2#": a router prompt. Not a DN line whose value holds a
// '#' ("cn=CORP#CA": found by fuzz_ios_roundtrip, corpus/regressions/ios_roundtrip/).
std::string_view prompt_host(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && is_host_char(line[i])) ++i;
  if (i == 0 || i >= line.size() || line[i] != '#') return {};
  const std::string_view host = line.substr(0, i);
  return host.find('=') == std::string_view::npos ? host : std::string_view();
}

bool is_omission(std::string_view line) {
  if (line.size() >= 2 && line.find_first_not_of('.') == std::string_view::npos) return true;  // "...", "...."
  return line.front() == '<' && line.back() == '>';  // "<output omitted, ...>"
}

void append_rdn(std::string& dn, std::string_view rdn) {
  if (!dn.empty()) dn += ',';
  dn += rdn;
}

class ShowParser {
 public:
  ShowParser(std::string_view text, const std::string& file) : text_(text) { out_.file = file; }

  ShowCerts run() {
    std::size_t pos = 0;
    while (pos <= text_.size()) {
      std::size_t nl = text_.find('\n', pos);
      if (nl == std::string_view::npos) nl = text_.size();
      ++lineno_;
      line(trim(text_.substr(pos, nl - pos)));
      pos = nl + 1;
    }
    close_block();
    return std::move(out_);
  }

 private:
  void line(std::string_view l) {
    line_ = l;
    if (l.empty()) return;
    if (is_omission(l)) return omission();
    if (std::string_view host = prompt_host(l); !host.empty()) {
      if (out_.hostname.empty()) {
        out_.hostname = host;
        out_.hostname_line = lineno_;
      }
      return;
    }
    if (l == "Certificate" || l == "CA Certificate") return open_block(l == "CA Certificate");
    if (l.size() > 12 && l.substr(l.size() - 12) == " Certificate") return skip_block();
    if (skipping_) return;
    if (!open_) fail("expected 'Certificate' or 'CA Certificate', got " + quote_for_message(l));
    std::size_t eq = l.find('='), colon = l.find(':');
    if (starts_with_attr(l) && eq < colon) return rdn(l);
    if (colon == std::string_view::npos) fail("unexpected line " + quote_for_message(l));
    field(trim(l.substr(0, colon)), trim(l.substr(colon + 1)));
  }

  void omission() {
    out_.omitted = true;
    if (!open_) return;
    cur_.cut = true;
    if (section_ == Section::Issuer) cur_.issuer_cut = true;
    if (section_ == Section::Subject) cur_.subject_cut = true;
    section_ = Section::None;
  }

  void rdn(std::string_view l) {
    if (section_ == Section::Issuer) append_rdn(cur_.issuer, l);
    else if (section_ == Section::Subject) append_rdn(cur_.subject, l);
    else fail(quote_for_message(l) + " is outside an 'Issuer:' or 'Subject:' list");
  }

  void field(std::string_view key, std::string_view value) {
    bool subject_summary = section_ == Section::Subject &&
                           (key == "Name" || key == "IP Address" || key == "Serial Number");
    if (!subject_summary) section_ = Section::None;
    if (key == "Issuer" || key == "Subject") {
      section_ = key == "Issuer" ? Section::Issuer : Section::Subject;
      if (!value.empty()) rdn(value);
    } else if (key == "Status") {
      cur_.status = value;
    } else if (key == "Certificate Serial Number (hex)" || key == "Certificate Serial Number") {
      cur_.serial = value;
    } else if (key == "Associated Trustpoints") {
      split_words(value, words_);
      if (words_.empty()) fail("'Associated Trustpoints:' names no trustpoint");
      for (auto w : words_) cur_.trustpoints.emplace_back(w);
      cur_.trustpoints_line = lineno_;
    }  // other fields (Certificate Usage, Validity Date, Storage, Key Label, ...) do not matter here
  }

  void open_block(bool ca) {
    close_block();
    open_ = true;
    skipping_ = false;
    cur_ = ShownCert{};
    cur_.line = lineno_;
    cur_.ca = ca;
  }

  void skip_block() {
    close_block();
    skipping_ = true;
    out_.warnings.push_back(where(lineno_) + ": warning: " + quote_for_message(line_) +
                            " is not an identity or CA certificate; ignored");
  }

  void close_block() {
    section_ = Section::None;
    if (!open_) return;
    open_ = false;
    if (cur_.trustpoints.empty()) {
      if (!cur_.cut) throw InputError(out_.file, cur_.line, "certificate has no 'Associated Trustpoints:' line");
      out_.warnings.push_back(where(cur_.line) +
                              ": warning: certificate without 'Associated Trustpoints:' (output omitted); ignored");
      return;
    }
    out_.certs.push_back(std::move(cur_));
  }

  std::string where(int line) const { return out_.file + ":" + std::to_string(line); }
  [[noreturn]] void fail(const std::string& msg) const { throw InputError(out_.file, lineno_, msg); }

  std::string_view text_;
  ShowCerts out_;
  int lineno_ = 0;
  std::string_view line_;
  bool open_ = false, skipping_ = false;
  ShownCert cur_;
  Section section_ = Section::None;
  std::vector<std::string_view> words_;
};

}  // namespace

ShowCerts parse_show_certs(std::string_view text, const std::string& file) { return ShowParser(text, file).run(); }

}  // namespace ikeconform::ios
