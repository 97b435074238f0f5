// VICI message and packet encoding (README "Message format", "Packet layer").
#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "drivers/vici/vici.hpp"

namespace ikeconform::vici {

// ---------------------------------------------------------------------------------------------
// Message tree

bool operator==(const Message& a, const Message& b) { return a.entries_ == b.entries_; }

const Message::Entry* Message::find(std::string_view key) const {
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.name == key; });
  return it == entries_.end() ? nullptr : &*it;
}

Message::Entry& Message::append(std::string key, Kind kind) {
  if (find(key)) throw EncodeError("VICI message: key '" + key + "' is already in this section");
  Entry& e = entries_.emplace_back();
  e.name = std::move(key);
  e.kind = kind;
  return e;
}

Message& Message::set(std::string key, std::string v) {
  append(std::move(key), Kind::Value).value = std::move(v);
  return *this;
}

Message& Message::set_list(std::string key, std::vector<std::string> items) {
  append(std::move(key), Kind::List).items = std::move(items);
  return *this;
}

Message& Message::add_section(std::string key, Message s) {
  append(std::move(key), Kind::Section).section = std::move(s);
  return *this;
}

Message& Message::section(std::string key) { return append(std::move(key), Kind::Section).section; }

bool Message::contains(std::string_view key) const { return find(key) != nullptr; }

const std::string* Message::value(std::string_view key) const {
  const Entry* e = find(key);
  return e && e->kind == Kind::Value ? &e->value : nullptr;
}

const std::vector<std::string>* Message::list(std::string_view key) const {
  const Entry* e = find(key);
  return e && e->kind == Kind::List ? &e->items : nullptr;
}

const Message* Message::section(std::string_view key) const {
  const Entry* e = find(key);
  return e && e->kind == Kind::Section ? &e->section : nullptr;
}

std::string Message::get(std::string_view key, std::string_view fallback) const {
  const std::string* v = value(key);
  return v ? *v : std::string(fallback);
}

// ---------------------------------------------------------------------------------------------
// Encoding

namespace {

void put_u8(std::string& out, std::size_t v) { out.push_back(static_cast<char>(v & 0xffU)); }

void put_u16(std::string& out, std::size_t v) {
  put_u8(out, v >> 8U);
  put_u8(out, v);
}

void put_name(std::string& out, std::string_view name) {
  if (name.size() > kMaxNameLength)
    throw EncodeError("VICI name longer than 255 bytes: '" + std::string(name.substr(0, 40)) + "...'");
  put_u8(out, name.size());
  out.append(name);
}

void put_value(std::string& out, std::string_view v) {
  if (v.size() > kMaxValueLength)
    throw EncodeError("VICI value longer than 65535 bytes (" + std::to_string(v.size()) + ")");
  put_u16(out, v.size());
  out.append(v);
}

void put_type(std::string& out, ElementType t) { put_u8(out, static_cast<std::size_t>(t)); }

void encode_into(std::string& out, const Message& m, std::size_t depth) {
  if (depth > kMaxDepth) throw EncodeError("VICI message nested deeper than " + std::to_string(kMaxDepth));
  for (const Message::Entry& e : m.entries()) {
    switch (e.kind) {
      case Message::Kind::Value:
        put_type(out, ElementType::KeyValue);
        put_name(out, e.name);
        put_value(out, e.value);
        break;
      case Message::Kind::List:
        put_type(out, ElementType::ListStart);
        put_name(out, e.name);
        for (const std::string& item : e.items) {
          put_type(out, ElementType::ListItem);
          put_value(out, item);
        }
        put_type(out, ElementType::ListEnd);
        break;
      case Message::Kind::Section:
        put_type(out, ElementType::SectionStart);
        put_name(out, e.name);
        encode_into(out, e.section, depth + 1);
        put_type(out, ElementType::SectionEnd);
        break;
    }
  }
}

}  // namespace

std::string encode_message(const Message& m) {
  std::string out;
  encode_into(out, m, 0);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Decoding: a bounds-checked reader and an explicit stack of open sections (no recursion, so
// hostile nesting cannot exhaust the stack).

namespace {

class Reader {
 public:
  explicit Reader(std::string_view b) : bytes_(b) {}
  bool done() const { return pos_ >= bytes_.size(); }
  std::size_t offset() const { return pos_; }

  std::uint8_t u8(const char* what) {
    need(1, what);
    return static_cast<std::uint8_t>(bytes_[pos_++]);
  }
  std::string_view take(std::size_t n, const char* what) {
    need(n, what);
    std::string_view s = bytes_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  std::string name(const char* what) { return std::string(take(u8(what), what)); }
  std::string value(const char* what) {
    std::size_t hi = u8(what);
    std::size_t lo = u8(what);
    return std::string(take((hi << 8U) | lo, what));
  }
  [[noreturn]] void fail(const std::string& why, std::size_t at) const {
    throw DecodeError("VICI message: " + why + " at offset " + std::to_string(at));
  }

 private:
  void need(std::size_t n, const char* what) const {
    if (bytes_.size() - pos_ < n) fail(std::string("truncated ") + what, pos_);
  }
  std::string_view bytes_;
  std::size_t pos_ = 0;
};

struct Decoder {
  Reader in;
  Message root;
  std::vector<Message*> open{&root};     // innermost last; parents are not touched while a child is open
  std::optional<std::string> list_name;  // the open list, if any (lists do not nest)
  std::vector<std::string> list_items;

  explicit Decoder(std::string_view b) : in(b) {}

  Message& current() { return *open.back(); }

  std::string fresh_name(const char* what, std::size_t at) {
    std::string name = in.name(what);
    if (current().contains(name)) in.fail("duplicate name '" + name + "'", at);
    return name;
  }

  void element(std::size_t at) {
    const std::uint8_t type = in.u8("element type");
    if (list_name && type != static_cast<std::uint8_t>(ElementType::ListItem) &&
        type != static_cast<std::uint8_t>(ElementType::ListEnd))
      in.fail("element type " + std::to_string(type) + " inside a list", at);
    switch (static_cast<ElementType>(type)) {
      case ElementType::SectionStart: section_start(at); break;
      case ElementType::SectionEnd: section_end(at); break;
      case ElementType::KeyValue: key_value(at); break;
      case ElementType::ListStart: list_start(at); break;
      case ElementType::ListItem: list_item(at); break;
      case ElementType::ListEnd: list_end(at); break;
      default: in.fail("unknown element type " + std::to_string(type), at);
    }
  }

  void section_start(std::size_t at) {
    std::string name = fresh_name("section name", at);
    if (open.size() > kMaxDepth) in.fail("sections nested deeper than " + std::to_string(kMaxDepth), at);
    open.push_back(&current().section(std::move(name)));
  }
  void section_end(std::size_t at) {
    if (open.size() == 1) in.fail("SECTION_END without an open section", at);
    open.pop_back();
  }
  void key_value(std::size_t at) {
    std::string name = fresh_name("key name", at);
    current().set(std::move(name), in.value("value"));
  }
  void list_start(std::size_t at) {
    list_name = fresh_name("list name", at);
    list_items.clear();
  }
  void list_item(std::size_t at) {
    if (!list_name) in.fail("LIST_ITEM outside a list", at);
    list_items.push_back(in.value("list item"));
  }
  void list_end(std::size_t at) {
    if (!list_name) in.fail("LIST_END without an open list", at);
    current().set_list(std::move(*list_name), std::move(list_items));
    list_name.reset();
    list_items = {};
  }

  Message run() {
    while (!in.done()) element(in.offset());
    if (list_name) in.fail("unterminated list '" + *list_name + "'", in.offset());
    if (open.size() != 1) in.fail(std::to_string(open.size() - 1) + " unterminated section(s)", in.offset());
    return std::move(root);
  }
};

}  // namespace

Message decode_message(std::string_view bytes) { return Decoder(bytes).run(); }

// ---------------------------------------------------------------------------------------------
// Display forms

nlohmann::ordered_json to_json(const Message& m) {
  auto text = [](const std::string& s) {
    // Round-trip through dump with replacement so that invalid UTF-8 never throws later.
    return nlohmann::ordered_json(s).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  };
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const Message::Entry& e : m.entries()) {
    switch (e.kind) {
      case Message::Kind::Value: j[e.name] = nlohmann::ordered_json::parse(text(e.value)); break;
      case Message::Kind::List: {
        nlohmann::ordered_json a = nlohmann::ordered_json::array();
        for (const std::string& i : e.items) a.push_back(nlohmann::ordered_json::parse(text(i)));
        j[e.name] = std::move(a);
        break;
      }
      case Message::Kind::Section: j[e.name] = to_json(e.section); break;
    }
  }
  return j;
}

std::string to_text(const Message& m, int indent) {
  const std::string pad(static_cast<std::size_t>(std::max(indent, 0)), ' ');
  std::string out;
  for (const Message::Entry& e : m.entries()) {
    switch (e.kind) {
      case Message::Kind::Value: out += pad + e.name + " = " + e.value + "\n"; break;
      case Message::Kind::List: {
        out += pad + e.name + " = ";
        for (std::size_t i = 0; i < e.items.size(); ++i) out += (i ? "," : "") + e.items[i];
        out += "\n";
        break;
      }
      case Message::Kind::Section: out += pad + e.name + " {\n" + to_text(e.section, indent + 4) + pad + "}\n"; break;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Packets

std::string_view packet_type_name(PacketType t) {
  switch (t) {
    case PacketType::CmdRequest: return "CMD_REQUEST";
    case PacketType::CmdResponse: return "CMD_RESPONSE";
    case PacketType::CmdUnknown: return "CMD_UNKNOWN";
    case PacketType::EventRegister: return "EVENT_REGISTER";
    case PacketType::EventUnregister: return "EVENT_UNREGISTER";
    case PacketType::EventConfirm: return "EVENT_CONFIRM";
    case PacketType::EventUnknown: return "EVENT_UNKNOWN";
    case PacketType::Event: return "EVENT";
  }
  return "?";
}

bool packet_is_named(PacketType t) {
  return t == PacketType::CmdRequest || t == PacketType::EventRegister || t == PacketType::EventUnregister ||
         t == PacketType::Event;
}

bool packet_has_message(PacketType t) {
  return t == PacketType::CmdRequest || t == PacketType::CmdResponse || t == PacketType::Event;
}

std::string encode_packet(const Packet& p) {
  std::string out;
  put_u8(out, static_cast<std::size_t>(p.type));
  if (packet_is_named(p.type)) put_name(out, p.name);
  if (packet_has_message(p.type)) out += encode_message(p.message);
  if (out.size() > kMaxSegment) throw EncodeError("VICI packet larger than 512KB");
  return out;
}

Packet decode_packet(std::string_view segment) {
  Reader in(segment);
  const std::uint8_t type = in.u8("packet type");
  if (type > static_cast<std::uint8_t>(PacketType::Event))
    throw DecodeError("VICI packet: unknown packet type " + std::to_string(type));
  Packet p;
  p.type = static_cast<PacketType>(type);
  if (packet_is_named(p.type)) p.name = in.name("packet name");
  std::string_view rest = segment.substr(in.offset());
  if (packet_has_message(p.type)) {
    p.message = decode_message(rest);
  } else if (!rest.empty()) {
    throw DecodeError("VICI packet: " + std::string(packet_type_name(p.type)) + " carries " +
                      std::to_string(rest.size()) + " unexpected byte(s)");
  }
  return p;
}

std::string frame(std::string_view segment) {
  if (segment.size() > kMaxSegment) throw EncodeError("VICI segment larger than 512KB");
  std::string out;
  const std::size_t n = segment.size();
  put_u8(out, n >> 24U);
  put_u8(out, n >> 16U);
  put_u8(out, n >> 8U);
  put_u8(out, n);
  out.append(segment);
  return out;
}

}  // namespace ikeconform::vici
