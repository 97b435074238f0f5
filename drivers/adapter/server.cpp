// serve(): one request, one reply, in order (docs/adapter-protocol.md "Exchange").
#include "drivers/adapter/server.hpp"

#include <istream>
#include <ostream>

#include "model/observation_json.hpp"

namespace ikeconform::adapter {
namespace {

struct Session {
  Backend& backend;
  std::ostream& out;
  std::optional<ScenarioRequest> held;  // the scenario runs refer to
  std::optional<std::string> unsupported;

  void reply(const AdapterMessage& m) {
    out << to_line(m);
    out.flush();  // the harness waits for this line
  }

  void on(const Hello&) { reply(backend.hello()); }

  void on(const ScenarioRequest& r) {
    held.reset();
    unsupported.reset();
    if (r.plays.size() != 2) {  // version 1: the adapter plays both peers
      reply(Unsupported{r.id, "this adapter plays both peers of a scenario"});
      held = r;
      unsupported = "this adapter plays both peers of a scenario";
      return;
    }
    unsupported = backend.prepare(r);
    held = r;
    if (unsupported) reply(Unsupported{r.id, *unsupported});
    else reply(Ready{r.id});
  }

  void on(const RunRequest& r) {
    if (!held || held->id != r.id)
      return reply(ErrorReply{r.id, "run: no scenario " + std::to_string(r.id) + " is held"});
    Observation o;
    if (unsupported) {
      o.initiator = r.initiator;
      o.ike_version = held->scenario.ike_version;
      o.reason = Reason::Unsupported;
      o.trace.push_back("adapter: " + *unsupported);
    } else {
      o = backend.run(r.initiator);
    }
    reply(ObservationReply{r.id, nlohmann::json(observation_to_json(held->scenario, o))});
  }

  void on(const CaptureRequest& r) {
    if (backend.capture(r.file)) reply(Ok{});
    else reply(ErrorReply{std::nullopt, "capture: not supported"});
  }

  void on(const RenderRequest& r) {
    if (!held || held->id != r.id)
      return reply(ErrorReply{r.id, "render: no scenario " + std::to_string(r.id) + " is held"});
    reply(Rendering{r.id, unsupported ? std::vector<RenderedFile>{} : backend.render()});
  }

  void on(const Bye&) { reply(Bye{}); }
};

std::optional<std::uint64_t> id_of(const HarnessMessage& m) {
  if (const auto* s = std::get_if<ScenarioRequest>(&m)) return s->id;
  if (const auto* r = std::get_if<RunRequest>(&m)) return r->id;
  if (const auto* r = std::get_if<RenderRequest>(&m)) return r->id;
  return std::nullopt;
}

}  // namespace

int serve(Backend& b, std::istream& in, std::ostream& out) {
  Session session{b, out, {}, {}};
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    HarnessMessage m;
    try {
      m = parse_harness_message(line);
    } catch (const ProtocolError& e) {
      session.reply(ErrorReply{std::nullopt, std::string("not ikeconform.adapter/1: ") + e.what()});
      continue;
    }
    if (const auto* h = std::get_if<Hello>(&m); h && !compatible(h->protocol)) {
      session.reply(ErrorReply{std::nullopt, std::string("this adapter speaks ") + kProtocol + ", not " + h->protocol});
      return 2;
    }
    try {
      std::visit([&](const auto& msg) { session.on(msg); }, m);
    } catch (const std::exception& e) {  // the backend failed: say so, keep serving
      session.reply(ErrorReply{id_of(m), e.what()});
    }
    if (std::holds_alternative<Bye>(m)) return 0;
  }
  return 0;
}

}  // namespace ikeconform::adapter
