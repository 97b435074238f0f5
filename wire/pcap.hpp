// Captures of IKE traffic: a classic-pcap writer (IPv4 + UDP with correct checksums) and a
// reader for what `tcpdump -i VETH -w FILE udp port 500 or udp port 4500` writes.
//
// Hand-written rather than libpcap: the classic format is a 24-byte header plus 16-byte record
// headers (https://www.tcpdump.org/manpages/pcap-savefile.5.html), a byte parser is easy to
// bound-check and fuzz, works on memory buffers, and adds no link dependency. pcapng files
// (tshark's default) are refused with a hint to convert them (`editcap -F pcap`).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "wire/ike.hpp"

namespace ikeconform::wire {

struct Ipv4 {
  std::array<std::uint8_t, 4> octets{};
  static Ipv4 parse(std::string_view dotted);  // throws InputError
  std::string str() const;
  friend bool operator==(const Ipv4&, const Ipv4&) = default;
};

struct Endpoint {
  Ipv4 address;
  std::uint16_t port = 500;
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

inline constexpr std::uint16_t kIkePort = 500;
inline constexpr std::uint16_t kNatTPort = 4500;  // RFC 3948: IKE behind a 4-byte non-ESP marker

// One IKE datagram of a capture or of a predicted ladder.
struct IkePacket {
  std::chrono::nanoseconds timestamp{};  // since the Unix epoch
  Endpoint src;
  Endpoint dst;
  Bytes datagram;                     // the IKE message bytes (non-ESP marker removed)
  std::optional<IkeMessage> message;  // decode(datagram) when it decoded
  std::optional<WireError> error;     // why it did not
  std::string note;                   // free text for humans (ladder: what the model predicts)
};
// An IkePacket from a message: datagram = encode(m).
IkePacket make_packet(std::chrono::nanoseconds t, Endpoint src, Endpoint dst, IkeMessage m);

enum class LinkType : std::uint32_t { Ethernet = 1, Raw = 101, LinuxSll = 113, LinuxSll2 = 276 };

// Classic pcap, little-endian, microsecond timestamps. Each packet becomes IPv4 + UDP (+ an
// Ethernet header with locally administered MACs derived from the addresses); a datagram to or
// from port 4500 gets the non-ESP marker. Writing supports Ethernet and Raw only.
Bytes pcap_bytes(std::span<const IkePacket> packets, LinkType link = LinkType::Ethernet);
void write_pcap(const std::filesystem::path& file, std::span<const IkePacket> packets,
                LinkType link = LinkType::Ethernet);  // throws InputError when it cannot write

// Every UDP 500 / 4500 IKE datagram of a classic pcap (Ethernet with optional VLAN tags, raw
// IPv4, Linux cooked v1/v2), decoded. Skipped: other traffic, IP fragments (no reassembly),
// IPv6, ESP-in-UDP and NAT keepalives on 4500. A truncated last record (capture killed) is
// dropped. A file that is not a classic pcap throws InputError.
std::vector<IkePacket> read_ike_packets(const std::filesystem::path& file);
std::vector<IkePacket> parse_ike_packets(std::span<const std::uint8_t> pcap, std::string_view name = "pcap");

// CERT_REQ / CERTREQ lists of one IKE SA in a capture: IKEv1 MM3 (initiator) / MM4 (responder),
// IKEv2 IKE_AUTH request (only when in clear, as the model ladder renders it) / IKE_SA_INIT
// response. The IKE SA is `ispi`, or the first one started in the capture (Responder SPI
// zero); the initiator is the sender of that first message.
struct ExchangeCertReqs {
  IkeVersion version = IkeVersion::V1;
  Spi ispi{};
  bool initiator_message_seen = false;  // MM3 / clear IKE_AUTH request found
  bool responder_message_seen = false;  // MM4 / IKE_SA_INIT response found
  std::vector<WireCertReq> from_initiator;
  std::vector<WireCertReq> from_responder;
};
std::optional<ExchangeCertReqs> extract_certreqs(std::span<const IkePacket> packets, const CaTables& t,
                                                 std::optional<Spi> ispi = std::nullopt);

}  // namespace ikeconform::wire
