// ikeconform.adapter/1 messages <-> JSON lines (docs/adapter-protocol.md).
#include "drivers/adapter/protocol.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <utility>

#include "model/input_error.hpp"
#include "model/scenario_json.hpp"

namespace ikeconform::adapter {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

namespace {

[[noreturn]] void bad(const std::string& what) { throw ProtocolError(what); }

// Nesting depth outside strings, checked before nlohmann parses (and later destroys) the value.
void check_depth(std::string_view line) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : line) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') {
      if (++depth > kMaxDepth) bad(fmt::format("nesting deeper than {}", kMaxDepth));
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
}

json parse_object(std::string_view line) {
  if (line.size() > kMaxLine) bad(fmt::format("line longer than {} bytes", kMaxLine));
  check_depth(line);
  json j = json::parse(line.begin(), line.end(), nullptr, false);
  if (j.is_discarded()) bad("not JSON");
  if (!j.is_object()) bad("not a JSON object");
  return j;
}

// Typed access to one message's keys; unknown keys are ignored.
struct Fields {
  const json& j;
  std::string type;

  const json* find(const char* key) const {
    auto it = j.find(key);
    return it == j.end() ? nullptr : &*it;
  }
  [[noreturn]] void fail(const char* key, const char* want) const {
    bad(fmt::format("{}: '{}' must be {}", type, key, want));
  }

  std::string str(const char* key) const {
    const json* v = find(key);
    if (!v) bad(fmt::format("{}: '{}' is missing", type, key));
    if (!v->is_string()) fail(key, "a string");
    return v->get<std::string>();
  }
  std::string str_or(const char* key, std::string fallback) const {
    const json* v = find(key);
    if (!v || v->is_null()) return fallback;
    if (!v->is_string()) fail(key, "a string");
    return v->get<std::string>();
  }
  std::optional<std::string> opt_str(const char* key) const {
    const json* v = find(key);
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_string()) fail(key, "a string or null");
    return v->get<std::string>();
  }
  bool flag(const char* key) const {
    const json* v = find(key);
    if (!v || v->is_null()) return false;
    if (!v->is_boolean()) fail(key, "true or false");
    return v->get<bool>();
  }
  std::uint64_t id() const {
    const json* v = find("id");
    if (!v || !v->is_number_unsigned()) fail("id", "a non-negative integer");
    return v->get<std::uint64_t>();
  }
  std::optional<std::uint64_t> opt_id() const {
    const json* v = find("id");
    if (!v || v->is_null()) return std::nullopt;
    return id();
  }
  std::vector<std::string> strings(const char* key) const {
    std::vector<std::string> out;
    const json* v = find(key);
    if (!v || v->is_null()) return out;
    if (!v->is_array()) fail(key, "a list of strings");
    for (const json& e : *v) {
      if (!e.is_string()) fail(key, "a list of strings");
      out.push_back(e.get<std::string>());
    }
    return out;
  }
};

std::uint8_t peer_index(const Fields& f, const json& v, const char* key) {
  if (!v.is_number_unsigned() || v.get<std::uint64_t>() > 1) f.fail(key, "0 or 1");
  return static_cast<std::uint8_t>(v.get<std::uint64_t>());
}

// ---- PKI ----

PkiFiles parse_pki(const Fields& parent, const json& v) {
  if (!v.is_object()) parent.fail("pki", "an object or null");
  const Fields f{v, parent.type + ".pki"};
  PkiFiles p;
  p.dir = f.str("dir");
  auto list = [&](const char* key) -> const json& {
    const json* l = f.find(key);
    if (!l || !l->is_array()) f.fail(key, "a list");
    return *l;
  };
  for (const json& c : list("cas")) {
    if (!c.is_object()) f.fail("cas", "a list of objects");
    const Fields g{c, f.type + ".cas"};
    p.cas.push_back({g.str("id"), g.str("dn"), g.str("cert"), g.str("key")});
  }
  for (const json& c : list("certs")) {
    if (!c.is_object()) f.fail("certs", "a list of objects");
    const Fields g{c, f.type + ".certs"};
    p.certs.push_back({g.str("peer"), g.str("trustpoint"), g.str("ca"), g.str("subject"), g.str("cert"), g.str("key"),
                       g.str_or("p12", "")});
  }
  return p;
}

ojson pki_json(const PkiFiles& p) {
  ojson j;
  j["dir"] = p.dir;
  j["cas"] = ojson::array();
  for (const PkiCa& c : p.cas) j["cas"].push_back({{"id", c.id}, {"dn", c.dn}, {"cert", c.cert}, {"key", c.key}});
  j["certs"] = ojson::array();
  for (const PkiCert& c : p.certs)
    j["certs"].push_back({{"peer", c.peer},
                          {"trustpoint", c.trustpoint},
                          {"ca", c.ca},
                          {"subject", c.subject},
                          {"cert", c.cert},
                          {"key", c.key},
                          {"p12", c.p12.empty() ? ojson(nullptr) : ojson(c.p12)}});
  return j;
}

// ---- harness messages ----

ScenarioRequest parse_scenario(const Fields& f) {
  ScenarioRequest r;
  r.id = f.id();
  const json* s = f.find("scenario");
  if (!s || !s->is_object()) f.fail("scenario", "an ikeconform.scenario/1 object");
  try {
    r.scenario = scenario_from_json(*s, "scenario");
  } catch (const InputError& e) {
    bad(std::string("scenario: ") + e.what());
  }
  if (const json* p = f.find("plays"); p && !p->is_null()) {
    if (!p->is_array() || p->empty() || p->size() > 2) f.fail("plays", "a list of one or two peer indices");
    r.plays.clear();
    for (const json& e : *p) r.plays.push_back(peer_index(f, e, "plays"));
    if (r.plays.size() == 2 && r.plays[0] == r.plays[1]) f.fail("plays", "two different peers");
  }
  if (const json* p = f.find("pki"); p && !p->is_null()) r.pki = parse_pki(f, *p);
  return r;
}

RunRequest parse_run(const Fields& f) {
  RunRequest r;
  r.id = f.id();
  const json* i = f.find("initiator");
  if (!i) f.fail("initiator", "0 or 1");
  r.initiator = peer_index(f, *i, "initiator");
  return r;
}

// ---- adapter messages ----

AdapterHello parse_adapter_hello(const Fields& f) {
  AdapterHello h;
  h.protocol = f.str("protocol");
  h.name = f.str_or("name", "");
  h.version = f.str_or("version", "");
  h.personality = f.str_or("personality", "");
  h.pki = f.flag("pki");
  h.p12 = f.flag("p12");
  h.capabilities = f.strings("capabilities");
  h.cannot_express = f.strings("cannot_express");
  return h;
}

Rendering parse_rendering(const Fields& f) {
  Rendering r;
  r.id = f.id();
  const json* files = f.find("files");
  if (!files || !files->is_array()) f.fail("files", "a list");
  for (const json& e : *files) {
    if (!e.is_object()) f.fail("files", "a list of objects");
    const Fields g{e, "rendering.files"};
    RenderedFile file{g.str("suffix"), g.str("text")};
    if (!safe_suffix(file.suffix)) bad("rendering: unsafe file suffix '" + file.suffix + "'");
    r.files.push_back(std::move(file));
  }
  return r;
}

std::string line_of(const ojson& j) {
  // Invalid UTF-8 from a scenario or a log line must not stop the writer: replace it.
  return j.dump(-1, ' ', false, ojson::error_handler_t::replace) + "\n";
}

}  // namespace

// model/expressible.hpp's fields by their protocol names.
constexpr std::pair<const char*, bool Expressible::*> kExpressible[] = {
    {"revoked_certificates", &Expressible::revoked_certificates},
    {"certificate_features", &Expressible::certificate_features},
    {"ikev1_mixed_auth", &Expressible::ikev1_mixed_auth},
    {"pre_shared_keys", &Expressible::pre_shared_keys},
    {"dn_email_identities", &Expressible::dn_email_identities},
};

Expressible expressible_from(const std::vector<std::string>& cannot_express) {
  Expressible e;
  for (const auto& [name, field] : kExpressible)
    if (std::find(cannot_express.begin(), cannot_express.end(), name) != cannot_express.end()) e.*field = false;
  return e;
}

std::vector<std::string> cannot_express(const Expressible& e) {
  std::vector<std::string> out;
  for (const auto& [name, field] : kExpressible)
    if (!(e.*field)) out.emplace_back(name);
  return out;
}

HarnessMessage parse_harness_message(std::string_view line) {
  const json j = parse_object(line);
  const Fields f{j, "message"};
  const std::string type = f.str("type");
  const Fields m{j, type};
  if (type == "hello") return Hello{m.str("protocol"), m.str_or("harness", "")};
  if (type == "scenario") return parse_scenario(m);
  if (type == "run") return parse_run(m);
  if (type == "capture") return CaptureRequest{m.opt_str("file")};
  if (type == "render") return RenderRequest{m.id()};
  if (type == "bye") return Bye{};
  bad("unknown message type '" + type + "'");
}

AdapterMessage parse_adapter_message(std::string_view line) {
  const json j = parse_object(line);
  const Fields f{j, "message"};
  const std::string type = f.str("type");
  const Fields m{j, type};
  if (type == "hello") return parse_adapter_hello(m);
  if (type == "ready") return Ready{m.id()};
  if (type == "unsupported") return Unsupported{m.id(), m.str("reason")};
  if (type == "observation") {
    const json* o = m.find("observation");
    if (!o || !o->is_object()) m.fail("observation", "an object");
    return ObservationReply{m.id(), *o};
  }
  if (type == "rendering") return parse_rendering(m);
  if (type == "ok") return Ok{};
  if (type == "error") return ErrorReply{m.opt_id(), m.str("message")};
  if (type == "bye") return Bye{};
  bad("unknown message type '" + type + "'");
}

std::string to_line(const HarnessMessage& msg) {
  ojson j;
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, Hello>) {
          j = {{"type", "hello"}, {"protocol", m.protocol}, {"harness", m.harness}};
        } else if constexpr (std::is_same_v<T, ScenarioRequest>) {
          j = {{"type", "scenario"}, {"id", m.id}, {"scenario", scenario_to_json(m.scenario)}, {"plays", m.plays}};
          j["pki"] = m.pki ? pki_json(*m.pki) : ojson(nullptr);
        } else if constexpr (std::is_same_v<T, RunRequest>) {
          j = {{"type", "run"}, {"id", m.id}, {"initiator", m.initiator}};
        } else if constexpr (std::is_same_v<T, CaptureRequest>) {
          j = {{"type", "capture"}, {"file", m.file ? ojson(*m.file) : ojson(nullptr)}};
        } else if constexpr (std::is_same_v<T, RenderRequest>) {
          j = {{"type", "render"}, {"id", m.id}};
        } else {
          j = {{"type", "bye"}};
        }
      },
      msg);
  return line_of(j);
}

std::string to_line(const AdapterMessage& msg) {
  ojson j;
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, AdapterHello>) {
          j = {{"type", "hello"},      {"protocol", m.protocol},        {"name", m.name},
               {"version", m.version}, {"personality", m.personality},  {"pki", m.pki},
               {"p12", m.p12},         {"capabilities", m.capabilities}};
          if (!m.cannot_express.empty()) j["cannot_express"] = m.cannot_express;
        } else if constexpr (std::is_same_v<T, Ready>) {
          j = {{"type", "ready"}, {"id", m.id}};
        } else if constexpr (std::is_same_v<T, Unsupported>) {
          j = {{"type", "unsupported"}, {"id", m.id}, {"reason", m.reason}};
        } else if constexpr (std::is_same_v<T, ObservationReply>) {
          j = {{"type", "observation"}, {"id", m.id}};
          j["observation"] = m.observation;
        } else if constexpr (std::is_same_v<T, Rendering>) {
          j = {{"type", "rendering"}, {"id", m.id}, {"files", ojson::array()}};
          for (const RenderedFile& f : m.files) j["files"].push_back({{"suffix", f.suffix}, {"text", f.text}});
        } else if constexpr (std::is_same_v<T, Ok>) {
          j = {{"type", "ok"}};
        } else if constexpr (std::is_same_v<T, ErrorReply>) {
          j = {{"type", "error"}, {"id", m.id ? ojson(*m.id) : ojson(nullptr)}, {"message", m.message}};
        } else {
          j = {{"type", "bye"}};
        }
      },
      msg);
  return line_of(j);
}

bool compatible(std::string_view protocol) {
  const std::string_view major = kProtocol;
  return protocol == major ||
         (protocol.size() > major.size() && protocol.substr(0, major.size()) == major && protocol[major.size()] == '.');
}

bool safe_suffix(std::string_view suffix) {
  if (suffix.empty() || suffix.size() > 200 || suffix.front() == '.' || suffix.find("..") != std::string_view::npos)
    return false;
  for (char c : suffix)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') return false;
  return true;
}

}  // namespace ikeconform::adapter
