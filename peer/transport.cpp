#include "peer/transport.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace ikeconform::peer {

namespace {

[[noreturn]] void fail(const std::string& what) { throw TransportError(what + ": " + std::strerror(errno)); }

sockaddr_in ipv4(const std::string& address, std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  if (inet_pton(AF_INET, address.c_str(), &a.sin_addr) != 1) throw TransportError("not an IPv4 address: " + address);
  return a;
}

int bound_socket(const std::string& address, std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) fail("socket");
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  const sockaddr_in a = ipv4(address, port);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
    const int e = errno;
    ::close(fd);
    errno = e;
    fail(fmt::format("bind {}:{}", address, port));
  }
  return fd;
}

// Enters /var/run/netns/NAME for this thread until destroyed.
class InNamespace {
 public:
  explicit InNamespace(const std::string& name) {
    if (name.empty()) return;
    own_ = ::open(fmt::format("/proc/self/task/{}/ns/net", ::syscall(SYS_gettid)).c_str(), O_RDONLY | O_CLOEXEC);
    if (own_ < 0) fail("open own network namespace");
    const int target = ::open(("/var/run/netns/" + name).c_str(), O_RDONLY | O_CLOEXEC);
    if (target < 0) {
      ::close(own_);
      fail("open network namespace " + name);
    }
    const int r = ::setns(target, CLONE_NEWNET);
    ::close(target);
    if (r != 0) {
      ::close(own_);
      fail("setns " + name);
    }
  }
  ~InNamespace() {
    if (own_ < 0) return;
    if (::setns(own_, CLONE_NEWNET) != 0) std::abort();  // a thread left in the wrong namespace is worse
    ::close(own_);
  }
  InNamespace(const InNamespace&) = delete;
  InNamespace& operator=(const InNamespace&) = delete;

 private:
  int own_ = -1;
};

constexpr std::size_t kNonEspMarker = 4;  // RFC 3948 §2.2

}  // namespace

UdpTransport::UdpTransport(const std::string& address, const std::string& netns, std::uint16_t port,
                           std::uint16_t port_nat_t)
    : address_(address), port_(port), port_nat_t_(port_nat_t) {
  InNamespace in(netns);
  fd_ = bound_socket(address, port);
  try {
    if (port_nat_t) fd_nat_t_ = bound_socket(address, port_nat_t);
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd_ < 0) fail("eventfd");
  } catch (...) {
    ::close(fd_);
    if (fd_nat_t_ >= 0) ::close(fd_nat_t_);
    throw;
  }
}

UdpTransport::~UdpTransport() {
  if (fd_ >= 0) ::close(fd_);
  if (fd_nat_t_ >= 0) ::close(fd_nat_t_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void UdpTransport::wake() {
  const std::uint64_t one = 1;
  if (::write(wake_fd_, &one, sizeof one) < 0 && errno != EAGAIN) fail("eventfd write");
}

void UdpTransport::send(const std::string& to_address, std::uint16_t to_port, const wire::Bytes& data,
                        std::uint16_t local_port) {
  const bool nat_t = local_port == port_nat_t_ && fd_nat_t_ >= 0;
  wire::Bytes out;
  if (nat_t) out.assign(kNonEspMarker, 0);
  out.insert(out.end(), data.begin(), data.end());
  const sockaddr_in a = ipv4(to_address, to_port);
  if (::sendto(nat_t ? fd_nat_t_ : fd_, out.data(), out.size(), 0, reinterpret_cast<const sockaddr*>(&a), sizeof a) < 0)
    fail(fmt::format("sendto {}:{}", to_address, to_port));
  ++sent_;
  if (tap_) tap_(true, to_address, to_port, nat_t ? port_nat_t_ : port_, data);
}

std::optional<Datagram> UdpTransport::receive(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                            std::chrono::steady_clock::now());
    if (left.count() < 0) return std::nullopt;
    pollfd fds[3] = {{fd_, POLLIN, 0}, {fd_nat_t_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};  // poll skips fd -1
    const int n = ::poll(fds, 3, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("poll");
    if (n == 0) return std::nullopt;
    if ((fds[2].revents & POLLIN) && !(fds[0].revents & POLLIN) && !(fds[1].revents & POLLIN)) {
      std::uint64_t count = 0;  // datagrams first: a wake only ends a wait with nothing to read
      if (::read(wake_fd_, &count, sizeof count) < 0 && errno != EAGAIN) fail("eventfd read");
      return std::nullopt;
    }
    for (int i = 0; i < 2; ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      wire::Bytes buf(65536);
      sockaddr_in from{};
      socklen_t len = sizeof from;
      const ssize_t got = ::recvfrom(fds[i].fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (got < 0) fail("recvfrom");
      buf.resize(static_cast<std::size_t>(got));
      Datagram d;
      char text[INET_ADDRSTRLEN] = {};
      ::inet_ntop(AF_INET, &from.sin_addr, text, sizeof text);
      d.from_address = text;
      d.from_port = ntohs(from.sin_port);
      d.local_port = i == 0 ? port_ : port_nat_t_;
      if (i == 1) {
        // Only IKE after a zero non-ESP marker; a lone 0xff is a NAT keepalive, anything else ESP.
        if (buf.size() < kNonEspMarker || buf[0] || buf[1] || buf[2] || buf[3]) continue;
        buf.erase(buf.begin(), buf.begin() + kNonEspMarker);
      }
      d.data = std::move(buf);
      if (tap_) tap_(false, d.from_address, d.from_port, d.local_port, d.data);
      return d;
    }
  }
}

void serve_datagrams(UdpTransport& t, std::chrono::milliseconds duration, const std::function<bool()>& done,
                     const std::function<void(const Datagram&)>& handle) {
  using std::chrono::milliseconds;
  const auto deadline = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done && done()) return;
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (auto d = t.receive(std::min(milliseconds(50), left))) handle(*d);
  }
}

std::chrono::milliseconds receive_slice(const std::atomic<bool>* abandon,
                                        std::chrono::steady_clock::time_point deadline) {
  using std::chrono::milliseconds;
  const auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
  return abandon ? std::min(left, milliseconds(10)) : left;
}

}  // namespace ikeconform::peer
