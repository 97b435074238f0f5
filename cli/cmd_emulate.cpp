// `ikeconform emulate`: the router of one IOS configuration, emulated by our own engine on a
// real interface against a real device; prints the direction in `check`'s form with what the
// device actually sent beside what its model predicts (docs/emulate.md).
#include <fmt/format.h>

#include <atomic>
#include <csignal>
#include <iostream>

#include "advice/fixes.hpp"
#include "cli/check_print.hpp"
#include "cli/commands.hpp"
#include "cli/inputs.hpp"
#include "drivers/cisco_ios/emulate.hpp"
#include "model/engine.hpp"
#include "model/input_error.hpp"
#include "model/ladder.hpp"
#include "model/observation_json.hpp"
#include "peer/transport.hpp"

namespace ikeconform::cli {
namespace {

std::atomic<bool> g_stop{false};
// The first Ctrl-C asks the exchange to end (the responder within 50 ms, the initiator after its
// retransmissions, within --timeout) and still prints; a second one ends the process at once.
extern "C" void on_sigint(int) {
  g_stop.store(true);
  std::signal(SIGINT, SIG_DFL);
}

struct EmulateArgs {
  std::string config, peer_config, peer_show_certs, peer, local, show_certs, tunnel, pcap, p12_password;
  std::vector<std::string> credentials;
  bool initiate = false, respond = false, json = false;
  double timeout = 10;
};

std::string certreq_text(const Scenario& s, const CertReqList& l) {
  std::string out;
  for (const CertReq& c : l)
    out += (out.empty() ? "" : "; ") + (c.ca == kNone ? std::string("(a CA of no trustpoint here)") : ca_dn(s, c.ca));
  return out.empty() ? "none" : out;
}

std::string verdict_text(const Observation& o) {
  if (o.up()) return "UP";
  if (o.ike_sa == SaResult::Established)
    return fmt::format("IKE SA UP, CHILD SA DOWN at {}: {}", message_name(o.failed_at), reason_code(o.reason));
  return fmt::format("DOWN at {}: {}", message_name(o.failed_at), reason_code(o.reason));
}

// What the real device (peer 1) sent, with its model's prediction where one exists.
struct Sent {
  std::string what, actual, predicted;
};
std::vector<Sent> device_sent(const Scenario& s, const cisco_ios::Emulation& e, const Observation& predicted) {
  const std::size_t dev = 1;
  const bool dev_initiates = predicted.initiator == dev;
  const CertReqList& pred_reqs = dev_initiates ? predicted.certreq_from_initiator : predicted.certreq_from_responder;
  const TpIndex pred_tp = dev_initiates ? predicted.initiator_trustpoint : predicted.responder_trustpoint;
  std::vector<Sent> out;
  out.push_back({"ID", e.record.peer_id.empty() ? "none received" : e.record.peer_id, ""});
  out.push_back({"CERT_REQ", certreq_text(s, e.record.certreqs_received), certreq_text(s, pred_reqs)});
  out.push_back({"certificate",
                 e.record.peer_cert_subject.empty()
                     ? "none received"
                     : fmt::format("subject {}, issuer {}", e.record.peer_cert_subject, e.record.peer_cert_issuer_dn),
                 pred_tp == kNone ? "none" : "from trustpoint " + trustpoint_name(s, dev, pred_tp)});
  out.push_back({"notify", e.notify.empty() ? "none" : e.notify, ""});
  return out;
}

void print_text(const LoadedScenario& in, const ModelOptions& opt, const cisco_ios::Emulation& e,
                const Observation& predicted, bool initiate) {
  const Scenario& s = in.scenario;
  fmt::print("ikeconform emulate: {} (IKEv{}), {} emulated on {} {} {} at {}\n", s.name,
             static_cast<int>(s.ike_version), s.peers[0].name, e.local_address, initiate ? "->" : "<-", s.peers[1].name,
             s.peers[1].address);
  for (const std::string& note : in.notes)
    fmt::print("{}{}\n", note.rfind("assumption: ", 0) == 0 ? "" : "note: ", note);
  if (e.stopped) fmt::print("note: interrupted (Ctrl-C) before the exchange ended\n");
  print_direction(s, e.observed, opt);
  fmt::print("  {} sent (its model predicted):\n", s.peers[1].name);
  for (const Sent& l : device_sent(s, e, predicted))
    fmt::print("    {:<18} {}{}\n", l.what, l.actual, l.predicted.empty() ? "" : "   (predicted: " + l.predicted + ")");
  const bool agree = e.observed.up() == predicted.up() && e.observed.reason == predicted.reason;
  fmt::print("  Model of the pair: {}{}\n", verdict_text(predicted), agree ? " (agrees)" : " (DIFFERS from the wire)");
  if (!e.observed.up()) print_fixes(s, suggest_fixes(s, opt));
}

void print_json(const LoadedScenario& in, const ModelOptions& opt, const cisco_ios::Emulation& e,
                const Observation& predicted, bool initiate) {
  const Scenario& s = in.scenario;
  nlohmann::ordered_json j;
  j["schema"] = "ikeconform.emulate/1";
  j["scenario"] = s.name;
  j["role"] = initiate ? "initiator" : "responder";
  j["local_address"] = e.local_address;
  j["peer_address"] = s.peers[1].address;
  j["notes"] = in.notes;
  j["interrupted"] = e.stopped;
  auto d = observation_to_json(s, e.observed);
  d["decisive_step"] = decisive_step(s, e.observed, opt);
  j["observed"] = d;
  j["predicted"] = observation_to_json(s, predicted);
  nlohmann::ordered_json sent = nlohmann::ordered_json::object();
  for (const Sent& l : device_sent(s, e, predicted)) sent[l.what] = {{"actual", l.actual}, {"predicted", l.predicted}};
  j["peer_sent"] = sent;
  j["trace"] = e.trace;
  std::cout << j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
}

}  // namespace

void register_emulate(CLI::App& app, Outcome& out) {
  auto a = std::make_shared<EmulateArgs>();
  CLI::App* cmd = app.add_subcommand("emulate",
                                     "Play the router of an IOS configuration on a real interface against a real "
                                     "device");
  cmd->add_option("config", a->config, "The IOS configuration of the router to emulate")->required();
  cmd->add_option("--credentials", a->credentials,
                  "TP=FILE.p12[:PASSWORD]: trustpoint TP's CA certificate (and identity certificate and key); "
                  "one per trustpoint, enrolled ones oldest first")
      ->required();
  cmd->add_option("--p12-password", a->p12_password, "Password of every PKCS#12 file without its own ':PASSWORD'");
  cmd->add_option("--peer", a->peer, "IPv4 address of the real device")->required();
  auto* ini = cmd->add_flag("--initiate", a->initiate, "Start the exchange");
  auto* res = cmd->add_flag("--respond", a->respond, "Wait for the device to start it");
  ini->excludes(res);
  res->excludes(ini);
  cmd->add_option("--peer-config", a->peer_config, "An IOS configuration that models the device (predictions)");
  cmd->add_option("--peer-show-certs", a->peer_show_certs,
                  "FILE: `show crypto pki certificates` output of the --peer-config router");
  cmd->add_option("--show-certs", a->show_certs, "FILE: `show crypto pki certificates` output of the emulated router");
  cmd->add_option("--tunnel", a->tunnel, "INTERFACE: the tunnel toward the device, when CONFIG has several");
  cmd->add_option("--local", a->local, "Local IPv4 address to bind (default: the route's source toward --peer)");
  cmd->add_option("--timeout", a->timeout, "Seconds the whole exchange may take (default 10)")
      ->check(CLI::Range(0.1, 3600.0));
  cmd->add_option("--pcap", a->pcap, "FILE: write the exchange's IKE datagrams as a classic pcap");
  cmd->add_flag("--json", a->json, "Print one JSON object (docs/emulate.md)");
  cmd->callback([a, &out] {
    if (!a->initiate && !a->respond) throw InputError("emulate", 0, "give --initiate or --respond");
    std::vector<cisco_ios::P12Contents> files;
    std::vector<std::string> enrolled;
    for (const std::string& spec : a->credentials) {
      files.push_back(cisco_ios::read_p12(cisco_ios::parse_credentials_spec(spec, a->p12_password)));
      if (!files.back().cert_pem.empty()) enrolled.push_back(files.back().trustpoint);
    }
    LoadedScenario in = load_emulated(a->config, a->peer_config, a->peer, a->show_certs, a->peer_show_certs, enrolled,
                                      a->tunnel);
    peer::Credentials creds = cisco_ios::emulation_credentials(in.scenario, 0, files);
    ModelOptions opt;
    const CompiledScenario cs = compile(in.scenario, opt);
    const Observation predicted = run_direction(cs, a->initiate ? 0 : 1, opt);
    cisco_ios::EmulateOptions eo;
    eo.local_address = a->local;
    eo.initiate = a->initiate;
    eo.timeout = std::chrono::milliseconds(static_cast<long>(a->timeout * 1000));
    eo.stop = &g_stop;
    eo.capture = !a->pcap.empty();
    cisco_ios::Emulation e;
    {
      struct SigintGuard {  // Ctrl-C asks the exchange to end only while it runs
        void (*previous)(int) = std::signal(SIGINT, on_sigint);
        ~SigintGuard() { std::signal(SIGINT, previous); }
      } guard;
      try {
        e = cisco_ios::emulate(in.scenario, 0, creds, eo);
      } catch (const peer::TransportError& err) {  // the sockets: --local not ours, port 500 taken
        throw InputError(a->local.empty() ? "--peer" : "--local", 0, err.what());
      }
    }
    if (!a->pcap.empty()) wire::write_pcap(a->pcap, e.packets);
    if (a->json) print_json(in, opt, e, predicted, a->initiate);
    else print_text(in, opt, e, predicted, a->initiate);
    out.exit_code = e.observed.up() ? 0 : 1;
  });
}

}  // namespace ikeconform::cli
