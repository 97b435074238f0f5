// Decoder and encoder for the ISAKMP / IKEv2 wire format (see ike.hpp).
// The decoder reads through a bounds-checked Reader that throws DecodeError with the absolute
// offset; decode() turns that into a Result. Every loop either consumes input or stops.
#include <fmt/format.h>

#include <algorithm>
#include <type_traits>
#include <utility>

#include "wire/ike.hpp"

namespace ikeconform::wire {

namespace {

constexpr std::uint8_t kMore = 2;                // "more proposals" (RFC 2408 §3.5, RFC 7296 §3.3.1)
constexpr std::uint8_t kMoreTransforms = 3;      // "more transforms" (RFC 2408 §3.6, RFC 7296 §3.3.2)
constexpr std::uint8_t kCriticalBit = 0x80;      // RFC 7296 §3.2
constexpr std::uint16_t kAttrFormatTv = 0x8000;  // AF bit (RFC 2408 §3.3)

// ---- Body kinds: which variant alternative a payload type carries ---------------------------

template <class T, std::size_t I = 0>
constexpr std::size_t body_index() {
  if constexpr (std::is_same_v<std::variant_alternative_t<I, Body>, T>) {
    return I;
  } else {
    return body_index<T, I + 1>();
  }
}

std::size_t body_kind(IkeVersion v, std::uint8_t type) {
  if (v == IkeVersion::V1) {
    switch (type) {
      case ikev1::kSA: return body_index<SaV1>();
      case ikev1::kID: return body_index<IdV1>();
      case ikev1::kCERT: return body_index<Cert>();
      case ikev1::kCR: return body_index<CertRequest>();
      case ikev1::kN: return body_index<NotifyV1>();
      default: return body_index<Raw>();  // KE, HASH, SIG, NONCE, D, VID, unknown
    }
  }
  switch (type) {
    case ikev2::kSA: return body_index<SaV2>();
    case ikev2::kKE: return body_index<KeV2>();
    case ikev2::kIDi:
    case ikev2::kIDr: return body_index<IdV2>();
    case ikev2::kCERT: return body_index<Cert>();
    case ikev2::kCERTREQ: return body_index<CertRequest>();
    case ikev2::kAUTH: return body_index<AuthV2>();
    case ikev2::kN: return body_index<NotifyV2>();
    case ikev2::kTSi:
    case ikev2::kTSr: return body_index<TsV2>();
    case ikev2::kSK:
    case ikev2::kSKF: return body_index<Encrypted>();
    default: return body_index<Raw>();  // Nonce, V, D, CP, EAP, unknown
  }
}

bool is_encrypted_payload(IkeVersion v, std::uint8_t type) {
  return v == IkeVersion::V2 && (type == ikev2::kSK || type == ikev2::kSKF);
}

// ---- Reader ----------------------------------------------------------------------------------

class Reader {
 public:
  Reader(std::span<const std::uint8_t> data, std::size_t base) : data_(data), base_(base) {}

  std::size_t offset() const { return base_ + pos_; }
  std::size_t remaining() const { return data_.size() - pos_; }
  bool empty() const { return remaining() == 0; }

  [[noreturn]] void fail(std::string reason) const { fail_at(offset(), std::move(reason)); }
  [[noreturn]] static void fail_at(std::size_t offset, std::string reason) {
    throw DecodeError(WireError{offset, std::move(reason)});
  }

  std::span<const std::uint8_t> take(std::size_t n, std::string_view what) {
    if (n > remaining()) fail(fmt::format("{} needs {} bytes, {} left", what, n, remaining()));
    auto s = data_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  std::uint8_t u8(std::string_view what) { return take(1, what)[0]; }
  std::uint16_t u16(std::string_view what) {
    auto s = take(2, what);
    return static_cast<std::uint16_t>((s[0] << 8) | s[1]);
  }
  std::uint32_t u32(std::string_view what) {
    auto s = take(4, what);
    return (std::uint32_t{s[0]} << 24) | (std::uint32_t{s[1]} << 16) | (std::uint32_t{s[2]} << 8) | s[3];
  }
  Bytes bytes(std::size_t n, std::string_view what) {
    auto s = take(n, what);
    return Bytes(s.begin(), s.end());
  }
  Bytes rest() { return bytes(remaining(), "rest"); }
  void skip(std::size_t n, std::string_view what) { take(n, what); }
  Reader sub(std::size_t n, std::string_view what) {
    std::size_t at = offset();
    return Reader(take(n, what), at);
  }
  // A body must be consumed exactly: trailing bytes mean a length field lies.
  void finish(std::string_view after) const {
    if (!empty()) fail(fmt::format("{} unexpected bytes after {}", remaining(), after));
  }

 private:
  std::span<const std::uint8_t> data_;
  std::size_t base_;
  std::size_t pos_ = 0;
};

// A substructure with a generic header (proposal, transform): returns its body and Next field.
struct Substructure {
  std::uint8_t next;
  Reader body;
};
Substructure read_substructure(Reader& r, std::string_view what, std::size_t min_length, std::string_view rfc) {
  const std::size_t start = r.offset();
  const std::uint8_t next = r.u8(what);
  r.skip(1, what);  // RESERVED
  const std::uint16_t len = r.u16(what);
  if (len < min_length) Reader::fail_at(start + 2, fmt::format("{} length {} < {} ({})", what, len, min_length, rfc));
  if (len - kGenericHeaderSize > r.remaining())
    Reader::fail_at(start + 2, fmt::format("{} length {} runs past its container ({} bytes left)", what, len,
                                           r.remaining() + kGenericHeaderSize));
  return {next, r.sub(len - kGenericHeaderSize, what)};
}

// Walks a 0/`more`-terminated chain of substructures (proposals, transforms).
template <class F>
void read_chain(Reader& r, std::uint8_t more, std::string_view what, std::string_view rfc, std::size_t min_length,
                F&& each) {
  bool again = !r.empty();
  while (again) {
    const std::size_t start = r.offset();
    Substructure s = read_substructure(r, what, min_length, rfc);
    if (s.next != 0 && s.next != more)
      Reader::fail_at(start, fmt::format("{} Next Payload {} is neither 0 nor {} ({})", what, s.next, more, rfc));
    each(s.body);
    again = s.next == more;
    if (again && r.empty()) r.fail(fmt::format("{} announces another {} but its container ends", what, what));
  }
  r.finish(fmt::format("the last {}", what));
}

std::vector<Attribute> read_attributes(Reader& r) {
  std::vector<Attribute> out;
  while (!r.empty()) {
    const std::uint16_t t = r.u16("attribute type");
    Attribute a;
    a.type = static_cast<std::uint16_t>(t & ~kAttrFormatTv);
    a.tv = (t & kAttrFormatTv) != 0;
    if (a.tv) {
      a.value = r.u16("attribute value");
    } else {
      const std::uint16_t len = r.u16("attribute length");
      a.data = r.bytes(len, "attribute value (TLV)");
    }
    out.push_back(std::move(a));
  }
  return out;
}

void check_count(const Reader& r, std::size_t announced, std::size_t found, std::string_view rfc) {
  if (announced != found) r.fail(fmt::format("proposal announces {} transforms, {} found ({})", announced, found, rfc));
}

// RFC 2408 §3.5 / §3.6.
ProposalV1 read_proposal_v1(Reader& p) {
  ProposalV1 out;
  out.number = p.u8("Proposal #");
  out.protocol = p.u8("Protocol-Id");
  const std::uint8_t spi_size = p.u8("SPI Size");
  const std::uint8_t count = p.u8("# of Transforms");
  out.spi = p.bytes(spi_size, "SPI");
  read_chain(p, kMoreTransforms, "transform", "RFC 2408 §3.6", 8, [&](Reader& t) {
    TransformV1 tr;
    tr.number = t.u8("Transform #");
    tr.id = t.u8("Transform-Id");
    t.skip(2, "RESERVED2");
    tr.attributes = read_attributes(t);
    out.transforms.push_back(std::move(tr));
  });
  check_count(p, count, out.transforms.size(), "RFC 2408 §3.5");
  return out;
}

SaV1 read_sa_v1(Reader& b) {
  SaV1 sa;
  sa.doi = b.u32("DOI");
  if (sa.doi != ikev1::kDoiIpsec) b.fail(fmt::format("SA DOI {}: only the IPsec DOI (1, RFC 2407) is decoded", sa.doi));
  sa.situation = b.u32("Situation");
  if ((sa.situation & ~ikev1::kSitIdentityOnly) != 0)
    b.fail(
        fmt::format("situation {:#x}: secrecy / integrity situations (RFC 2407 §4.2) are not decoded", sa.situation));
  read_chain(b, kMore, "proposal", "RFC 2408 §3.5", 8, [&](Reader& p) { sa.proposals.push_back(read_proposal_v1(p)); });
  return sa;
}

// RFC 7296 §3.3.1 / §3.3.2.
ProposalV2 read_proposal_v2(Reader& p) {
  ProposalV2 out;
  out.number = p.u8("Proposal Num");
  out.protocol = p.u8("Protocol ID");
  const std::uint8_t spi_size = p.u8("SPI Size");
  const std::uint8_t count = p.u8("Num Transforms");
  out.spi = p.bytes(spi_size, "SPI");
  read_chain(p, kMoreTransforms, "transform", "RFC 7296 §3.3.2", 8, [&](Reader& t) {
    TransformV2 tr;
    tr.type = t.u8("Transform Type");
    t.skip(1, "RESERVED");
    tr.id = t.u16("Transform ID");
    tr.attributes = read_attributes(t);
    out.transforms.push_back(std::move(tr));
  });
  check_count(p, count, out.transforms.size(), "RFC 7296 §3.3.1");
  return out;
}

SaV2 read_sa_v2(Reader& b) {
  SaV2 sa;
  read_chain(b, kMore, "proposal", "RFC 7296 §3.3.1", 8,
             [&](Reader& p) { sa.proposals.push_back(read_proposal_v2(p)); });
  return sa;
}

TsV2 read_ts(Reader& b) {
  TsV2 ts;
  const std::uint8_t count = b.u8("Number of TSs");
  b.skip(3, "RESERVED");
  for (unsigned i = 0; i < count; ++i) {
    const std::size_t start = b.offset();
    TrafficSelector s;
    s.type = b.u8("TS Type");
    s.ip_protocol = b.u8("IP Protocol ID");
    const std::uint16_t len = b.u16("Selector Length");
    const std::size_t addr = s.type == ikev2::kTsIpv4AddrRange ? 4 : s.type == ikev2::kTsIpv6AddrRange ? 16 : 0;
    if (addr == 0)
      Reader::fail_at(start, fmt::format("TS Type {} is not decoded (7 and 8 only, RFC 7296 §3.13.1)", s.type));
    if (len != 8 + 2 * addr)
      Reader::fail_at(start + 2, fmt::format("Selector Length {} != {} for TS Type {}", len, 8 + 2 * addr, s.type));
    s.start_port = b.u16("Start Port");
    s.end_port = b.u16("End Port");
    s.start_address = b.bytes(addr, "Starting Address");
    s.end_address = b.bytes(addr, "Ending Address");
    ts.selectors.push_back(std::move(s));
  }
  return ts;
}

Body read_body(IkeVersion v, std::uint8_t type, std::uint8_t next, Reader& b) {
  switch (body_kind(v, type)) {
    case body_index<SaV1>(): return read_sa_v1(b);
    case body_index<SaV2>(): return read_sa_v2(b);
    case body_index<KeV2>(): {
      KeV2 ke;
      ke.group = b.u16("Diffie-Hellman Group Num");
      b.skip(2, "RESERVED");
      ke.data = b.rest();
      return ke;
    }
    case body_index<IdV1>(): {
      IdV1 id;
      id.type = b.u8("ID Type");
      id.protocol = b.u8("Protocol ID");
      id.port = b.u16("Port");
      id.data = b.rest();
      return id;
    }
    case body_index<IdV2>(): {
      IdV2 id;
      id.type = b.u8("ID Type");
      b.skip(3, "RESERVED");
      id.data = b.rest();
      return id;
    }
    case body_index<Cert>(): {
      Cert c;
      c.encoding = b.u8("Cert Encoding");
      c.data = b.rest();
      return c;
    }
    case body_index<CertRequest>(): {
      CertRequest c;
      c.encoding = b.u8("Cert Encoding");
      c.authority = b.rest();
      return c;
    }
    case body_index<AuthV2>(): {
      AuthV2 a;
      a.method = b.u8("Auth Method");
      b.skip(3, "RESERVED");
      a.data = b.rest();
      return a;
    }
    case body_index<NotifyV1>(): {
      NotifyV1 n;
      n.doi = b.u32("DOI");
      n.protocol = b.u8("Protocol-ID");
      const std::uint8_t spi_size = b.u8("SPI Size");
      n.type = b.u16("Notify Message Type");
      n.spi = b.bytes(spi_size, "SPI");
      n.data = b.rest();
      return n;
    }
    case body_index<NotifyV2>(): {
      NotifyV2 n;
      n.protocol = b.u8("Protocol ID");
      const std::uint8_t spi_size = b.u8("SPI Size");
      n.type = b.u16("Notify Message Type");
      n.spi = b.bytes(spi_size, "SPI");
      n.data = b.rest();
      return n;
    }
    case body_index<TsV2>(): return read_ts(b);
    case body_index<Encrypted>(): return Encrypted{next, b.rest()};
    default: return Raw{b.rest()};
  }
}

std::string_view type_label(IkeVersion v, std::uint8_t type) {
  const std::string_view n = payload_name(v, type);
  return n.empty() ? std::string_view("unknown") : n;
}

void read_payloads(Reader& r, IkeVersion v, std::uint8_t next, std::vector<Payload>& out) {
  while (next != 0) {
    const std::uint8_t type = next;
    if (r.empty())
      r.fail(fmt::format("Next Payload announces {} ({}) but the message ends", type_label(v, type), type));
    const std::size_t start = r.offset();
    next = r.u8("Next Payload");
    const std::uint8_t flags = r.u8("generic payload header");
    const std::uint16_t len = r.u16("Payload Length");
    if (len < kGenericHeaderSize)
      Reader::fail_at(start + 2, fmt::format("{} payload length {} < 4 (generic payload header, RFC 2408 §3.2 / "
                                             "RFC 7296 §3.2)",
                                             type_label(v, type), len));
    if (len - kGenericHeaderSize > r.remaining())
      Reader::fail_at(start + 2, fmt::format("{} payload length {} runs past the message end ({} bytes left)",
                                             type_label(v, type), len, r.remaining() + kGenericHeaderSize));
    Reader body = r.sub(len - kGenericHeaderSize, "payload body");
    Payload p{type, v == IkeVersion::V2 && (flags & kCriticalBit) != 0, read_body(v, type, next, body)};
    body.finish(fmt::format("the {} payload body", type_label(v, type)));
    out.push_back(std::move(p));
    if (is_encrypted_payload(v, type)) {
      // RFC 7296 §3.14: its Next Payload names the first inner payload; SK is last.
      if (!r.empty())
        r.fail(fmt::format("{} bytes after the {} payload, which MUST be last (RFC 7296 §3.14)", r.remaining(),
                           type_label(v, type)));
      return;
    }
  }
  // Libreswan pads IKEv1 messages to a multiple of 4 octets (pluto's default `ikepad=yes`; seen
  // on a real MM4: 447 octets of payloads in a 448-octet message). Wireshark accepts it; so do
  // we, and the padding is not kept (encode() sends none).
  if (v == IkeVersion::V1 && r.remaining() < 4) return;
  r.finish("the last payload (Next Payload 0)");
}

IkeMessage read_message(std::span<const std::uint8_t> in) {
  if (in.size() < kHeaderSize)
    Reader::fail_at(0,
                    fmt::format("datagram of {} bytes is shorter than the 28-byte header (RFC 2408 §3.1)", in.size()));
  Reader r(in, 0);
  IkeMessage m;
  auto ispi = r.take(8, "Initiator SPI");
  std::copy(ispi.begin(), ispi.end(), m.header.ispi.begin());
  auto rspi = r.take(8, "Responder SPI");
  std::copy(rspi.begin(), rspi.end(), m.header.rspi.begin());
  const std::uint8_t next = r.u8("Next Payload");
  const std::uint8_t version = r.u8("Version");
  m.header.major = static_cast<std::uint8_t>(version >> 4);
  m.header.minor = static_cast<std::uint8_t>(version & 0x0f);
  m.header.exchange = r.u8("Exchange Type");
  m.header.flags = r.u8("Flags");
  m.header.message_id = r.u32("Message ID");
  const std::uint32_t length = r.u32("Length");
  if (m.header.major != 1 && m.header.major != 2)
    Reader::fail_at(17, fmt::format("major version {} is neither 1 (RFC 2408) nor 2 (RFC 7296)", m.header.major));
  if (length != in.size()) Reader::fail_at(24, fmt::format("header Length {} != datagram size {}", length, in.size()));
  if (m.version() == IkeVersion::V1 && (m.header.flags & ikev1::kFlagEncryption) != 0) {
    m.v1_encrypted = Encrypted{next, r.rest()};  // RFC 2408 §3.1 E flag: ciphertext follows
    return m;
  }
  read_payloads(r, m.version(), next, m.payloads);
  return m;
}

// ---- Writer ----------------------------------------------------------------------------------

class Writer {
 public:
  void u8(std::uint8_t v) { out_.push_back(v); }
  void u16(std::uint16_t v) {
    u8(static_cast<std::uint8_t>(v >> 8));
    u8(static_cast<std::uint8_t>(v));
  }
  void u32(std::uint32_t v) {
    u16(static_cast<std::uint16_t>(v >> 16));
    u16(static_cast<std::uint16_t>(v));
  }
  void bytes(std::span<const std::uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void zeros(std::size_t n) { out_.insert(out_.end(), n, 0); }
  std::size_t size() const { return out_.size(); }
  // Length fields are written after their content: reserve now, patch later.
  std::size_t placeholder16() {
    u16(0);
    return out_.size() - 2;
  }
  void patch16(std::size_t at, std::size_t value, std::string_view what) {
    if (value > 0xffff) throw EncodeError(fmt::format("{} of {} bytes does not fit a 16-bit length", what, value));
    out_[at] = static_cast<std::uint8_t>(value >> 8);
    out_[at + 1] = static_cast<std::uint8_t>(value);
  }
  void patch32(std::size_t at, std::size_t value) {
    for (int i = 0; i < 4; ++i)
      out_[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(value >> (24 - 8 * i));
  }
  Bytes take() && { return std::move(out_); }

 private:
  Bytes out_;
};

std::uint8_t count8(std::size_t n, std::string_view what) {
  if (n > 0xff) throw EncodeError(fmt::format("{} {} does not fit one octet", what, n));
  return static_cast<std::uint8_t>(n);
}

void write_attributes(Writer& w, const std::vector<Attribute>& attrs) {
  for (const Attribute& a : attrs) {
    if (a.type & kAttrFormatTv) throw EncodeError(fmt::format("attribute type {} uses the AF bit", a.type));
    if (a.tv) {
      if (!a.data.empty()) throw EncodeError("TV attribute with TLV data");
      w.u16(static_cast<std::uint16_t>(a.type | kAttrFormatTv));
      w.u16(a.value);
    } else {
      if (a.value != 0) throw EncodeError("TLV attribute with a TV value");
      if (a.data.size() > 0xffff) throw EncodeError("TLV attribute longer than 65535 bytes");
      w.u16(a.type);
      w.u16(static_cast<std::uint16_t>(a.data.size()));
      w.bytes(a.data);
    }
  }
}

// Writes each item as a substructure with a generic header; Next is `more` except on the last.
template <class T, class F>
void write_chain(Writer& w, const std::vector<T>& items, std::uint8_t more, std::string_view what, F&& body) {
  for (std::size_t i = 0; i < items.size(); ++i) {
    w.u8(i + 1 < items.size() ? more : 0);
    w.u8(0);
    const std::size_t len_at = w.placeholder16();
    body(items[i]);
    w.patch16(len_at, w.size() - len_at + 2, what);
  }
}

void write_sa_v1(Writer& w, const SaV1& sa) {
  if (sa.doi != ikev1::kDoiIpsec || (sa.situation & ~ikev1::kSitIdentityOnly) != 0)
    throw EncodeError("SaV1: only the IPsec DOI with SIT_IDENTITY_ONLY is encoded");
  w.u32(sa.doi);
  w.u32(sa.situation);
  write_chain(w, sa.proposals, kMore, "proposal", [&](const ProposalV1& p) {
    w.u8(p.number);
    w.u8(p.protocol);
    w.u8(count8(p.spi.size(), "SPI size"));
    w.u8(count8(p.transforms.size(), "transform count"));
    w.bytes(p.spi);
    write_chain(w, p.transforms, kMoreTransforms, "transform", [&](const TransformV1& t) {
      w.u8(t.number);
      w.u8(t.id);
      w.u16(0);
      write_attributes(w, t.attributes);
    });
  });
}

void write_sa_v2(Writer& w, const SaV2& sa) {
  write_chain(w, sa.proposals, kMore, "proposal", [&](const ProposalV2& p) {
    w.u8(p.number);
    w.u8(p.protocol);
    w.u8(count8(p.spi.size(), "SPI size"));
    w.u8(count8(p.transforms.size(), "transform count"));
    w.bytes(p.spi);
    write_chain(w, p.transforms, kMoreTransforms, "transform", [&](const TransformV2& t) {
      w.u8(t.type);
      w.u8(0);
      w.u16(t.id);
      write_attributes(w, t.attributes);
    });
  });
}

void write_ts(Writer& w, const TsV2& ts) {
  w.u8(count8(ts.selectors.size(), "TS count"));
  w.zeros(3);
  for (const TrafficSelector& s : ts.selectors) {
    const std::size_t addr = s.type == ikev2::kTsIpv4AddrRange ? 4 : s.type == ikev2::kTsIpv6AddrRange ? 16 : 0;
    if (addr == 0 || s.start_address.size() != addr || s.end_address.size() != addr)
      throw EncodeError(fmt::format("traffic selector type {} with {}/{}-byte addresses", s.type,
                                    s.start_address.size(), s.end_address.size()));
    w.u8(s.type);
    w.u8(s.ip_protocol);
    w.u16(static_cast<std::uint16_t>(8 + 2 * addr));
    w.u16(s.start_port);
    w.u16(s.end_port);
    w.bytes(s.start_address);
    w.bytes(s.end_address);
  }
}

void write_body(Writer& w, const Body& body) {
  std::visit(
      [&](const auto& b) {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, Raw>) {
          w.bytes(b.data);
        } else if constexpr (std::is_same_v<T, SaV1>) {
          write_sa_v1(w, b);
        } else if constexpr (std::is_same_v<T, SaV2>) {
          write_sa_v2(w, b);
        } else if constexpr (std::is_same_v<T, KeV2>) {
          w.u16(b.group);
          w.u16(0);
          w.bytes(b.data);
        } else if constexpr (std::is_same_v<T, IdV1>) {
          w.u8(b.type);
          w.u8(b.protocol);
          w.u16(b.port);
          w.bytes(b.data);
        } else if constexpr (std::is_same_v<T, IdV2>) {
          w.u8(b.type);
          w.zeros(3);
          w.bytes(b.data);
        } else if constexpr (std::is_same_v<T, Cert>) {
          w.u8(b.encoding);
          w.bytes(b.data);
        } else if constexpr (std::is_same_v<T, CertRequest>) {
          w.u8(b.encoding);
          w.bytes(b.authority);
        } else if constexpr (std::is_same_v<T, AuthV2>) {
          w.u8(b.method);
          w.zeros(3);
          w.bytes(b.data);
        } else if constexpr (std::is_same_v<T, NotifyV1>) {
          w.u32(b.doi);
          w.u8(b.protocol);
          w.u8(count8(b.spi.size(), "notify SPI size"));
          w.u16(b.type);
          w.bytes(b.spi);
          w.bytes(b.data);
        } else if constexpr (std::is_same_v<T, NotifyV2>) {
          w.u8(b.protocol);
          w.u8(count8(b.spi.size(), "notify SPI size"));
          w.u16(b.type);
          w.bytes(b.spi);
          w.bytes(b.data);
        } else if constexpr (std::is_same_v<T, TsV2>) {
          write_ts(w, b);
        } else if constexpr (std::is_same_v<T, Encrypted>) {
          w.bytes(b.data);
        }
      },
      body);
}

void check_payload(IkeVersion v, const Payload& p, bool last) {
  if (p.type == 0) throw EncodeError("payload type 0 (NONE) cannot be chained");
  if (p.body.index() != body_kind(v, p.type))
    throw EncodeError(fmt::format("IKEv{} payload {} ({}) carries the wrong body kind (variant index {})",
                                  v == IkeVersion::V1 ? 1 : 2, type_label(v, p.type), p.type, p.body.index()));
  if (p.critical && v == IkeVersion::V1) throw EncodeError("the critical bit exists only in IKEv2 (RFC 7296 §3.2)");
  if (is_encrypted_payload(v, p.type) && !last)
    throw EncodeError("the SK payload MUST be the last payload (RFC 7296 §3.14)");
}

std::uint8_t next_of(IkeVersion v, const std::vector<Payload>& ps, std::size_t i) {
  if (is_encrypted_payload(v, ps[i].type)) return std::get<Encrypted>(ps[i].body).inner_next;
  return i + 1 < ps.size() ? ps[i + 1].type : 0;
}

void check_header(const IkeMessage& m) {
  const Header& h = m.header;
  if (h.major != 1 && h.major != 2) throw EncodeError(fmt::format("major version {} is neither 1 nor 2", h.major));
  if (h.minor > 0x0f) throw EncodeError(fmt::format("minor version {} does not fit 4 bits", h.minor));
  const bool v1_e = m.version() == IkeVersion::V1 && (h.flags & ikev1::kFlagEncryption) != 0;
  if (v1_e != m.v1_encrypted.has_value())
    throw EncodeError("an IKEv1 message has an encrypted body exactly when its E flag is set (RFC 2408 §3.1)");
  if (m.v1_encrypted && !m.payloads.empty()) throw EncodeError("an encrypted IKEv1 message has no clear payloads");
}

void write_payloads(Writer& w, IkeVersion v, const std::vector<Payload>& payloads) {
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    const Payload& p = payloads[i];
    check_payload(v, p, i + 1 == payloads.size());
    w.u8(next_of(v, payloads, i));
    w.u8(p.critical ? kCriticalBit : 0);
    const std::size_t len_at = w.placeholder16();
    write_body(w, p.body);
    w.patch16(len_at, w.size() - len_at + 2, fmt::format("payload {}", type_label(v, p.type)));
  }
}

}  // namespace

// ---- Public ------------------------------------------------------------------------------------

std::string WireError::what() const { return fmt::format("offset {}: {}", offset, reason); }

const Payload* IkeMessage::find(std::uint8_t type) const {
  for (const Payload& p : payloads)
    if (p.type == type) return &p;
  return nullptr;
}

std::vector<const Payload*> IkeMessage::all(std::uint8_t type) const {
  std::vector<const Payload*> out;
  for (const Payload& p : payloads)
    if (p.type == type) out.push_back(&p);
  return out;
}

Result<IkeMessage> decode(std::span<const std::uint8_t> datagram) {
  try {
    return read_message(datagram);
  } catch (const DecodeError& e) {
    return e.error();
  }
}

Bytes encode_payloads(IkeVersion v, const std::vector<Payload>& payloads) {
  Writer w;
  write_payloads(w, v, payloads);
  return std::move(w).take();
}

Result<std::vector<Payload>> decode_payloads(IkeVersion v, std::uint8_t first, std::span<const std::uint8_t> data) {
  try {
    Reader r(data, 0);
    std::vector<Payload> out;
    read_payloads(r, v, first, out);
    return out;
  } catch (const DecodeError& e) {
    return e.error();
  }
}

Bytes encode(const IkeMessage& m) {
  check_header(m);
  const IkeVersion v = m.version();
  Writer w;
  w.bytes(m.header.ispi);
  w.bytes(m.header.rspi);
  const std::uint8_t first = m.v1_encrypted ? m.v1_encrypted->inner_next : m.payloads.empty() ? 0 : m.payloads[0].type;
  w.u8(first);
  w.u8(static_cast<std::uint8_t>((m.header.major << 4) | m.header.minor));
  w.u8(m.header.exchange);
  w.u8(m.header.flags);
  w.u32(m.header.message_id);
  w.u32(0);  // Length, patched below
  if (m.v1_encrypted) w.bytes(m.v1_encrypted->data);
  write_payloads(w, v, m.payloads);
  if (w.size() > 0xffffffffu) throw EncodeError("message longer than 2^32 bytes");
  w.patch32(24, w.size());
  return std::move(w).take();
}

}  // namespace ikeconform::wire
