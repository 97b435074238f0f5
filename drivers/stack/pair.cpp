#include "drivers/stack/pair.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <future>
#include <thread>

#include "drivers/netns/netns.hpp"
#include "drivers/pki/pki.hpp"
#include "drivers/process/process.hpp"
#include "model/input_error.hpp"

namespace ikeconform::stack {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

std::chrono::microseconds since(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t);
}

std::vector<CaIndex> cas_of(const CertReqList& l) {
  std::vector<CaIndex> out;
  for (const CertReq& c : l) out.push_back(c.ca);
  return out;
}

// One list: the wire wins when it shows the message; a different CA sequence is a finding.
void check_list(const Scenario& s, const char* who, const std::optional<CertReqList>& wire, CertReqList& observed,
                std::vector<std::string>& trace) {
  if (!wire) return;
  if (cas_of(*wire) != cas_of(observed))
    trace.push_back(fmt::format("finding: CERTREQ from {}: logs say {}, wire says {}", who,
                                capture::describe(s, observed), capture::describe(s, *wire)));
  else return;  // same CAs: keep the log's trustpoints (the sender's, not merely the first naming the CA)
  observed = *wire;
}

// f(0) here and f(1) on another thread: the two daemons are independent, and each side's
// control calls are process starts that mostly wait. Exceptions come back to the caller.
template <typename F>
void both(F&& f) {
  auto other = std::async(std::launch::async, [&f] { f(std::size_t{1}); });
  std::exception_ptr mine;
  try {
    f(std::size_t{0});
  } catch (...) {
    mine = std::current_exception();
  }
  other.get();  // rethrows side 1's exception
  if (mine) std::rethrow_exception(mine);
}

}  // namespace

void cross_check(const Scenario& s, const capture::WireCertReqs& w, const SideReport& ini, Observation& o) {
  if (ini.certreq_message == Message::MM3)
    check_list(s, "initiator (MM3)", w.from_initiator, o.certreq_from_initiator, o.trace);
  check_list(s, s.ike_version == IkeVersion::V2 ? "responder (IKE_SA_INIT)" : "responder (MM4)", w.from_responder,
             o.certreq_from_responder, o.trace);
  o.trace.push_back(fmt::format("wire: {} IKE datagrams{}", w.ike_packets,
                                w.undecodable ? fmt::format(", {} undecodable", w.undecodable) : std::string()));
  if (w.undecodable) o.trace.push_back(fmt::format("finding: {} IKE datagrams did not decode", w.undecodable));
}

PairRunner::PairRunner(std::vector<StackKind> kinds, PairOptions o) : registry_(std::move(kinds)), o_(std::move(o)) {}

const StackKind* PairRunner::kind_of(const Scenario& s, std::size_t peer) const {
  for (const StackKind& k : registry_)
    if (k.personality == s.peers.at(peer).personality) return &k;
  return nullptr;
}

// Known before any PKI or daemon: no stack for a peer's personality, or a stack that says so.
std::optional<std::string> PairRunner::inexpressible(const Scenario& s) const {
  for (std::size_t i = 0; i < 2; ++i) {
    const StackKind* k = kind_of(s, i);
    if (!k) return "real-stack target: no real stack for personality '" + s.peers[i].personality + "'";
    if (!s.peers[i].bugs.empty() && !k->protocol_bugs)
      return (k->title.empty() ? k->name : k->title) + " target: " + s.peers[i].name +
             "'s protocol bugs are switches of the emulated router (cisco-ios) only";
    if (k->inexpressible)
      if (auto why = k->inexpressible(s, i)) return (k->title.empty() ? k->name : k->title) + " target: " + *why;
  }
  return std::nullopt;
}

PairRunner::~PairRunner() { reset(); }

void PairRunner::reset() {
  capture_.reset();
  for (auto& st : stacks_) st.reset();  // daemons stop before their namespaces go
  kinds_ = {};
  net_.reset();
  dir_.reset();
}

void PairRunner::ensure(const Scenario& s) {
  const std::string& a = s.peers.at(0).address;
  const std::string& b = s.peers.at(1).address;
  bool healthy = net_ && net_->address(0) == a && net_->address(1) == b;
  for (auto& st : stacks_) healthy = healthy && (!st || st->healthy());
  if (!healthy) reset();
  if (!dir_) {
    dir_ = std::make_unique<process::TempDir>(o_.base, process::run_prefix() + "-pair-");
    if (o_.keep_dirs) dir_->keep();
  }
  if (!net_) net_ = std::make_unique<netns::NetnsPair>(a, b);
  if (o_.capture && !capture_) capture_ = std::make_unique<capture::Capture>(net_->ns(0), net_->interface(0));
  for (std::size_t i = 0; i < 2; ++i) {
    const std::string& kind = s.peers[i].personality;
    if (stacks_[i] && kinds_[i] == kind) continue;
    const StackKind* k = kind_of(s, i);
    if (!k) throw InputError(s.name, 0, "no real stack for personality '" + kind + "'");
    stacks_[i].reset();
    const fs::path dir = dir_->path() / fmt::format("peer{}-{}", i, k->name);
    stacks_[i] = k->make(*net_, i, dir, o_.stack);
    kinds_[i] = kind;
  }
}

// Polls both sides: 0.5 ms doubling to 2 ms, spent in the initiator's wait() (a stack whose
// control call is still running returns as soon as it does).
void PairRunner::wait(PeerStack& ini, PeerStack& res, bool child) {
  const auto deadline = Clock::now() + o_.exchange_timeout;
  auto pause = std::chrono::microseconds(500);
  while (Clock::now() < deadline) {
    const Progress pi = ini.progress(Role::Initiator, child);
    if (pi != Progress::Pending) return;
    // Without a CHILD SA to wait for, a responder that logged its refusal ends the run early.
    // With one, the initiator's end decides: a responder may recover after a refusal (charon
    // logs "constraint check failed", then "switching to peer config" and completes), unless
    // its refusal is final (the emulated router: an initiator it no longer answers would
    // retransmit for seconds).
    if ((!child || res.refusal_is_final()) && res.progress(Role::Responder, child) == Progress::Failed) {
      // The initiator's own log of what it sent can lag the responder's refusal under load
      // (pluto's "sent IKE_AUTH request" after R2 already refused): a short, bounded moment for
      // it to say how its side ended, so its report is not read half-written. A refusal that was
      // answered gets the moment whatever the stack: the answer is still on its way in -- unless
      // the initiator could not read it (an IKEv1 INFORMATIONAL between charon and pluto), after
      // which it says nothing until it retransmits. Both cut the moment in 60 % of mixed runs.
      const auto moment = res.refused_first_message() ? std::chrono::milliseconds(0)
                          : res.refused_silently()    ? ini.log_lag()
                                                      : std::chrono::milliseconds(300);
      const auto grace = std::min(deadline, Clock::now() + moment);
      while (Clock::now() < grace && ini.progress(Role::Initiator, child) == Progress::Pending &&
             !ini.unreadable_answer())
        ini.wait(pause);
      return;
    }
    ini.wait(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(2000));
  }
}

void PairRunner::execute(const Scenario& s, const pki::Pki& pki, std::uint8_t initiator, const std::string& prefix) {
  child_awaited_ = false;
  auto t = Clock::now();
  ensure(s);
  both([&](std::size_t i) { stacks_[i]->prepare(s, i, pki, prefix); });
  last_.prepare_time = since(t);
  PeerStack& ini = *stacks_[initiator];
  PeerStack& res = *stacks_[1U - initiator];
  t = Clock::now();
  const bool capturing = capture_ && o_.capture;  // the option may be turned off between runs
  if (capturing) capture_->begin();
  if (o_.before_initiate) o_.before_initiate(*this, attempt_);
  ini.initiate();
  // Wait for the CHILD SA only when both sides can observe it (combine() ignores it otherwise).
  const StackKind* ki = kind_of(s, initiator);
  const StackKind* kr = kind_of(s, 1U - initiator);
  child_awaited_ = ki && kr && ki->observes_child_sa && kr->observes_child_sa;
  wait(ini, res, child_awaited_);
  if (capturing) last_.wire = capture_->end();
  last_.exchange_time = since(t);
  last_.sides[initiator] = ini.report(Role::Initiator);
  last_.sides[1U - initiator] = res.report(Role::Responder);
}

// The initiator first: a peer that deletes its SAs while the initiator still waits for a
// CHILD SA makes some initiators (Libreswan IKEv1) start over, into the next run. When the run
// waited for the CHILD SA's outcome, nothing of the initiator's exchange is pending: both sides
// go at once (independent daemons, as in prepare).
void PairRunner::teardown(std::uint8_t initiator) {
  const auto t = Clock::now();
  if (child_awaited_ && stacks_[0] && stacks_[1]) {
    both([&](std::size_t i) { stacks_[i]->teardown(); });
  } else {
    for (std::size_t i : {std::size_t{initiator}, std::size_t{1U - initiator}})
      if (stacks_[i]) stacks_[i]->teardown();
  }
  last_.teardown_time = since(t);
}

std::string infrastructure_cause(const Scenario& s, const Observation& o, const RunRecord& r, std::uint8_t initiator) {
  if (!r.harness_error.empty()) return "harness: " + r.harness_error.substr(0, r.harness_error.find('\n'));
  const std::uint8_t responder = static_cast<std::uint8_t>(1 - initiator);
  for (std::uint8_t i : {initiator, responder}) {
    const SideReport& side = r.sides[i];
    if (!side.refused.empty())
      return fmt::format("{} refused the configuration we rendered: {}", s.peers[i].name, side.refused);
    if (!side.alive) return fmt::format("{}'s daemon died during the run", s.peers[i].name);
  }
  if (o.reason == Reason::PeerUnreachable)  // no refusal logged by either side: combine() looked
    return fmt::format(
        "{} logged no answer from {}, and neither logged a refusal while both daemons ran ({} IKE "
        "datagrams on the wire)",
        s.peers[initiator].name, s.peers[responder].name, r.wire.packets.size());
  if (o.reason == Reason::InternalError)
    return "the exchange ended in nothing the observers can read (unfinished at the pair's deadline, or a failure "
           "in words we do not know: see the trace)";
  return {};
}

std::string PairRunner::evidence() {
  std::string out;
  for (std::size_t i = 0; i < 2; ++i)
    if (stacks_[i]) out += (out.empty() ? "" : "\n") + stacks_[i]->describe();
  return out;
}

// One attempt: prepare, exchange, teardown, combine. A harness exception leaves the pair as it
// is (the caller takes the evidence, then resets it).
Observation PairRunner::attempt(const Scenario& s, const pki::Pki& pki, std::uint8_t initiator, int n) {
  last_ = RunRecord{};
  attempt_ = n;
  const std::string prefix = fmt::format("s{}-", ++seq_);  // fresh names: stale connections never match
  try {
    execute(s, pki, initiator, prefix);
    teardown(initiator);
  } catch (const InputError& e) {
    try {
      teardown(initiator);
    } catch (const std::exception&) {
      reset();
    }
    return not_attempted(s, initiator, Reason::Unsupported, std::string("real-stack target: ") + e.what());
  } catch (const std::exception& e) {
    last_.harness_error = e.what();
    for (std::size_t i = 0; i < 2; ++i)
      if (stacks_[i] && !stacks_[i]->healthy()) last_.harness_error += "; " + stacks_[i]->describe();
  }
  if (!o_.keep_pcap.empty() && !last_.wire.pcap.empty()) last_.wire.save(o_.keep_pcap);
  const std::uint8_t responder = static_cast<std::uint8_t>(1 - initiator);
  Observation o = combine(s, initiator, last_.sides[initiator], last_.sides[responder], last_.harness_error);
  if (last_.harness_error.empty() && o_.capture) {
    last_.wire_certreqs = capture::wire_certreqs(s, pki, initiator, last_.wire.packets);
    cross_check(s, last_.wire_certreqs, last_.sides[initiator], o);
  }
  last_.infrastructure_error = infrastructure_cause(s, o, last_, initiator);
  return o;
}

Observation PairRunner::run(const Scenario& s, const pki::Pki& pki, std::uint8_t initiator) {
  last_ = RunRecord{};
  if (s.peers.size() != 2 || initiator > 1)
    return not_attempted(s, initiator, Reason::Unsupported, "real-stack target: a scenario has two peers");
  Observation o = attempt(s, pki, initiator, 0);
  if (last_.infrastructure_error.empty()) return o;
  const std::string first = last_.infrastructure_error;
  std::string evidence = this->evidence();
  reset();  // a fresh pair: new namespaces, daemons and folders
  if (o_.retry) {
    o = attempt(s, pki, initiator, 1);
    last_.first_attempt_error = first;
    if (last_.infrastructure_error.empty()) {
      o.trace.push_back("harness: retried once in a fresh pair after an infrastructure error: " + first);
      return o;
    }
    evidence = this->evidence();
    reset();
  }
  const bool retried = o_.retry;
  Observation e = not_attempted(
      s, initiator, Reason::InternalError,
      fmt::format("real-stack target: infrastructure error: {}{}", last_.infrastructure_error,
                  retried ? " (again after one retry in a fresh pair; first attempt: " + first + ")" : ""));
  e.trace.insert(e.trace.end(), o.trace.begin(), o.trace.end());  // what the attempt logged
  std::size_t from = 0;
  while (from < evidence.size()) {  // the daemons' status, command lines and log tails
    const std::size_t nl = std::min(evidence.find('\n', from), evidence.size());
    e.trace.push_back("evidence: " + evidence.substr(from, nl - from));
    from = nl + 1;
  }
  return e;
}

Observation PairRunner::run(const Scenario& s, std::uint8_t initiator) {
  if (s.peers.size() != 2 || initiator > 1)
    return not_attempted(s, initiator, Reason::Unsupported, "real-stack target: a scenario has two peers");
  if (auto why = inexpressible(s)) return not_attempted(s, initiator, Reason::Unsupported, *why);  // no PKI for nothing
  try {
    // A scenario that differs only elsewhere (profiles, restrictions, version) reuses the PKI.
    Scenario key = pki::pki_part(s);
    pki::PkiOptions po;  // PKCS#12 only for a stack that reads it (two PBKDF runs per certificate)
    po.p12 = kind_of(s, 0)->needs_p12 || kind_of(s, 1)->needs_p12;
    if (!pki_ || !(key == pki_scenario_) || (po.p12 && !pki_p12_)) {
      pki_.reset();
      pki_scenario_ = {};
      if (!keys_)
        keys_ = std::make_unique<pki::KeyCache>(o_.key_cache.empty() ? pki::KeyCache::default_dir() : o_.key_cache);
      pki_dir_.reset();  // the previous scenario's certificates go first
      pki_dir_ = std::make_unique<process::TempDir>(o_.base, process::run_prefix() + "-pki-");
      pki_ = std::make_unique<pki::Pki>(pki::make_pki(s, pki_dir_->path(), *keys_, po));
      pki_p12_ = po.p12;
      pki_scenario_ = std::move(key);
    }
  } catch (const InputError& e) {
    pki_.reset();
    return not_attempted(s, initiator, Reason::Unsupported, std::string("real-stack target: PKI: ") + e.what());
  } catch (const std::exception& e) {
    pki_.reset();
    return not_attempted(s, initiator, Reason::InternalError, std::string("real-stack target: PKI: ") + e.what());
  }
  return run(s, *pki_, initiator);
}

}  // namespace ikeconform::stack
