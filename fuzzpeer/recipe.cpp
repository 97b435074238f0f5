#include "fuzzpeer/recipe.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <functional>

namespace ikeconform::fuzzpeer {

namespace k1 = wire::ikev1;
namespace k2 = wire::ikev2;

// ---- Segments ----------------------------------------------------------------------------------

std::vector<Segment> segments(IkeVersion v, const std::vector<wire::Payload>& payloads) {
  std::vector<Segment> out;
  for (const wire::Payload& p : payloads) {
    const Bytes one = wire::encode_payloads(v, {p});
    Segment s;
    s.type = p.type;
    s.flags = one.at(1);
    s.body.assign(one.begin() + static_cast<std::ptrdiff_t>(wire::kGenericHeaderSize), one.end());
    out.push_back(std::move(s));
  }
  return out;
}

Bytes encode_chain(const std::vector<Segment>& s) {
  Bytes out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const std::size_t honest = wire::kGenericHeaderSize + s[i].body.size();
    const std::uint16_t length = s[i].length ? *s[i].length
                                             : static_cast<std::uint16_t>(std::min<std::size_t>(honest, 0xffff));
    out.push_back(i + 1 < s.size() ? s[i + 1].type : 0);
    out.push_back(s[i].flags);
    out.push_back(static_cast<std::uint8_t>(length >> 8));
    out.push_back(static_cast<std::uint8_t>(length));
    out.insert(out.end(), s[i].body.begin(), s[i].body.end());
  }
  return out;
}

Bytes clear_message(const wire::Header& h, const std::vector<Segment>& s) {
  Bytes out = wire::encode(wire::IkeMessage{h, {}, std::nullopt});  // the 28-octet header alone
  const Bytes chain = encode_chain(s);
  out.insert(out.end(), chain.begin(), chain.end());
  out[16] = first_type(s);
  const auto n = static_cast<std::uint32_t>(out.size());
  out[24] = static_cast<std::uint8_t>(n >> 24);
  out[25] = static_cast<std::uint8_t>(n >> 16);
  out[26] = static_cast<std::uint8_t>(n >> 8);
  out[27] = static_cast<std::uint8_t>(n);
  return out;
}

// ---- Recipes -------------------------------------------------------------------------------------

namespace {

bool carries_data(Op op) { return op == Op::Insert || op == Op::Append || op == Op::NotifyInsert; }
constexpr std::size_t kMaxData = 48;

constexpr std::array<std::uint8_t, 8> kByteValues = {0x00, 0x01, 0x7f, 0x80, 0xff, 0x10, 0x20, 0xfe};
constexpr std::array<std::uint16_t, 8> kWordValues = {0x0000, 0x0001, 0x7fff, 0x8000, 0xffff, 0x00ff, 0x0100, 0x0fff};
// Payload types to insert or retype to: the version's own, then neighbours and extremes.
constexpr std::array<std::uint8_t, 24> kTypesV2 = {33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43,  44,
                                                   45, 46, 47, 48, 53, 0,  1,  49, 52, 54, 128, 255};
constexpr std::array<std::uint8_t, 20> kTypesV1 = {1,  2,  3,  4, 5,  6,  7,  8,  9,   10,
                                                   11, 12, 13, 0, 14, 15, 20, 33, 130, 255};
// Notify types that belong elsewhere: errors, status types of other exchanges, private use.
constexpr std::array<std::uint16_t, 22> kNotifiesV2 = {k2::kInvalidSyntax,
                                                       9,
                                                       11,
                                                       k2::kNoProposalChosen,
                                                       k2::kInvalidKePayload,
                                                       k2::kAuthenticationFailed,
                                                       43,
                                                       44,
                                                       k2::kInitialContact,
                                                       16385,
                                                       16388,
                                                       16389,
                                                       k2::kCookie,
                                                       16391,
                                                       16393,
                                                       16392,
                                                       16404,
                                                       16405,
                                                       16407,
                                                       16430,
                                                       16431,
                                                       40000};
constexpr std::array<std::uint16_t, 12> kNotifiesV1 = {1, 14, 16, 18, 20, 24, 30, 24576, 24578, 36136, 36137, 40000};
// DER tags a node may become.
constexpr std::array<std::uint8_t, 16> kTags = {0x02, 0x03, 0x04, 0x05, 0x06, 0x0c, 0x13, 0x17,
                                                0x18, 0x30, 0x31, 0xa0, 0xa3, 0x00, 0x1f, 0xff};

const char* op_name(Op op) {
  static constexpr std::array<const char*, static_cast<std::size_t>(Op::kCount)> kNames = {
      "Delete",   "Duplicate", "Move",      "Insert",   "Retype",      "SetByte",   "SetWord",   "FlipBit",
      "Truncate", "Append",    "LengthLie", "Critical", "CertreqList", "DerMutate", "CertChain", "NotifyInsert"};
  return kNames.at(static_cast<std::size_t>(op));
}

}  // namespace

Recipe decode_recipe(std::span<const std::uint8_t> in) {
  Recipe r;
  std::size_t at = 0;
  auto next = [&]() -> std::uint8_t { return at < in.size() ? in[at++] : 0; };
  while (at < in.size() && r.steps.size() < kMaxSteps) {
    Mutation m;
    m.op = static_cast<Op>(next() % static_cast<std::uint8_t>(Op::kCount));
    m.a = next();
    m.b = next();
    m.c = static_cast<std::uint16_t>(next() << 8);
    m.c = static_cast<std::uint16_t>(m.c | next());
    if (carries_data(m.op)) {
      const std::size_t want = next() % (kMaxData + 1);  // read first: `at` moves
      const std::size_t n = std::min(want, in.size() - at);
      m.data.assign(in.begin() + static_cast<std::ptrdiff_t>(at), in.begin() + static_cast<std::ptrdiff_t>(at + n));
      at += n;
    }
    r.steps.push_back(std::move(m));
  }
  return r;
}

Bytes encode_recipe(const Recipe& r) {
  Bytes out;
  for (const Mutation& m : r.steps) {
    out.insert(out.end(), {static_cast<std::uint8_t>(m.op), m.a, m.b, static_cast<std::uint8_t>(m.c >> 8),
                           static_cast<std::uint8_t>(m.c)});
    if (carries_data(m.op)) {
      out.push_back(static_cast<std::uint8_t>(m.data.size()));
      out.insert(out.end(), m.data.begin(), m.data.end());
    }
  }
  return out;
}

std::string describe(const Mutation& m) {
  std::string s = fmt::format("{}(a={}, b={}, c={}", op_name(m.op), m.a, m.b, m.c);
  if (!m.data.empty()) s += fmt::format(", {} octets", m.data.size());
  return s + ")";
}

nlohmann::json recipe_json(const Recipe& r) {
  nlohmann::json j = nlohmann::json::array();
  for (const Mutation& m : r.steps) j.push_back(describe(m));
  return j;
}

// ---- DER ------------------------------------------------------------------------------------------

namespace {

// A DER node: its tag octet, content (a leaf) or children (constructed), and how its length is
// written: honestly (minimal), or as one of the lies below.
struct Der {
  std::uint8_t tag = 0;
  Bytes content;
  std::vector<Der> kids;
  bool constructed = false;
  enum class Length : std::uint8_t { Honest, LongForm, Indefinite, Plus1, Minus1 } length = Length::Honest;
};

std::optional<Der> parse_der(std::span<const std::uint8_t> in, std::size_t& at, int depth) {
  if (depth > 24 || at + 2 > in.size()) return std::nullopt;
  Der d;
  d.tag = in[at++];
  std::size_t len = in[at++];
  if (len & 0x80) {
    const std::size_t n = len & 0x7f;
    if (n == 0 || n > 3 || at + n > in.size()) return std::nullopt;
    len = 0;
    for (std::size_t i = 0; i < n; ++i) len = (len << 8) | in[at++];
  }
  if (at + len > in.size()) return std::nullopt;
  d.constructed = (d.tag & 0x20) != 0;
  if (d.constructed) {
    std::size_t sub = at;
    const std::size_t end = at + len;
    while (sub < end) {
      auto kid = parse_der(in.first(end), sub, depth + 1);
      if (!kid) return std::nullopt;
      d.kids.push_back(std::move(*kid));
    }
  } else {
    d.content.assign(in.begin() + static_cast<std::ptrdiff_t>(at), in.begin() + static_cast<std::ptrdiff_t>(at + len));
  }
  at += len;
  return d;
}

void put_length(Bytes& out, std::size_t n, bool long_form) {
  if (n < 0x80 && !long_form) {
    out.push_back(static_cast<std::uint8_t>(n));
    return;
  }
  out.push_back(0x83);  // three octets, minimal or not
  out.push_back(static_cast<std::uint8_t>(n >> 16));
  out.push_back(static_cast<std::uint8_t>(n >> 8));
  out.push_back(static_cast<std::uint8_t>(n));
}

Bytes write_der(const Der& d) {
  Bytes body;
  if (d.constructed)
    for (const Der& k : d.kids) {
      const Bytes b = write_der(k);
      body.insert(body.end(), b.begin(), b.end());
    }
  else body = d.content;
  Bytes out{d.tag};
  switch (d.length) {
    case Der::Length::Honest: put_length(out, body.size(), false); break;
    case Der::Length::LongForm: put_length(out, body.size(), true); break;
    case Der::Length::Indefinite:
      out.push_back(0x80);
      body.push_back(0);
      body.push_back(0);
      break;
    case Der::Length::Plus1: put_length(out, body.size() + 1, false); break;
    case Der::Length::Minus1: put_length(out, body.empty() ? 0 : body.size() - 1, false); break;
  }
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

// Pre-order walk: node `index` of the tree with its parent (nullptr for the root).
void collect(Der& d, Der* parent, std::vector<std::pair<Der*, Der*>>& out) {
  out.emplace_back(&d, parent);
  for (Der& k : d.kids) collect(k, &d, out);
}

// One DER mutation of `der`; false when it does not parse (the caller falls back to octets).
bool mutate_der(Bytes& der, const Mutation& m) {
  std::size_t at = 0;
  auto root = parse_der(der, at, 0);
  if (!root || at != der.size()) return false;
  std::vector<std::pair<Der*, Der*>> nodes;
  collect(*root, nullptr, nodes);
  Der* node = nodes.at(m.c % nodes.size()).first;  // not a structured binding: clang 14 cannot capture one
  Der* parent = nodes.at(m.c % nodes.size()).second;
  switch (m.b % 10) {
    case 0: node->length = Der::Length::LongForm; break;
    case 1: node->length = Der::Length::Indefinite; break;
    case 2: node->length = Der::Length::Plus1; break;
    case 3: node->length = Der::Length::Minus1; break;
    case 4: node->tag = kTags[m.a % kTags.size()]; break;  // a constructed node keeps its children: written as content
    case 5:
    case 6:
      if (parent) {
        auto it = std::find_if(parent->kids.begin(), parent->kids.end(), [&](const Der& k) { return &k == node; });
        if (m.b % 10 == 5) parent->kids.erase(it);
        else parent->kids.insert(it, *it);
      } else {
        node->length = Der::Length::Plus1;
      }
      break;
    case 7:
      if (node->constructed && !node->kids.empty()) node->kids.resize(node->kids.size() / 2);
      else node->content.resize(node->content.size() / 2);
      break;
    case 8:
      if (!node->constructed && !node->content.empty())
        node->content[m.a % node->content.size()] = kByteValues[m.a % kByteValues.size()];
      else node->length = Der::Length::LongForm;
      break;
    default: {  // nested: the node wrapped in SEQUENCEs, deeper than any certificate needs
      Der inner = *node;
      const int depth = 1 + m.a % 64;
      for (int i = 0; i < depth; ++i) {
        Der wrap;
        wrap.tag = 0x30;
        wrap.constructed = true;
        wrap.kids.push_back(std::move(inner));
        inner = std::move(wrap);
      }
      *node = std::move(inner);
      break;
    }
  }
  der = write_der(*root);
  return true;
}

// A DER Name with `n` RDNs (cn=ikeconform-fuzz-<i>), for long IKEv1 CERT_REQ DNs.
Bytes long_name(std::size_t n) {
  Der name;
  name.tag = 0x30;
  name.constructed = true;
  for (std::size_t i = 0; i < n; ++i) {
    Der oid{0x06, {0x55, 0x04, 0x03}, {}, false, Der::Length::Honest};
    const std::string v = fmt::format("ikeconform-fuzz-{}", i);
    Der value{0x0c, Bytes(v.begin(), v.end()), {}, false, Der::Length::Honest};
    Der atv{0x30, {}, {oid, value}, true, Der::Length::Honest};
    Der set{0x31, {}, {atv}, true, Der::Length::Honest};
    name.kids.push_back(std::move(set));
  }
  return write_der(name);
}

// ---- Steps ------------------------------------------------------------------------------------------

Segment* nth_of(std::vector<Segment>& s, std::uint8_t type, std::size_t n) {
  std::vector<Segment*> of;
  for (Segment& x : s)
    if (x.type == type) of.push_back(&x);
  return of.empty() ? nullptr : of[n % of.size()];
}

Bytes notify_body(IkeVersion v, const Mutation& m) {
  Bytes b;
  if (v == IkeVersion::V2) {
    const std::uint16_t type = kNotifiesV2[m.b % kNotifiesV2.size()];
    const std::uint8_t spi_size = (m.c & 0x100) ? 8 : (m.c & 0x200) ? 4 : 0;
    b = {static_cast<std::uint8_t>(m.c & 0x3), spi_size, static_cast<std::uint8_t>(type >> 8),
         static_cast<std::uint8_t>(type)};
    b.insert(b.end(), spi_size, 0x5a);
  } else {
    const std::uint16_t type = kNotifiesV1[m.b % kNotifiesV1.size()];
    const std::uint8_t spi_size = (m.c & 0x100) ? 16 : 0;
    b = {0,
         0,
         0,
         1,
         static_cast<std::uint8_t>(1 + (m.c & 0x3)),
         spi_size,
         static_cast<std::uint8_t>(type >> 8),
         static_cast<std::uint8_t>(type)};
    b.insert(b.end(), spi_size, 0x5a);
  }
  b.insert(b.end(), m.data.begin(), m.data.end());
  return b;
}

// IKEv2: a CERTREQ listing `n` hashes; IKEv1: a CERT_REQ DN, or `n` CERT_REQ payloads.
void certreq_list(IkeVersion v, const Material& mat, const Mutation& m, std::vector<Segment>& s) {
  const std::uint8_t type = v == IkeVersion::V2 ? k2::kCERTREQ : k1::kCR;
  Segment* cr = nth_of(s, type, m.a);
  if (!cr) {
    s.push_back({type, 0, {wire::kCertX509Signature}, std::nullopt});
    cr = &s.back();
  }
  const std::size_t n = m.c % 256;
  const Bytes old(cr->body.begin() + (cr->body.empty() ? 0 : 1), cr->body.end());
  Bytes body{cr->body.empty() ? wire::kCertX509Signature : cr->body[0]};
  if (v == IkeVersion::V2) {
    for (std::size_t i = 0; i < n; ++i) {
      Bytes h(wire::kSha1Size, 0);
      switch (m.b % 4) {
        case 0:
          if (!mat.ca_hashes.empty()) h = mat.ca_hashes[i % mat.ca_hashes.size()];
          break;
        case 1: break;  // zero hashes
        case 2:
          for (std::size_t j = 0; j < h.size(); ++j) h[j] = static_cast<std::uint8_t>(i * 31 + j * 7);
          break;
        default:
          if (old.size() >= wire::kSha1Size) {
            const std::size_t e = i % (old.size() / wire::kSha1Size);
            h.assign(old.begin() + static_cast<std::ptrdiff_t>(e * wire::kSha1Size),
                     old.begin() + static_cast<std::ptrdiff_t>((e + 1) * wire::kSha1Size));
          }
      }
      body.insert(body.end(), h.begin(), h.end());
    }
    if (m.b & 0x4) body.insert(body.end(), 1 + m.c % 19, 0xab);  // a partial last entry
    cr->body = std::move(body);
    return;
  }
  switch (m.b % 4) {
    case 0:
      if (!mat.ca_names.empty()) {
        const Bytes& dn = mat.ca_names[n % mat.ca_names.size()];
        body.insert(body.end(), dn.begin(), dn.end());
      }
      break;
    case 1: {
      const Bytes dn = long_name(n);
      body.insert(body.end(), dn.begin(), dn.end());
      break;
    }
    case 2: break;  // an empty authority
    default: {      // the CERT_REQ repeated: n payloads
      const Segment copy = *cr;
      const auto at = static_cast<std::size_t>(cr - s.data());
      s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), std::min<std::size_t>(n, 64), copy);
      return;
    }
  }
  cr->body = std::move(body);
}

void apply_one(const Mutation& m, IkeVersion v, const Material& mat, std::vector<Segment>& s) {
  const bool v2 = v == IkeVersion::V2;
  auto pick = [&](std::uint8_t sel) -> Segment* { return s.empty() ? nullptr : &s[sel % s.size()]; };
  auto type_of = [&](std::uint8_t sel) {
    return v2 ? kTypesV2[sel % kTypesV2.size()] : kTypesV1[sel % kTypesV1.size()];
  };
  switch (m.op) {
    case Op::Delete:
      if (!s.empty()) s.erase(s.begin() + static_cast<std::ptrdiff_t>(m.a % s.size()));
      break;
    case Op::Duplicate:
      if (!s.empty()) {
        const std::size_t i = m.a % s.size();
        s.insert(s.begin() + static_cast<std::ptrdiff_t>(i + 1), s[i]);
      }
      break;
    case Op::Move:
      if (s.size() > 1) {
        const std::size_t from = m.a % s.size(), to = m.b % s.size();
        Segment x = std::move(s[from]);
        s.erase(s.begin() + static_cast<std::ptrdiff_t>(from));
        s.insert(s.begin() + static_cast<std::ptrdiff_t>(to), std::move(x));
      }
      break;
    case Op::Insert:
      s.insert(s.begin() + static_cast<std::ptrdiff_t>(m.b % (s.size() + 1)),
               Segment{type_of(m.a), 0, m.data, std::nullopt});
      break;
    case Op::Retype:
      if (Segment* x = pick(m.a)) x->type = type_of(m.b);
      break;
    case Op::SetByte:
      if (Segment* x = pick(m.a); x && !x->body.empty())
        x->body[m.c % x->body.size()] = kByteValues[m.b % kByteValues.size()];
      break;
    case Op::SetWord:
      if (Segment* x = pick(m.a); x && x->body.size() >= 2) {
        const std::size_t at = m.c % (x->body.size() - 1);
        const std::uint16_t w = kWordValues[m.b % kWordValues.size()];
        x->body[at] = static_cast<std::uint8_t>(w >> 8);
        x->body[at + 1] = static_cast<std::uint8_t>(w);
      }
      break;
    case Op::FlipBit:
      if (Segment* x = pick(m.a); x && !x->body.empty()) {
        const std::size_t bit = m.c % (x->body.size() * 8);
        x->body[bit / 8] = static_cast<std::uint8_t>(x->body[bit / 8] ^ (1u << (bit % 8)));
      }
      break;
    case Op::Truncate:
      if (Segment* x = pick(m.a); x && !x->body.empty()) x->body.resize(m.c % x->body.size());
      break;
    case Op::Append:
      if (Segment* x = pick(m.a)) x->body.insert(x->body.end(), m.data.begin(), m.data.end());
      break;
    case Op::LengthLie:
      if (Segment* x = pick(m.a)) {
        const std::size_t honest = wire::kGenericHeaderSize + x->body.size();
        static constexpr std::array<int, 8> kDelta = {-1, 1, -4, 4, 16, -16, 1000, 0};
        if (m.b % 10 == 8) x->length = 0;
        else if (m.b % 10 == 9) x->length = 0xffff;
        else
          x->length = static_cast<std::uint16_t>(
              std::clamp<long>(static_cast<long>(honest) + kDelta[m.b % 10 % 8], 0, 0xffff));
      }
      break;
    case Op::Critical:
      if (Segment* x = pick(m.a)) x->flags ^= 0x80;
      break;
    case Op::CertreqList: certreq_list(v, mat, m, s); break;
    case Op::DerMutate: {
      Segment* x = nth_of(s, v2 ? k2::kCERT : k1::kCERT, m.a);
      if (!x || x->body.size() < 2) break;
      Bytes der(x->body.begin() + 1, x->body.end());
      if (mutate_der(der, m)) {
        x->body.resize(1);
        x->body.insert(x->body.end(), der.begin(), der.end());
      } else {  // not DER any more: an octet then
        x->body[1 + m.c % (x->body.size() - 1)] ^= 0xff;
      }
      break;
    }
    case Op::CertChain: {
      const std::uint8_t type = v2 ? k2::kCERT : k1::kCERT;
      Segment* x = nth_of(s, type, 0);
      if (!x || mat.ca_certs.empty()) break;
      Bytes ca{wire::kCertX509Signature};
      const Bytes& der = mat.ca_certs[m.a % mat.ca_certs.size()];
      ca.insert(ca.end(), der.begin(), der.end());
      const auto at = static_cast<std::size_t>(x - s.data());
      switch (m.b % 4) {
        case 0: x->body = std::move(ca); break;
        case 1: s.insert(s.begin() + static_cast<std::ptrdiff_t>(at + 1), Segment{type, 0, ca, std::nullopt}); break;
        case 2: s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), Segment{type, 0, ca, std::nullopt}); break;
        default: x->body.insert(x->body.end(), der.begin(), der.end());  // two certificates in one payload
      }
      break;
    }
    case Op::NotifyInsert:
      s.insert(s.begin() + static_cast<std::ptrdiff_t>(m.a % (s.size() + 1)),
               Segment{v2 ? k2::kN : k1::kN, 0, notify_body(v, m), std::nullopt});
      break;
    case Op::kCount: break;
  }
}

}  // namespace

void apply(const Recipe& r, IkeVersion v, const Material& m, std::vector<Segment>& s) {
  auto size = [](const std::vector<Segment>& x) {
    std::size_t n = 0;
    for (const Segment& y : x) n += wire::kGenericHeaderSize + y.body.size();
    return n;
  };
  for (const Mutation& step : r.steps) {
    std::vector<Segment> before = s;
    apply_one(step, v, m, s);
    if (size(s) > kMaxChain) s = std::move(before);  // duplicated eight times over: no datagram holds it
  }
}

bool authentication_broken(IkeVersion v, const std::vector<Segment>& original, const std::vector<Segment>& mutated) {
  const std::array<std::uint8_t, 2> types = v == IkeVersion::V2 ? std::array<std::uint8_t, 2>{k2::kIDi, k2::kAUTH}
                                                                : std::array<std::uint8_t, 2>{k1::kID, k1::kSIG};
  for (std::uint8_t t : types) {
    const auto o = std::find_if(original.begin(), original.end(), [&](const Segment& x) { return x.type == t; });
    if (o == original.end()) continue;
    // IKEv2 ID and AUTH: octets 1-3 are RESERVED. RFC 7296 §2.15 signs the ID's, but strongSwan
    // and our engine rebuild them as zero when they verify: a change there alters no identity
    // and is no bypass (fuzz-peer flagged our own responder for it until this was judged so).
    auto same = [&](const Bytes& a, const Bytes& b) {
      if (v != IkeVersion::V2 || a.size() != b.size() || a.size() < 4) return a == b;
      return a[0] == b[0] && std::equal(a.begin() + 4, a.end(), b.begin() + 4);
    };
    const bool kept = std::any_of(mutated.begin(), mutated.end(), [&](const Segment& x) {
      return x.type == t && same(x.body, o->body) &&
             (!x.length || *x.length == wire::kGenericHeaderSize + x.body.size());
    });
    if (!kept) return true;
  }
  return false;
}

// ---- Byte mutator ----------------------------------------------------------------------------------

Bytes ByteMutator::mutate(const Bytes& input, const Bytes& other, std::size_t max_size) {
  Bytes b = input;
  auto below = [&](std::size_t n) { return n == 0 ? std::size_t{0} : static_cast<std::size_t>(rng_() % n); };
  const std::size_t rounds = 1 + below(4);
  for (std::size_t r = 0; r < rounds; ++r) {
    switch (below(9)) {
      case 0:
        if (!b.empty()) b[below(b.size())] ^= static_cast<std::uint8_t>(1u << below(8));
        break;
      case 1:
        if (!b.empty()) b[below(b.size())] = kByteValues[below(kByteValues.size())];
        break;
      case 2:
        if (!b.empty()) b[below(b.size())] = static_cast<std::uint8_t>(rng_());
        break;
      case 3:
        if (!b.empty()) b[below(b.size())] += static_cast<std::uint8_t>(below(2) ? 1 : 0xff);
        break;
      case 4: {  // insert octets
        const std::size_t n = 1 + below(4);
        Bytes ins(n);
        for (auto& x : ins) x = static_cast<std::uint8_t>(rng_());
        b.insert(b.begin() + static_cast<std::ptrdiff_t>(below(b.size() + 1)), ins.begin(), ins.end());
        break;
      }
      case 5:
        if (!b.empty()) {  // erase a range
          const std::size_t at = below(b.size()), n = 1 + below(std::min<std::size_t>(b.size() - at, 8));
          b.erase(b.begin() + static_cast<std::ptrdiff_t>(at), b.begin() + static_cast<std::ptrdiff_t>(at + n));
        }
        break;
      case 6:
        if (b.size() > 1) {  // copy a range over another place
          const std::size_t from = below(b.size()), to = below(b.size());
          const std::size_t n = 1 + below(std::min(b.size() - from, b.size() - to));
          std::copy_n(Bytes(b.begin() + static_cast<std::ptrdiff_t>(from), b.end()).begin(), n,
                      b.begin() + static_cast<std::ptrdiff_t>(to));
        }
        break;
      case 7:
        if (!other.empty()) {  // cross over: our head, the other's tail
          const std::size_t cut = below(b.size() + 1), from = below(other.size());
          b.resize(cut);
          b.insert(b.end(), other.begin() + static_cast<std::ptrdiff_t>(from), other.end());
        }
        break;
      default: {  // one more recipe step (op, a, b, c)
        for (int i = 0; i < 5; ++i) b.push_back(static_cast<std::uint8_t>(rng_()));
        break;
      }
    }
  }
  if (b.size() > max_size) b.resize(max_size);
  return b;
}

}  // namespace ikeconform::fuzzpeer
