// A small client for strongSwan's Versatile IKE Control Interface (VICI), written to the
// documented protocol (upstream src/libcharon/plugins/vici/README.md): transport segments with
// a 32-bit length prefix, typed packets, and messages that are a tree of sections, key/values
// and lists. Every read and write is bounded by a deadline (poll), so a hung daemon shows up
// as a TimeoutError, never as a hung harness.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace ikeconform::vici {

using Millis = std::chrono::milliseconds;

// ---------------------------------------------------------------------------------------------
// Errors. Everything this library throws derives from Error.

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// Bytes that are not a valid VICI message or packet (the decoder is fuzzed).
class DecodeError : public Error {
 public:
  using Error::Error;
};
// A message that cannot be encoded (name over 255 bytes, value over 65535 bytes, ...).
class EncodeError : public Error {
 public:
  using Error::Error;
};
// The socket broke, the daemon closed it, or a deadline passed.
class TransportError : public Error {
 public:
  using Error::Error;
};
class TimeoutError : public TransportError {
 public:
  using TransportError::TransportError;
};
// CMD_UNKNOWN / EVENT_UNKNOWN, or a command answered `success = no`.
class CommandError : public Error {
 public:
  using Error::Error;
};

// ---------------------------------------------------------------------------------------------
// Message: an ordered tree. Order is kept because VICI gives it meaning in places (e.g. the
// order of `local.certs`, of auth rounds, of proposals).

// Message element types (README "Message format").
enum class ElementType : std::uint8_t {
  SectionStart = 1,
  SectionEnd = 2,
  KeyValue = 3,
  ListStart = 4,
  ListItem = 5,
  ListEnd = 6,
};

inline constexpr std::size_t kMaxNameLength = 255;     // 8-bit name length
inline constexpr std::size_t kMaxValueLength = 65535;  // 16-bit value length
inline constexpr std::size_t kMaxDepth = 64;           // our own limit on section nesting

class Message {
 public:
  enum class Kind : std::uint8_t { Value, List, Section };
  struct Entry;

  // Builders; a key already present throws EncodeError (names are unique per section).
  Message& set(std::string key, std::string value);
  Message& set_list(std::string key, std::vector<std::string> items);
  Message& add_section(std::string key, Message section);
  Message& section(std::string key);  // appends an empty sub-section and returns it

  // Lookups; nullptr when absent or of another kind.
  const std::string* value(std::string_view key) const;
  const std::vector<std::string>* list(std::string_view key) const;
  const Message* section(std::string_view key) const;
  std::string get(std::string_view key, std::string_view fallback = {}) const;
  bool contains(std::string_view key) const;

  const std::vector<Entry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }

  friend bool operator==(const Message& a, const Message& b);

 private:
  const Entry* find(std::string_view key) const;
  Entry& append(std::string key, Kind kind);
  std::vector<Entry> entries_;
};

struct Message::Entry {
  std::string name;
  Kind kind = Kind::Value;
  std::string value;               // Kind::Value
  std::vector<std::string> items;  // Kind::List
  Message section;                 // Kind::Section
  friend bool operator==(const Entry&, const Entry&) = default;
};

// Element encoding of a message (no packet header, no length prefix).
std::string encode_message(const Message& m);
// Strict decoder: unknown element types, truncated names or values, unbalanced sections,
// key/values inside lists, nested lists, duplicate names, nesting deeper than kMaxDepth:
// all throw DecodeError naming the offset. Never reads out of bounds.
Message decode_message(std::string_view bytes);

// For traces and debugging: sections -> objects, lists -> arrays, values -> strings
// (bytes that are not UTF-8 are replaced). Order is kept.
nlohmann::ordered_json to_json(const Message& m);
// swanctl.conf-like text: `key = value`, `name { ... }`, lists joined by commas.
std::string to_text(const Message& m, int indent = 0);

// ---------------------------------------------------------------------------------------------
// Packets (README "Packet layer").

enum class PacketType : std::uint8_t {
  CmdRequest = 0,
  CmdResponse = 1,
  CmdUnknown = 2,
  EventRegister = 3,
  EventUnregister = 4,
  EventConfirm = 5,
  EventUnknown = 6,
  Event = 7,
};
std::string_view packet_type_name(PacketType t);  // "CMD_REQUEST", ...
bool packet_is_named(PacketType t);               // carries a name tag
bool packet_has_message(PacketType t);            // carries a message

struct Packet {
  PacketType type = PacketType::CmdRequest;
  std::string name;  // named types only
  Message message;   // CMD_REQUEST, CMD_RESPONSE, EVENT only
  friend bool operator==(const Packet&, const Packet&) = default;
};

inline constexpr std::size_t kMaxSegment = 512 * 1024;  // transport limit from the README

// One packet, without the transport length prefix.
std::string encode_packet(const Packet& p);
Packet decode_packet(std::string_view segment);
// Transport framing: 32-bit big-endian length, then the segment.
std::string frame(std::string_view segment);

// ---------------------------------------------------------------------------------------------
// Client: one unix-socket connection, one command at a time (VICI has no sequence numbers).

struct Event {
  std::string name;
  Message message;
};

struct CommandResult {
  bool success = false;
  std::string errmsg;
  Message response;
};

struct InitiateArgs {
  std::string child;     // CHILD_SA config to initiate
  std::string ike;       // optional IKE_SA config to find it under
  Millis timeout{5000};  // charon's own timeout; the socket deadline is a little longer
  bool init_limits = false;
  int loglevel = 1;  // control-log level
};

struct TerminateArgs {
  std::string ike;
  std::string child;
  std::optional<std::uint32_t> ike_id;
  bool force = false;  // delete without waiting for the peer's answer to DELETE
  Millis timeout{2000};
  int loglevel = 0;
};

class Client {
 public:
  // Connects to `unix://PATH` or a plain PATH; throws TransportError.
  static Client connect(std::string_view uri, Millis timeout = Millis{2000});
  ~Client();
  Client(Client&& other) noexcept;
  Client& operator=(Client&& other) noexcept;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Default deadline of each call below that takes none.
  void set_timeout(Millis t) { timeout_ = t; }
  // False once a command broke off half way (timeout, EOF, bad bytes): a late reply could not be
  // told from the next one, so the client closes the socket; connect anew.
  bool connected() const { return fd_ >= 0; }

  // A plain command: CMD_REQUEST, then wait for CMD_RESPONSE. Events that arrive meanwhile
  // are queued (see events()); CMD_UNKNOWN throws CommandError.
  Message request(std::string_view cmd, const Message& msg, Millis timeout);
  // A streamed command: registers `event` (once per connection), passes each of those
  // events to `on_event` until the response arrives.
  Message streamed(std::string_view cmd, const Message& msg, std::string_view event,
                   const std::function<void(const Message&)>& on_event, Millis timeout);

  void register_event(std::string_view name, Millis timeout);
  void unregister_event(std::string_view name, Millis timeout);
  // Waits for the next queued or arriving event (any registered name); nullopt on timeout.
  std::optional<Event> wait_event(Millis timeout);
  // Takes every event queued so far, reading what the socket already holds without waiting.
  std::deque<Event> take_events();
  std::size_t dropped_events() const { return dropped_; }

  // --- Commands (names and arguments from the README) -------------------------------------
  Message version();
  Message stats();
  CommandResult load_conn(std::string_view name, const Message& conn);
  CommandResult unload_conn(std::string_view name);
  std::vector<std::string> get_conns();
  CommandResult load_cert(std::string_view type, std::string_view flag, std::string_view data);
  CommandResult load_key(std::string_view type, std::string_view data);
  CommandResult load_shared(std::string_view type, std::string_view data, std::vector<std::string> owners);
  CommandResult load_authority(std::string_view name, const Message& authority);
  CommandResult unload_authority(std::string_view name);
  std::vector<std::string> get_authorities();
  CommandResult clear_creds();
  // control-log lines go to `on_log` as they stream.
  CommandResult initiate(const InitiateArgs& a, const std::function<void(const Message&)>& on_log = {});
  CommandResult terminate(const TerminateArgs& a, const std::function<void(const Message&)>& on_log = {});
  // One entry per list-sa event: `{ <IKE_SA name> = { ... } }`.
  std::vector<Message> list_sas(std::string_view ike = {});

  // Throws CommandError when `success` is not yes (for loads that must not fail).
  static const CommandResult& check(const CommandResult& r, std::string_view what);

 private:
  explicit Client(int fd) : fd_(fd) {}
  using Clock = std::chrono::steady_clock;
  void send(const Packet& p, Clock::time_point deadline);
  Packet receive(Clock::time_point deadline);
  // Reads packets until one that is not an EVENT; events go to `on_event` or the queue.
  Packet await_reply(Clock::time_point deadline, std::string_view stream_event,
                     const std::function<void(const Message&)>& on_event);
  void queue_event(Packet&& p);
  bool readable_now();
  void ensure_registered(std::string_view name, Clock::time_point deadline);
  void event_registration(PacketType type, std::string_view name, Clock::time_point deadline);
  CommandResult result_of(Message&& response);
  void close();

  int fd_ = -1;
  Millis timeout_{5000};
  std::vector<std::string> registered_;
  std::deque<Event> queue_;
  std::size_t dropped_ = 0;
  static constexpr std::size_t kMaxQueued = 10000;
};

}  // namespace ikeconform::vici
