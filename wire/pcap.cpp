// Classic pcap writer and reader for IKE over UDP 500 / 4500 (see pcap.hpp for the choice of a
// hand-written parser). Format: pcap-savefile(5); IPv4 RFC 791; UDP RFC 768; the non-ESP
// marker RFC 3948 §2.2; keepalives RFC 3948 §2.3.
#include "wire/pcap.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "model/input_error.hpp"

namespace ikeconform::wire {

namespace {

constexpr std::uint32_t kMagicMicro = 0xa1b2c3d4;
constexpr std::uint32_t kMagicNano = 0xa1b23c4d;
constexpr std::uint32_t kMagicPcapng = 0x0a0d0d0a;
constexpr std::size_t kFileHeader = 24;
constexpr std::size_t kRecordHeader = 16;
constexpr std::uint16_t kEtherIpv4 = 0x0800;
constexpr std::uint8_t kProtoUdp = 17;
constexpr std::size_t kIpv4Header = 20;
constexpr std::size_t kUdpHeader = 8;
constexpr std::size_t kNonEspMarker = 4;

// ---- Writing -----------------------------------------------------------------------------------

void put16be(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
void put32le(Bytes& b, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void put16le(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v));
  b.push_back(static_cast<std::uint8_t>(v >> 8));
}

// RFC 1071 one's-complement sum over 16-bit big-endian words.
std::uint32_t sum16(std::span<const std::uint8_t> data, std::uint32_t acc = 0) {
  for (std::size_t i = 0; i < data.size(); i += 2) {
    const std::uint32_t hi = data[i];
    const std::uint32_t lo = i + 1 < data.size() ? data[i + 1] : 0;
    acc += (hi << 8) | lo;
  }
  return acc;
}
std::uint16_t fold(std::uint32_t acc) {
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return static_cast<std::uint16_t>(~acc);
}

Bytes ipv4_header(const IkePacket& p, std::size_t udp_length, std::uint16_t id) {
  Bytes h;
  h.push_back(0x45);  // version 4, IHL 5
  h.push_back(0);
  put16be(h, static_cast<std::uint16_t>(kIpv4Header + udp_length));
  put16be(h, id);
  put16be(h, 0x4000);  // DF
  h.push_back(64);     // TTL
  h.push_back(kProtoUdp);
  put16be(h, 0);  // checksum, below
  h.insert(h.end(), p.src.address.octets.begin(), p.src.address.octets.end());
  h.insert(h.end(), p.dst.address.octets.begin(), p.dst.address.octets.end());
  const std::uint16_t c = fold(sum16(h));
  h[10] = static_cast<std::uint8_t>(c >> 8);
  h[11] = static_cast<std::uint8_t>(c);
  return h;
}

// UDP header + payload with the checksum over the RFC 768 pseudo-header.
Bytes udp_datagram(const IkePacket& p, std::span<const std::uint8_t> payload) {
  const std::size_t len = kUdpHeader + payload.size();
  Bytes u;
  put16be(u, p.src.port);
  put16be(u, p.dst.port);
  put16be(u, static_cast<std::uint16_t>(len));
  put16be(u, 0);
  u.insert(u.end(), payload.begin(), payload.end());
  Bytes pseudo(p.src.address.octets.begin(), p.src.address.octets.end());
  pseudo.insert(pseudo.end(), p.dst.address.octets.begin(), p.dst.address.octets.end());
  pseudo.push_back(0);
  pseudo.push_back(kProtoUdp);
  put16be(pseudo, static_cast<std::uint16_t>(len));
  std::uint16_t c = fold(sum16(u, sum16(pseudo)));
  if (c == 0) c = 0xffff;  // RFC 768: zero means "no checksum"
  u[6] = static_cast<std::uint8_t>(c >> 8);
  u[7] = static_cast<std::uint8_t>(c);
  return u;
}

void put_mac(Bytes& b, const Ipv4& a) {
  b.push_back(0x02);  // locally administered, unicast
  b.push_back(0x00);
  b.insert(b.end(), a.octets.begin(), a.octets.end());
}

Bytes frame(const IkePacket& p, LinkType link, std::uint16_t id) {
  Bytes payload;
  if (p.src.port == kNatTPort || p.dst.port == kNatTPort) payload.assign(kNonEspMarker, 0);
  payload.insert(payload.end(), p.datagram.begin(), p.datagram.end());
  const std::size_t max_udp = 0xffff - kIpv4Header;
  if (payload.size() + kUdpHeader > max_udp)
    throw InputError("pcap", 0, fmt::format("IKE datagram of {} bytes does not fit one IPv4 packet", payload.size()));
  Bytes udp = udp_datagram(p, payload);
  Bytes out;
  if (link == LinkType::Ethernet) {
    put_mac(out, p.dst.address);
    put_mac(out, p.src.address);
    put16be(out, kEtherIpv4);
  }
  Bytes ip = ipv4_header(p, udp.size(), id);
  out.insert(out.end(), ip.begin(), ip.end());
  out.insert(out.end(), udp.begin(), udp.end());
  return out;
}

// ---- Reading -----------------------------------------------------------------------------------

struct ByteOrder {
  bool big;
  std::uint32_t u32(std::span<const std::uint8_t> b, std::size_t at) const {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) {
      const std::size_t k = big ? i : 3 - i;
      v = (v << 8) | b[at + k];
    }
    return v;
  }
};

std::uint16_t be16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}

// The IPv4 packet inside a link-layer frame, or empty when it is something else.
std::span<const std::uint8_t> ipv4_of(std::span<const std::uint8_t> f, LinkType link) {
  std::size_t at = 0;
  std::uint16_t proto = 0;
  switch (link) {
    case LinkType::Ethernet:
      if (f.size() < 14) return {};
      proto = be16(f, 12);
      at = 14;
      while ((proto == 0x8100 || proto == 0x88a8 || proto == 0x9100) && f.size() >= at + 4) {  // 802.1Q / QinQ
        proto = be16(f, at + 2);
        at += 4;
      }
      break;
    case LinkType::Raw: return !f.empty() && (f[0] >> 4) == 4 ? f : std::span<const std::uint8_t>{};
    case LinkType::LinuxSll:
      if (f.size() < 16) return {};
      proto = be16(f, 14);
      at = 16;
      break;
    case LinkType::LinuxSll2:
      if (f.size() < 20) return {};
      proto = be16(f, 0);
      at = 20;
      break;
  }
  return proto == kEtherIpv4 ? f.subspan(at) : std::span<const std::uint8_t>{};
}

struct Udp {
  Endpoint src, dst;
  std::span<const std::uint8_t> payload;
};

std::optional<Udp> udp_of(std::span<const std::uint8_t> ip) {
  if (ip.size() < kIpv4Header || (ip[0] >> 4) != 4) return std::nullopt;
  const std::size_t ihl = std::size_t{ip[0] & 0x0fu} * 4;
  const std::size_t total = be16(ip, 2);
  if (ihl < kIpv4Header || total < ihl || total > ip.size()) return std::nullopt;
  if ((be16(ip, 6) & 0x3fff) != 0 || ip[9] != kProtoUdp) return std::nullopt;  // fragment, or not UDP
  auto seg = ip.subspan(ihl, total - ihl);
  if (seg.size() < kUdpHeader) return std::nullopt;
  const std::size_t ulen = be16(seg, 4);
  if (ulen < kUdpHeader || ulen > seg.size()) return std::nullopt;
  Udp u;
  std::copy_n(ip.begin() + 12, 4, u.src.address.octets.begin());
  std::copy_n(ip.begin() + 16, 4, u.dst.address.octets.begin());
  u.src.port = be16(seg, 0);
  u.dst.port = be16(seg, 2);
  u.payload = seg.subspan(kUdpHeader, ulen - kUdpHeader);
  return u;
}

// The IKE message of a UDP datagram: 4500 behind the non-ESP marker (also 500 <-> 4500, as a NAT
// can map ports: the writer adds the marker whenever either port is 4500), else 500 as is.
std::optional<std::span<const std::uint8_t>> ike_of(const Udp& u) {
  auto on = [&](std::uint16_t port) { return u.src.port == port || u.dst.port == port; };
  if (!on(kNatTPort)) return on(kIkePort) ? std::optional(u.payload) : std::nullopt;
  if (u.payload.size() < kNonEspMarker) return std::nullopt;  // 0xFF keepalive (RFC 3948 §2.3)
  if (!std::all_of(u.payload.begin(), u.payload.begin() + kNonEspMarker, [](std::uint8_t b) { return b == 0; }))
    return std::nullopt;  // ESP
  return u.payload.subspan(kNonEspMarker);
}

LinkType link_type(std::uint32_t network, std::string_view name) {
  switch (network & 0x0fffffff) {  // upper bits: FCS length (pcap-savefile(5))
    case 1: return LinkType::Ethernet;
    case 101: return LinkType::Raw;
    case 113: return LinkType::LinuxSll;
    case 276: return LinkType::LinuxSll2;
    default: throw InputError(std::string(name), 0, fmt::format("unsupported pcap link type {}", network));
  }
}

}  // namespace

Ipv4 Ipv4::parse(std::string_view dotted) {
  Ipv4 a;
  const std::string s(dotted);
  if (inet_pton(AF_INET, s.c_str(), a.octets.data()) != 1)
    throw InputError("address", 0, fmt::format("\"{}\" is not an IPv4 address", dotted));
  return a;
}

std::string Ipv4::str() const { return fmt::format("{}.{}.{}.{}", octets[0], octets[1], octets[2], octets[3]); }

IkePacket make_packet(std::chrono::nanoseconds t, Endpoint src, Endpoint dst, IkeMessage m) {
  IkePacket p;
  p.timestamp = t;
  p.src = src;
  p.dst = dst;
  p.datagram = encode(m);
  p.message = std::move(m);
  return p;
}

Bytes pcap_bytes(std::span<const IkePacket> packets, LinkType link) {
  if (link != LinkType::Ethernet && link != LinkType::Raw)
    throw InputError("pcap", 0, "the writer supports Ethernet and raw IPv4 link types only");
  Bytes out;
  put32le(out, kMagicMicro);
  put16le(out, 2);  // version 2.4
  put16le(out, 4);
  put32le(out, 0);  // thiszone
  put32le(out, 0);  // sigfigs
  put32le(out, 262144);
  put32le(out, static_cast<std::uint32_t>(link));
  std::uint16_t id = 1;
  for (const IkePacket& p : packets) {
    Bytes f = frame(p, link, id++);
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(p.timestamp).count();
    put32le(out, static_cast<std::uint32_t>(us / 1000000));
    put32le(out, static_cast<std::uint32_t>(us % 1000000));
    put32le(out, static_cast<std::uint32_t>(f.size()));
    put32le(out, static_cast<std::uint32_t>(f.size()));
    out.insert(out.end(), f.begin(), f.end());
  }
  return out;
}

void write_pcap(const std::filesystem::path& file, std::span<const IkePacket> packets, LinkType link) {
  const Bytes b = pcap_bytes(packets, link);
  std::ofstream f(file, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  if (!f) throw InputError(file.string(), 0, "cannot write the capture");
}

std::vector<IkePacket> parse_ike_packets(std::span<const std::uint8_t> pcap, std::string_view name) {
  if (pcap.size() < kFileHeader) throw InputError(std::string(name), 0, "shorter than a pcap file header");
  const ByteOrder le{false};
  const std::uint32_t magic = le.u32(pcap, 0);
  if (magic == kMagicPcapng)
    throw InputError(std::string(name), 0, "pcapng is not supported; convert with `editcap -F pcap IN OUT`");
  ByteOrder order{false};
  bool nano = false;
  if (magic == kMagicMicro || magic == kMagicNano) {
    nano = magic == kMagicNano;
  } else if (ByteOrder{true}.u32(pcap, 0) == kMagicMicro || ByteOrder{true}.u32(pcap, 0) == kMagicNano) {
    order.big = true;
    nano = ByteOrder{true}.u32(pcap, 0) == kMagicNano;
  } else {
    throw InputError(std::string(name), 0, fmt::format("not a pcap file (magic {:#010x})", magic));
  }
  const LinkType link = link_type(order.u32(pcap, 20), name);
  std::vector<IkePacket> out;
  std::size_t at = kFileHeader;
  while (pcap.size() - at >= kRecordHeader) {
    const std::uint32_t sec = order.u32(pcap, at);
    const std::uint32_t sub = order.u32(pcap, at + 4);
    const std::size_t incl = order.u32(pcap, at + 8);
    at += kRecordHeader;
    if (incl > pcap.size() - at) break;  // truncated last record
    auto f = pcap.subspan(at, incl);
    at += incl;
    auto udp = udp_of(ipv4_of(f, link));
    if (!udp) continue;
    auto ike = ike_of(*udp);
    if (!ike) continue;
    IkePacket p;
    p.timestamp = std::chrono::seconds(sec) + (nano ? std::chrono::nanoseconds(sub) : std::chrono::microseconds(sub));
    p.src = udp->src;
    p.dst = udp->dst;
    p.datagram.assign(ike->begin(), ike->end());
    Result<IkeMessage> m = decode(p.datagram);
    if (m) {
      p.message = std::move(m).value();
    } else {
      p.error = m.error();
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<IkePacket> read_ike_packets(const std::filesystem::path& file) {
  std::ifstream f(file, std::ios::binary);
  if (!f) throw InputError(file.string(), 0, "cannot open the capture");
  const Bytes b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return parse_ike_packets(b, file.string());
}

namespace {

bool starts_sa(const IkePacket& p) { return p.message && p.message->header.rspi == Spi{} && !p.message->is_response(); }

bool has_clear(const IkeMessage& m, std::uint8_t type) { return !m.v1_encrypted && m.find(type) != nullptr; }

}  // namespace

std::optional<ExchangeCertReqs> extract_certreqs(std::span<const IkePacket> packets, const CaTables& t,
                                                 std::optional<Spi> ispi) {
  auto first = std::find_if(packets.begin(), packets.end(), [&](const IkePacket& p) {
    return starts_sa(p) && (!ispi || p.message->header.ispi == *ispi);
  });
  if (first == packets.end()) return std::nullopt;
  ExchangeCertReqs x;
  x.ispi = first->message->header.ispi;
  x.version = first->message->version();
  const Ipv4 initiator = first->src.address;
  for (const IkePacket& p : packets) {
    if (!p.message || p.message->header.ispi != x.ispi || p.message->version() != x.version) continue;
    const IkeMessage& m = *p.message;
    const bool from_i = p.src.address == initiator;
    bool* seen = from_i ? &x.initiator_message_seen : &x.responder_message_seen;
    auto* list = from_i ? &x.from_initiator : &x.from_responder;
    bool wanted = false;
    if (x.version == IkeVersion::V1) {
      wanted = m.header.exchange == ikev1::kIdentityProtection && has_clear(m, ikev1::kKE);  // MM3 / MM4
    } else if (from_i) {
      // Encrypted as SK, or as SKF fragments (RFC 7383; Libreswan fragments IKE_AUTH with certificates).
      wanted = m.header.exchange == ikev2::kIkeAuth && !m.is_response() && m.find(ikev2::kSK) == nullptr &&
               m.find(ikev2::kSKF) == nullptr;
    } else {
      wanted = m.header.exchange == ikev2::kIkeSaInit && m.is_response() && m.find(ikev2::kKE) != nullptr;
    }
    if (wanted && !*seen) {
      *seen = true;
      *list = certreqs_in(m, t);
    }
  }
  return x;
}

}  // namespace ikeconform::wire
