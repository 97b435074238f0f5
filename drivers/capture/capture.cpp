// AF_PACKET capture inside a network namespace (packet(7)), written as classic pcap
// (pcap-savefile(5)) so that wire::parse_ike_packets() and tshark read the very same bytes.
#include "drivers/capture/capture.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "drivers/pki/pki.hpp"

namespace ikeconform::capture {

namespace {

std::runtime_error sys_error(const std::string& what) {
  return std::runtime_error("capture: " + what + ": " + std::strerror(errno));
}

void put32le(wire::Bytes& b, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void put16le(wire::Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v));
  b.push_back(static_cast<std::uint8_t>(v >> 8));
}

constexpr std::uint32_t kSnapLen = 65535;

// IKE's frames only (UDP 500 / 4500 over IPv4, and IPv4 fragments of UDP, which carry no port
// after the first), so that a saved capture is all ISAKMP: the veth also sees ARP and IPv6
// neighbour discovery.
bool is_ike_frame(std::span<const std::uint8_t> f) {
  std::size_t at = 12;
  auto u16 = [&](std::size_t i) { return static_cast<unsigned>(f[i] << 8 | f[i + 1]); };
  if (f.size() < at + 2) return false;
  while (u16(at) == 0x8100 || u16(at) == 0x88a8) at += 4;  // VLAN tags
  if (f.size() < at + 2 + 20 || u16(at) != 0x0800) return false;
  const std::size_t ip = at + 2;
  if ((f[ip] >> 4) != 4 || f[ip + 9] != 17) return false;
  const std::size_t ihl = static_cast<std::size_t>(f[ip] & 0x0f) * 4;
  if ((u16(ip + 6) & 0x1fff) != 0) return true;  // a later fragment of a UDP datagram
  const std::size_t udp = ip + ihl;
  if (f.size() < udp + 4) return false;
  auto ike = [](unsigned port) { return port == 500 || port == 4500; };
  return ike(u16(udp)) || ike(u16(udp + 2));
}

wire::Bytes pcap_file_header() {
  wire::Bytes b;
  put32le(b, 0xa1b2c3d4);  // microsecond timestamps
  put16le(b, 2);
  put16le(b, 4);
  put32le(b, 0);  // thiszone
  put32le(b, 0);  // sigfigs
  put32le(b, kSnapLen);
  put32le(b, 1);  // LINKTYPE_ETHERNET: a veth gives Ethernet frames
  return b;
}

void pcap_record(wire::Bytes& b, const timespec& ts, std::span<const std::uint8_t> frame, std::size_t wire_len) {
  put32le(b, static_cast<std::uint32_t>(ts.tv_sec));
  put32le(b, static_cast<std::uint32_t>(ts.tv_nsec / 1000));
  put32le(b, static_cast<std::uint32_t>(frame.size()));
  put32le(b, static_cast<std::uint32_t>(wire_len));
  b.insert(b.end(), frame.begin(), frame.end());
}

// The socket has to be made by a thread that sits in the target namespace; it stays bound to
// that namespace afterwards. A helper thread keeps the harness's own threads where they are.
int open_in_namespace(const std::string& netns, const std::string& ifname, int rcvbuf) {
  int fd = -1;
  std::string error;
  std::thread t([&] {
    const std::string path = "/var/run/netns/" + netns;
    const int nsfd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (nsfd < 0) {
      error = sys_error("open " + path).what();
      return;
    }
    const int entered = ::setns(nsfd, CLONE_NEWNET);
    ::close(nsfd);
    if (entered != 0) {
      error = sys_error("setns " + netns).what();
      return;
    }
    const int s = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_ALL));
    if (s < 0) {
      error = sys_error("socket(AF_PACKET) (needs CAP_NET_RAW)").what();
      return;
    }
    const unsigned index = ::if_nametoindex(ifname.c_str());
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = static_cast<int>(index);
    const int on = 1;
    if (index == 0 || ::bind(s, reinterpret_cast<const sockaddr*>(&sll), sizeof sll) != 0 ||
        ::setsockopt(s, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) != 0) {
      error = sys_error("bind to " + ifname + " in " + netns).what();
      ::close(s);
      return;
    }
    // Force beyond rmem_max (root): a handshake burst must never be dropped between two reads.
    if (::setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0)
      ::setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    fd = s;
  });
  t.join();
  if (fd < 0) throw std::runtime_error(error);
  return fd;
}

}  // namespace

void Captured::save(const std::filesystem::path& file) const {
  std::ofstream f(file, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(pcap.data()), static_cast<std::streamsize>(pcap.size()));
  if (!f) throw std::runtime_error("capture: cannot write " + file.string());
}

Capture::Capture(const std::string& netns, const std::string& ifname, int receive_buffer)
    : fd_(open_in_namespace(netns, ifname, receive_buffer)) {}

Capture::~Capture() {
  if (fd_ >= 0) ::close(fd_);
}

void Capture::begin() { read_into(nullptr); }

Captured Capture::end() {
  Captured c;
  c.pcap = pcap_file_header();
  read_into(&c);
  tpacket_stats stats{};
  socklen_t len = sizeof stats;
  if (::getsockopt(fd_, SOL_PACKET, PACKET_STATISTICS, &stats, &len) == 0) c.dropped = stats.tp_drops;
  c.packets = wire::parse_ike_packets(c.pcap, "capture");
  return c;
}

// Reads until the queue is empty; `out` null: discard.
void Capture::read_into(Captured* out) {
  std::vector<std::uint8_t> buf(kSnapLen);
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
  for (;;) {
    iovec iov{buf.data(), buf.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    const ssize_t n = ::recvmsg(fd_, &msg, MSG_TRUNC);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      throw sys_error("recvmsg");
    }
    if (!out) continue;
    timespec ts{};
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
    const auto wire_len = static_cast<std::size_t>(n);
    const std::span<const std::uint8_t> frame(buf.data(), std::min(wire_len, buf.size()));
    ++out->frames;
    if (is_ike_frame(frame)) pcap_record(out->pcap, ts, frame, wire_len);
  }
}

// ---------------------------------------------------------------------------------------------

namespace {

wire::CaTables tables(const Scenario& s, const pki::Pki& pki) {
  std::vector<wire::Bytes> hashes;
  for (const Ca& ca : s.cas) {
    const pki::CaMaterial* m = pki.ca(ca.id);
    hashes.push_back(m ? wire::Bytes(m->spki_sha1.begin(), m->spki_sha1.end()) : wire::Bytes{});
  }
  // Predefined trustpoints keep their placeholder hashes: no real stack here ever names them.
  wire::CaTables t = wire::ca_tables(s, true);
  for (std::size_t i = 0; i < hashes.size(); ++i)
    if (!hashes[i].empty()) t.spki_sha1[i] = hashes[i];
  return t;
}

}  // namespace

WireCertReqs wire_certreqs(const Scenario& s, const pki::Pki& pki, std::uint8_t initiator,
                           const std::vector<wire::IkePacket>& packets) {
  WireCertReqs w;
  for (const wire::IkePacket& p : packets) {
    ++w.ike_packets;
    if (!p.message) ++w.undecodable;
  }
  const auto x = wire::extract_certreqs(packets, tables(s, pki));
  if (!x) return w;
  const auto responder = static_cast<std::uint8_t>(1 - initiator);
  // IKEv2: the initiator's CERTREQ travels in IKE_AUTH, encrypted (SK or SKF) in a real capture.
  // emplace + push_back, not optional = small_vector: GCC 12 -O2 warns (-Wstringop-overread)
  // about boost::small_vector's move into an optional, a false positive.
  auto fill = [&](std::optional<CertReqList>& out, const std::vector<wire::WireCertReq>& reqs, std::uint8_t sender) {
    out.emplace();
    for (const CertReq& c : wire::to_certreq_list(reqs, s, sender)) out->push_back(c);
  };
  if (x->initiator_message_seen && x->version == IkeVersion::V1) fill(w.from_initiator, x->from_initiator, initiator);
  if (x->responder_message_seen) fill(w.from_responder, x->from_responder, responder);
  return w;
}

std::string describe(const Scenario& s, const CertReqList& l) {
  std::string out = "[";
  for (const CertReq& c : l) {
    if (out.size() > 1) out += ", ";
    const std::size_t i = static_cast<std::size_t>(c.ca);
    out += c.ca >= 0 && i < s.cas.size() ? s.cas[i].id : c.ca == kNone ? "?" : ca_dn(s, c.ca);
  }
  return out + "]";
}

}  // namespace ikeconform::capture
