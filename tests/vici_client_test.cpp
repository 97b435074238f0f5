// VICI client against a scripted in-process server on a unix socket: event interleaving,
// streamed commands, deadlines, broken streams. No charon needed.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <thread>

#include "drivers/vici/vici.hpp"

namespace ikeconform {
namespace {

namespace fs = std::filesystem;
using vici::Message;
using vici::Packet;
using vici::PacketType;
using namespace std::chrono_literals;

// One-connection server: accepts, then runs `script` with the connected fd.
class FakeServer {
 public:
  explicit FakeServer(std::function<void(int)> script) {
    dir_ = fs::temp_directory_path() /
           ("ikc-vici-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::create_directories(dir_);
    path_ = (dir_ / "s.vici").string();
    listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof(addr.sun_path) - 1);
    EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(::listen(listen_fd_, 1), 0);
    thread_ = std::thread([this, script = std::move(script)] {
      const int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      script(fd);
      ::close(fd);
    });
  }
  ~FakeServer() {
    ::shutdown(listen_fd_, SHUT_RDWR);
    thread_.join();
    ::close(listen_fd_);
    fs::remove_all(dir_);
  }
  std::string uri() const { return "unix://" + path_; }

  // Server side helpers (blocking; the client side has the deadlines under test).
  static Packet read_packet(int fd) {
    unsigned char len[4];
    read_all(fd, reinterpret_cast<char*>(len), 4);
    const std::size_t n = (std::size_t{len[0]} << 24U) | (std::size_t{len[1]} << 16U) | (std::size_t{len[2]} << 8U) |
                          len[3];
    std::string seg(n, '\0');
    read_all(fd, seg.data(), n);
    return vici::decode_packet(seg);
  }
  static void write_packet(int fd, const Packet& p) { write_raw(fd, vici::frame(vici::encode_packet(p))); }
  static void write_raw(int fd, const std::string& bytes) {
    EXPECT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }
  static void drain(int fd) {  // until the client closes
    char buf[256];
    while (::read(fd, buf, sizeof buf) > 0) {
    }
  }

 private:
  static void read_all(int fd, char* out, std::size_t n) {
    while (n > 0) {
      const ssize_t r = ::read(fd, out, n);
      if (r <= 0) throw std::runtime_error("client went away");
      out += r;
      n -= static_cast<std::size_t>(r);
    }
  }
  static inline int counter_ = 0;
  fs::path dir_;
  std::string path_;
  int listen_fd_ = -1;
  std::thread thread_;
};

Packet event(const std::string& name, const std::string& msg) {
  Message m;
  m.set("group", "IKE").set("level", "1").set("msg", msg);
  return {PacketType::Event, name, m};
}

Packet response(Message m) { return {PacketType::CmdResponse, "", std::move(m)}; }

TEST(ViciClient, ResponseAfterUnrelatedEventsQueuesThem) {
  FakeServer server([](int fd) {
    const Packet req = FakeServer::read_packet(fd);
    EXPECT_EQ(req.type, PacketType::CmdRequest);
    EXPECT_EQ(req.name, "version");
    FakeServer::write_packet(fd, event("log", "one"));
    FakeServer::write_packet(fd, response(Message().set("daemon", "charon").set("version", "5.9.8")));
    FakeServer::drain(fd);
  });
  vici::Client c = vici::Client::connect(server.uri());
  EXPECT_EQ(c.version().get("version"), "5.9.8");
  const auto events = c.take_events();
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].name, "log");
  EXPECT_EQ(events[0].message.get("msg"), "one");
}

TEST(ViciClient, InitiateStreamsControlLogBeforeTheResponse) {
  FakeServer server([](int fd) {
    const Packet reg = FakeServer::read_packet(fd);
    EXPECT_EQ(reg.type, PacketType::EventRegister);
    EXPECT_EQ(reg.name, "control-log");
    FakeServer::write_packet(fd, {PacketType::EventConfirm, "", {}});
    const Packet req = FakeServer::read_packet(fd);
    EXPECT_EQ(req.name, "initiate");
    EXPECT_EQ(req.message.get("child"), "tun");
    EXPECT_EQ(req.message.get("timeout"), "1500");
    EXPECT_EQ(req.message.get("loglevel"), "1");
    FakeServer::write_packet(fd, event("control-log", "initiating IKE_SA"));
    FakeServer::write_packet(fd, event("log", "unrelated"));
    FakeServer::write_packet(fd, event("control-log", "IKE_SA established"));
    FakeServer::write_packet(fd, response(Message().set("success", "no").set("errmsg", "CHILD_SA failed")));
    // A second initiate needs no second registration.
    const Packet again = FakeServer::read_packet(fd);
    EXPECT_EQ(again.name, "initiate");
    FakeServer::write_packet(fd, response(Message().set("success", "yes")));
    FakeServer::drain(fd);
  });
  vici::Client c = vici::Client::connect(server.uri());
  std::vector<std::string> logs;
  vici::InitiateArgs a;
  a.child = "tun";
  a.timeout = 1500ms;
  const vici::CommandResult r = c.initiate(a, [&](const Message& m) { logs.push_back(m.get("msg")); });
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.errmsg, "CHILD_SA failed");
  EXPECT_EQ(logs, (std::vector<std::string>{"initiating IKE_SA", "IKE_SA established"}));
  EXPECT_EQ(c.take_events().size(), 1U);
  EXPECT_TRUE(c.initiate(a).success);
  EXPECT_THROW(vici::Client::check(r, "initiate"), vici::CommandError);
}

TEST(ViciClient, ListSasCollectsStreamedEvents) {
  FakeServer server([](int fd) {
    FakeServer::read_packet(fd);
    FakeServer::write_packet(fd, {PacketType::EventConfirm, "", {}});
    const Packet req = FakeServer::read_packet(fd);
    EXPECT_EQ(req.name, "list-sas");
    for (const char* name : {"a", "b"}) {
      Message m;
      m.section(name).set("state", "ESTABLISHED");
      FakeServer::write_packet(fd, {PacketType::Event, "list-sa", m});
    }
    FakeServer::write_packet(fd, response({}));
    FakeServer::drain(fd);
  });
  vici::Client c = vici::Client::connect(server.uri());
  const auto sas = c.list_sas();
  ASSERT_EQ(sas.size(), 2U);
  EXPECT_NE(sas[1].section("b"), nullptr);
}

TEST(ViciClient, UnknownCommandAndEvent) {
  FakeServer server([](int fd) {
    FakeServer::read_packet(fd);
    FakeServer::write_packet(fd, {PacketType::CmdUnknown, "", {}});
    FakeServer::read_packet(fd);
    FakeServer::write_packet(fd, {PacketType::EventUnknown, "", {}});
    FakeServer::drain(fd);
  });
  vici::Client c = vici::Client::connect(server.uri());
  EXPECT_THROW(c.request("no-such-command", {}, 1000ms), vici::CommandError);
  EXPECT_THROW(c.register_event("no-such-event", 1000ms), vici::CommandError);
}

TEST(ViciClient, SilentServerTimesOut) {
  FakeServer server([](int fd) { FakeServer::drain(fd); });
  vici::Client c = vici::Client::connect(server.uri());
  const auto begin = std::chrono::steady_clock::now();
  EXPECT_THROW(c.request("version", {}, 200ms), vici::TimeoutError);
  const auto took = std::chrono::steady_clock::now() - begin;
  EXPECT_GE(took, 190ms);
  EXPECT_LT(took, 2000ms);
  // A late reply could be taken for the next command's: the client gave the connection up.
  EXPECT_FALSE(c.connected());
  EXPECT_THROW(c.request("version", {}, 200ms), vici::TransportError);
  EXPECT_THROW(c.wait_event(50ms), vici::TransportError);
}

TEST(ViciClient, WaitEventTimesOutQuietly) {
  FakeServer server([](int fd) { FakeServer::drain(fd); });
  vici::Client c = vici::Client::connect(server.uri());
  EXPECT_EQ(c.wait_event(50ms), std::nullopt);
  EXPECT_TRUE(c.connected());
}

TEST(ViciClient, ServerClosingIsATransportError) {
  FakeServer server([](int fd) { FakeServer::read_packet(fd); });
  vici::Client c = vici::Client::connect(server.uri());
  EXPECT_THROW(c.request("version", {}, 2000ms), vici::TransportError);
}

TEST(ViciClient, BrokenFramesAreRejected) {
  FakeServer server([](int fd) {
    FakeServer::read_packet(fd);
    FakeServer::write_raw(fd, std::string("\xff\xff\xff\xff", 4));  // over 512 KiB
    FakeServer::drain(fd);
  });
  vici::Client c = vici::Client::connect(server.uri());
  EXPECT_THROW(c.request("version", {}, 2000ms), vici::DecodeError);
  EXPECT_THROW(c.request("version", {}, 200ms), vici::TransportError);  // closed: out of sync
}

TEST(ViciClient, GarbageMessageIsADecodeError) {
  FakeServer server([](int fd) {
    FakeServer::read_packet(fd);
    FakeServer::write_raw(fd, vici::frame(std::string("\x01\x03\x09", 3)));  // CMD_RESPONSE, bad element
    FakeServer::drain(fd);
  });
  vici::Client c = vici::Client::connect(server.uri());
  EXPECT_THROW(c.request("version", {}, 2000ms), vici::DecodeError);
  EXPECT_FALSE(c.connected());
}

TEST(ViciClient, WaitEventDeliversAsynchronousEvents) {
  FakeServer server([](int fd) {
    FakeServer::read_packet(fd);
    FakeServer::write_packet(fd, {PacketType::EventConfirm, "", {}});
    std::this_thread::sleep_for(50ms);
    FakeServer::write_packet(fd, event("ike-updown", "up"));
    FakeServer::drain(fd);
  });
  vici::Client c = vici::Client::connect(server.uri());
  c.register_event("ike-updown", 1000ms);
  const auto e = c.wait_event(2000ms);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->name, "ike-updown");
}

TEST(ViciClient, ConnectFailures) {
  EXPECT_THROW(vici::Client::connect("unix:///nonexistent/dir/charon.vici", 200ms), vici::TransportError);
  EXPECT_THROW(vici::Client::connect(std::string(200, 'x'), 200ms), vici::TransportError);
}

}  // namespace
}  // namespace ikeconform
