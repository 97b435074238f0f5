// VICI client over a unix stream socket. Every read and write waits with poll() against a
// deadline; the socket is non-blocking so that a partial write can never block past it.
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "drivers/vici/vici.hpp"

namespace ikeconform::vici {

namespace {

using Clock = std::chrono::steady_clock;

std::string sys_error(const std::string& what) { return what + ": " + std::strerror(errno); }

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 1 << 30));
}

// Waits until fd is ready for `events` or the deadline passes (TimeoutError).
void wait_ready(int fd, short events, Clock::time_point deadline, const char* what) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, remaining_ms(deadline));
    if (n > 0) return;  // POLLHUP / POLLERR surface in the following read or write
    if (n == 0) throw TimeoutError(std::string("VICI: timed out while ") + what);
    if (errno != EINTR) throw TransportError(sys_error(std::string("VICI: poll while ") + what));
  }
}

void write_all(int fd, std::string_view bytes, Clock::time_point deadline) {
  while (!bytes.empty()) {
    wait_ready(fd, POLLOUT, deadline, "writing");
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      throw TransportError(sys_error("VICI: write"));
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

void read_exact(int fd, char* out, std::size_t len, Clock::time_point deadline) {
  while (len > 0) {
    wait_ready(fd, POLLIN, deadline, "reading");
    const ssize_t n = ::recv(fd, out, len, 0);
    if (n == 0) throw TransportError("VICI: the daemon closed the connection");
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      throw TransportError(sys_error("VICI: read"));
    }
    out += n;
    len -= static_cast<std::size_t>(n);
  }
}

std::string socket_path(std::string_view uri) {
  constexpr std::string_view kScheme = "unix://";
  if (uri.substr(0, kScheme.size()) == kScheme) uri.remove_prefix(kScheme.size());
  return std::string(uri);
}

int open_socket(const std::string& path, Clock::time_point deadline) {
  sockaddr_un addr{};
  if (path.size() >= sizeof(addr.sun_path)) throw TransportError("VICI: socket path too long: " + path);
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) throw TransportError(sys_error("VICI: socket"));
  // reinterpret_cast is the sockets API's own convention (sockaddr_un -> sockaddr).
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0) return fd;
  if (errno == EINPROGRESS || errno == EAGAIN) {
    try {
      wait_ready(fd, POLLOUT, deadline, "connecting");
    } catch (...) {
      ::close(fd);
      throw;
    }
    int err = 0;
    socklen_t len = sizeof(err);
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) return fd;
    errno = err;
  }
  const std::string msg = sys_error("VICI: connect to " + path);
  ::close(fd);
  throw TransportError(msg);
}

Millis socket_timeout_for(Millis daemon_timeout) {
  // The daemon answers at its own timeout; give it time to say so before we give up.
  return daemon_timeout + Millis{2000};
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Connection lifetime

Client Client::connect(std::string_view uri, Millis timeout) {
  return Client(open_socket(socket_path(uri), Clock::now() + timeout));
}

Client::~Client() { close(); }

Client::Client(Client&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      timeout_(other.timeout_),
      registered_(std::move(other.registered_)),
      queue_(std::move(other.queue_)),
      dropped_(other.dropped_) {}

Client& Client::operator=(Client&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    timeout_ = other.timeout_;
    registered_ = std::move(other.registered_);
    queue_ = std::move(other.queue_);
    dropped_ = other.dropped_;
  }
  return *this;
}

void Client::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

// ---------------------------------------------------------------------------------------------
// Packet I/O

void Client::send(const Packet& p, Clock::time_point deadline) {
  if (fd_ < 0) throw TransportError("VICI: not connected");
  write_all(fd_, frame(encode_packet(p)), deadline);
}

Packet Client::receive(Clock::time_point deadline) {
  if (fd_ < 0) throw TransportError("VICI: not connected");
  unsigned char len_bytes[4];
  read_exact(fd_, reinterpret_cast<char*>(len_bytes), sizeof(len_bytes), deadline);
  const std::size_t len = (std::size_t{len_bytes[0]} << 24U) | (std::size_t{len_bytes[1]} << 16U) |
                          (std::size_t{len_bytes[2]} << 8U) | std::size_t{len_bytes[3]};
  if (len == 0 || len > kMaxSegment) {
    close();  // the stream is out of sync: nothing after this can be trusted
    throw DecodeError("VICI: segment length " + std::to_string(len) + " out of range");
  }
  std::string segment(len, '\0');
  read_exact(fd_, segment.data(), len, deadline);
  return decode_packet(segment);
}

bool Client::readable_now() {
  pollfd p{fd_, POLLIN, 0};
  return fd_ >= 0 && ::poll(&p, 1, 0) > 0;
}

void Client::queue_event(Packet&& p) {
  if (queue_.size() >= kMaxQueued) {
    queue_.pop_front();  // bounded: a chatty `log` registration must not grow without end
    ++dropped_;
  }
  queue_.push_back(Event{std::move(p.name), std::move(p.message)});
}

Packet Client::await_reply(Clock::time_point deadline, std::string_view stream_event,
                           const std::function<void(const Message&)>& on_event) {
  for (;;) {
    Packet p = receive(deadline);
    if (p.type != PacketType::Event) return p;
    if (!stream_event.empty() && p.name == stream_event) {
      if (on_event) on_event(p.message);
    } else {
      queue_event(std::move(p));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Commands and events

Message Client::request(std::string_view cmd, const Message& msg, Millis timeout) {
  return streamed(cmd, msg, {}, {}, timeout);
}

Message Client::streamed(std::string_view cmd, const Message& msg, std::string_view event,
                         const std::function<void(const Message&)>& on_event, Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  if (!event.empty()) ensure_registered(event, deadline);
  Packet reply;
  try {
    send(Packet{PacketType::CmdRequest, std::string(cmd), msg}, deadline);
    reply = await_reply(deadline, event, on_event);
  } catch (...) {
    // A reply may still be on its way; with no sequence numbers it would be taken for the
    // answer to the next command. The connection is unusable: close it.
    close();
    throw;
  }
  if (reply.type == PacketType::CmdUnknown)
    throw CommandError("VICI: the daemon does not know command '" + std::string(cmd) + "'");
  if (reply.type != PacketType::CmdResponse)
    throw TransportError("VICI: expected CMD_RESPONSE to '" + std::string(cmd) + "', got " +
                         std::string(packet_type_name(reply.type)));
  return std::move(reply.message);
}

void Client::event_registration(PacketType type, std::string_view name, Clock::time_point deadline) {
  Packet reply;
  try {
    send(Packet{type, std::string(name), {}}, deadline);
    reply = await_reply(deadline, {}, {});
  } catch (...) {
    close();  // out of step with the daemon, as in streamed()
    throw;
  }
  if (reply.type == PacketType::EventUnknown)
    throw CommandError("VICI: the daemon has no event '" + std::string(name) + "'");
  if (reply.type != PacketType::EventConfirm)
    throw TransportError("VICI: expected EVENT_CONFIRM for '" + std::string(name) + "', got " +
                         std::string(packet_type_name(reply.type)));
}

void Client::register_event(std::string_view name, Millis timeout) { ensure_registered(name, Clock::now() + timeout); }

void Client::ensure_registered(std::string_view name, Clock::time_point deadline) {
  if (std::find(registered_.begin(), registered_.end(), name) != registered_.end()) return;
  event_registration(PacketType::EventRegister, name, deadline);
  registered_.emplace_back(name);
}

void Client::unregister_event(std::string_view name, Millis timeout) {
  auto it = std::find(registered_.begin(), registered_.end(), name);
  if (it == registered_.end()) return;
  event_registration(PacketType::EventUnregister, name, Clock::now() + timeout);
  registered_.erase(it);
}

std::optional<Event> Client::wait_event(Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  while (queue_.empty()) {
    if (fd_ < 0) throw TransportError("VICI: not connected");
    try {
      wait_ready(fd_, POLLIN, deadline, "waiting for an event");
    } catch (const TimeoutError&) {
      return std::nullopt;
    }
    Packet p = receive(deadline);
    if (p.type != PacketType::Event)
      throw TransportError("VICI: unexpected " + std::string(packet_type_name(p.type)) + " while idle");
    queue_event(std::move(p));
  }
  Event e = std::move(queue_.front());
  queue_.pop_front();
  return e;
}

std::deque<Event> Client::take_events() {
  const auto deadline = Clock::now() + timeout_;
  while (readable_now()) {
    Packet p = receive(deadline);
    if (p.type == PacketType::Event) queue_event(std::move(p));
  }
  return std::exchange(queue_, {});
}

// ---------------------------------------------------------------------------------------------
// Command wrappers

CommandResult Client::result_of(Message&& response) {
  CommandResult r;
  r.success = response.get("success") == "yes";
  r.errmsg = response.get("errmsg");
  r.response = std::move(response);
  return r;
}

const CommandResult& Client::check(const CommandResult& r, std::string_view what) {
  if (!r.success)
    throw CommandError("VICI " + std::string(what) + " failed: " + (r.errmsg.empty() ? "no reason given" : r.errmsg));
  return r;
}

Message Client::version() { return request("version", {}, timeout_); }
Message Client::stats() { return request("stats", {}, timeout_); }

CommandResult Client::load_conn(std::string_view name, const Message& conn) {
  Message m;
  m.add_section(std::string(name), conn);
  return result_of(request("load-conn", m, timeout_));
}

CommandResult Client::unload_conn(std::string_view name) {
  return result_of(request("unload-conn", Message().set("name", std::string(name)), timeout_));
}

std::vector<std::string> Client::get_conns() {
  const Message r = request("get-conns", {}, timeout_);
  const auto* l = r.list("conns");
  return l ? *l : std::vector<std::string>{};
}

CommandResult Client::load_cert(std::string_view type, std::string_view flag, std::string_view data) {
  Message m;
  m.set("type", std::string(type)).set("flag", std::string(flag)).set("data", std::string(data));
  return result_of(request("load-cert", m, timeout_));
}

CommandResult Client::load_key(std::string_view type, std::string_view data) {
  Message m;
  m.set("type", std::string(type)).set("data", std::string(data));
  return result_of(request("load-key", m, timeout_));
}

CommandResult Client::load_shared(std::string_view type, std::string_view data, std::vector<std::string> owners) {
  Message m;
  m.set("type", std::string(type)).set("data", std::string(data)).set_list("owners", std::move(owners));
  return result_of(request("load-shared", m, timeout_));
}

CommandResult Client::load_authority(std::string_view name, const Message& authority) {
  Message m;
  m.add_section(std::string(name), authority);
  return result_of(request("load-authority", m, timeout_));
}

CommandResult Client::unload_authority(std::string_view name) {
  return result_of(request("unload-authority", Message().set("name", std::string(name)), timeout_));
}

std::vector<std::string> Client::get_authorities() {
  const Message r = request("get-authorities", {}, timeout_);
  const auto* l = r.list("authorities");
  return l ? *l : std::vector<std::string>{};
}

CommandResult Client::clear_creds() { return result_of(request("clear-creds", {}, timeout_)); }

CommandResult Client::initiate(const InitiateArgs& a, const std::function<void(const Message&)>& on_log) {
  Message m;
  m.set("child", a.child);
  if (!a.ike.empty()) m.set("ike", a.ike);
  m.set("timeout", std::to_string(a.timeout.count()));
  m.set("init-limits", a.init_limits ? "yes" : "no");
  m.set("loglevel", std::to_string(a.loglevel));
  return result_of(streamed("initiate", m, "control-log", on_log, socket_timeout_for(a.timeout)));
}

CommandResult Client::terminate(const TerminateArgs& a, const std::function<void(const Message&)>& on_log) {
  Message m;
  if (!a.ike.empty()) m.set("ike", a.ike);
  if (!a.child.empty()) m.set("child", a.child);
  if (a.ike_id) m.set("ike-id", std::to_string(*a.ike_id));  // charon 5.9 reads "ike-id" (README: ike_id)
  if (a.force) m.set("force", "yes");
  m.set("timeout", std::to_string(a.timeout.count()));
  m.set("loglevel", std::to_string(a.loglevel));
  return result_of(streamed("terminate", m, "control-log", on_log, socket_timeout_for(a.timeout)));
}

std::vector<Message> Client::list_sas(std::string_view ike) {
  Message m;  // blocking: with noblock, an IKE_SA busy with an exchange is silently left out
  if (!ike.empty()) m.set("ike", std::string(ike));
  std::vector<Message> sas;
  streamed(
      "list-sas", m, "list-sa", [&](const Message& e) { sas.push_back(e); }, timeout_);
  return sas;
}

}  // namespace ikeconform::vici
