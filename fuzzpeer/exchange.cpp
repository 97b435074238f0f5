#include "fuzzpeer/exchange.hpp"

#include <fmt/format.h>

#include "peer/ikev1/isakmp_sa.hpp"
#include "peer/ikev2/ike_sa.hpp"
#include "peer/personality_policy.hpp"

namespace ikeconform::fuzzpeer {

namespace k1 = wire::ikev1;
namespace k2 = wire::ikev2;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

constexpr std::array<std::pair<Point, const char*>, 7> kPoints = {{
    {Point::V2IkeSaInit, "ikev2:IKE_SA_INIT"},
    {Point::V2IkeAuth, "ikev2:IKE_AUTH"},
    {Point::V2Informational, "ikev2:INFORMATIONAL"},
    {Point::V1Mm1, "ikev1:MM1"},
    {Point::V1Mm3, "ikev1:MM3"},
    {Point::V1Mm5, "ikev1:MM5"},
    {Point::V1Qm1, "ikev1:QM1"},
}};

// "IKE_AUTH [IDr CERT AUTH N(AUTHENTICATION_FAILED)]" and the state it puts the daemon in.
void classify(IkeVersion v, std::uint8_t exchange, const std::vector<wire::Payload>& ps, Result& r) {
  std::string shape(wire::exchange_name(v, exchange));
  if (shape.empty()) shape = std::to_string(exchange);
  shape += " [";
  std::string error;
  bool auth = false, first = true;
  for (const wire::Payload& p : ps) {
    if (!first) shape += ' ';
    first = false;
    std::uint16_t notify = 0;
    bool is_notify = false;
    if (const auto* n = std::get_if<wire::NotifyV2>(&p.body)) is_notify = true, notify = n->type;
    if (const auto* n = std::get_if<wire::NotifyV1>(&p.body)) is_notify = true, notify = n->type;
    if (is_notify) {
      const std::string_view name = wire::notify_name(v, notify);
      const std::string text = name.empty() ? std::to_string(notify) : std::string(name);
      shape += "N(" + text + ")";
      if ((v == IkeVersion::V2 && notify < 16384) || (v == IkeVersion::V1 && notify < 8192))
        if (error.empty()) error = text;
      continue;
    }
    const std::string_view name = wire::payload_name(v, p.type);
    shape += name.empty() ? std::to_string(p.type) : std::string(name);
    auth = auth || p.type == (v == IkeVersion::V2 ? k2::kAUTH : k1::kSIG);
  }
  shape += "]";
  r.answered = true;
  r.response = shape;
  if (!error.empty()) r.state = "error:" + error;
  else if (auth) r.state = "established";
  else r.state = "answered";
  // The responder's AUTH (IKEv2; an error about the CHILD SA may stand beside it, RFC 7296 §1.2)
  // or SIG (IKEv1 MM6): it authenticated us.
  r.established = auth;
  if (auth && !error.empty()) r.state = "established+error:" + error;
}

}  // namespace

std::string point_name(Point p) {
  for (const auto& [q, name] : kPoints)
    if (q == p) return name;
  return "?";
}

std::optional<Point> point_named(std::string_view name) {
  for (const auto& [q, n] : kPoints)
    if (n == name) return q;
  return std::nullopt;
}

IkeVersion point_version(Point p) {
  return p == Point::V2IkeSaInit || p == Point::V2IkeAuth || p == Point::V2Informational ? IkeVersion::V2
                                                                                         : IkeVersion::V1;
}

std::vector<Point> points(IkeVersion v) {
  std::vector<Point> out;
  for (const auto& [p, name] : kPoints)
    if (point_version(p) == v) out.push_back(p);
  return out;
}

Exchanger::Exchanger(const OurSide& side, std::uint16_t port, std::uint16_t port_nat_t)
    : side_(side), transport_(side.local_address, side.netns, port, port_nat_t), port_(port), port_nat_t_(port_nat_t) {}

Result Exchanger::run(Point p, const Recipe& r, milliseconds answer, milliseconds mutated) {
  while (transport_.receive(milliseconds(0))) {  // late answers of the last exchange
  }
  if (mutated.count() == 0) mutated = answer;
  return point_version(p) == IkeVersion::V2 ? run_v2(p, r, answer, mutated) : run_v1(p, r, answer, mutated);
}

// ---- IKEv2 -----------------------------------------------------------------------------------------

Result Exchanger::run_v2(Point p, const Recipe& recipe, milliseconds answer, milliseconds mutated) {
  using namespace peer::ikev2;
  Result res;
  Clock::time_point mutated_at{};  // when the mutated message went out
  peer::PersonalityPolicy policy(side_.scenario, side_.peer, *side_.creds);
  const Config& config = side_.config.v2;
  Context ctx{config, *side_.creds, policy};
  IkeSa sa;
  sa.role = peer::Role::Initiator;
  sa.ends = {side_.local_address, side_.remote_address, port_, 500};
  sa.suite = config.ike.front();
  Opener opener;

  // The answer to our request `id`: its message and, when protected, its inner payloads.
  struct Answer {
    IkeMessage message;
    Bytes raw;
    std::vector<Payload> inner;
    bool undecryptable = false;
  };
  auto await = [&](std::uint32_t id, bool protected_response, milliseconds wait) -> std::optional<Answer> {
    const auto deadline = Clock::now() + wait;
    while (Clock::now() < deadline) {
      auto d = transport_.receive(std::chrono::duration_cast<milliseconds>(deadline - Clock::now()));
      if (!d) break;
      auto m = wire::decode(d->data);
      if (!m || m->version() != IkeVersion::V2 || m->header.ispi != sa.spi_i || !m->is_response() ||
          m->header.message_id != id)
        continue;
      Answer a{std::move(m).value(), d->data, {}, false};
      if (!protected_response || a.message.header.exchange == k2::kIkeSaInit) {
        a.inner = a.message.payloads;
        return a;
      }
      try {
        auto inner = opener.open(sa, a.message, d->data);
        if (!inner) continue;  // more fragments
        a.inner = std::move(*inner);
      } catch (const ProtectionError&) {
        a.undecryptable = true;
      }
      return a;
    }
    return std::nullopt;
  };
  auto send = [&](const std::vector<Bytes>& datagrams) {
    for (const Bytes& d : datagrams) transport_.send(side_.remote_address, 500, d, port_);
  };
  auto judge = [&](const std::optional<Answer>& a) {
    res.latency = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - mutated_at);
    if (!a) {
      res.response = res.state = "none";
      return;
    }
    if (a->undecryptable) {
      res.answered = true;
      res.response = res.state = "undecryptable";
      return;
    }
    classify(IkeVersion::V2, a->message.header.exchange, a->inner, res);
  };

  if (p == Point::V2IkeSaInit) {
    const IkeMessage init = ike_sa_init_build_i(sa, ctx);
    std::vector<Segment> segs = segments(IkeVersion::V2, init.payloads);
    apply(recipe, IkeVersion::V2, side_.material, segs);
    res.reached = true;
    send({clear_message(init.header, segs)});
    mutated_at = Clock::now();
    judge(await(0, false, mutated));
    return res;
  }
  for (int round = 0;; ++round) {  // IKE_SA_INIT, again after INVALID_KE_PAYLOAD or COOKIE
    ike_sa_init_build_i(sa, ctx);
    send({sa.init_request});
    auto a = await(0, false, answer);
    if (!a) {
      res.unreached = "no IKE_SA_INIT response";
      return res;
    }
    const InitStatus st = ike_sa_init_process_i(sa, ctx, a->message, a->raw);
    if (st == InitStatus::Done) break;
    if (st == InitStatus::Failed || round == 2) {
      res.unreached = "IKE_SA_INIT failed: " + sa.outcome.reason;
      return res;
    }
  }
  sa.next_id = 1;
  std::vector<Payload> auth = ike_auth_build_i(sa, ctx);
  if (auth.empty()) {
    res.unreached = "no certificate to send";
    return res;
  }
  // Leaves nothing established behind; not awaited (run() drains the answer).
  auto delete_sa = [&](std::uint32_t id) {
    send(seal(sa, header_for(sa, k2::kInformational, id, false), delete_ike_sa_build(), config.fragment_size));
  };
  if (p == Point::V2IkeAuth) {
    std::vector<Segment> segs = segments(IkeVersion::V2, auth);
    const std::vector<Segment> original = segs;
    apply(recipe, IkeVersion::V2, side_.material, segs);
    res.reached = true;
    res.auth_broken = authentication_broken(IkeVersion::V2, original, segs);
    send(seal_chain(sa, header_for(sa, k2::kIkeAuth, 1, false), first_type(segs), encode_chain(segs),
                    config.fragment_size));
    mutated_at = Clock::now();
    judge(await(1, true, mutated));
    if (res.established) delete_sa(2);
    return res;
  }
  send(seal(sa, header_for(sa, k2::kIkeAuth, 1, false), auth, config.fragment_size));
  auto a = await(1, true, answer);
  if (!a || a->undecryptable) {
    res.unreached = "no IKE_AUTH response";
    return res;
  }
  ike_auth_process_i(sa, ctx, a->inner);
  if (!sa.outcome.ike_sa) {
    res.unreached = "IKE_AUTH failed: " + sa.outcome.reason;
    return res;
  }
  std::vector<Segment> segs = segments(IkeVersion::V2, delete_ike_sa_build());
  apply(recipe, IkeVersion::V2, side_.material, segs);
  res.reached = true;
  send(seal_chain(sa, header_for(sa, k2::kInformational, 2, false), first_type(segs), encode_chain(segs),
                  config.fragment_size));
  mutated_at = Clock::now();
  judge(await(2, true, mutated));
  delete_sa(res.answered ? 3 : 2);  // whatever the mutated one did; unanswered, 2 is still expected
  return res;
}

// ---- IKEv1 -----------------------------------------------------------------------------------------

Result Exchanger::run_v1(Point p, const Recipe& recipe, milliseconds answer, milliseconds mutated) {
  using namespace peer::ikev1;
  Result res;
  Clock::time_point mutated_at{};  // when the mutated message went out
  peer::PersonalityPolicy policy(side_.scenario, side_.peer, *side_.creds);
  const Config& config = side_.config.v1;
  Context ctx{config, *side_.creds, policy};
  IsakmpSa sa;
  sa.local_address = side_.local_address;
  sa.remote_address = side_.remote_address;

  auto send = [&](const Bytes& d) {
    transport_.send(side_.remote_address, sa.port, d, sa.port == 4500 ? port_nat_t_ : port_);
  };
  // The responder's next Main Mode or Quick Mode message, or its Informational (a Notify).
  auto await = [&](std::uint8_t exchange, std::uint32_t id, milliseconds wait) -> std::optional<IkeMessage> {
    const auto deadline = Clock::now() + wait;
    while (Clock::now() < deadline) {
      auto d = transport_.receive(std::chrono::duration_cast<milliseconds>(deadline - Clock::now()));
      if (!d) break;
      auto m = wire::decode(d->data);
      if (!m || m->version() != IkeVersion::V1 || m->header.ispi != sa.cky_i) continue;
      if (m->header.exchange == k1::kInformational || (m->header.exchange == exchange && m->header.message_id == id))
        return std::move(m).value();
    }
    return std::nullopt;
  };
  // What an answer says: Informationals decrypted with their phase 2 IV, MM6 / QM2 with `iv`.
  auto judge = [&](const std::optional<IkeMessage>& m, Bytes* iv) {
    res.latency = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - mutated_at);
    if (!m) {
      res.response = res.state = "none";
      return;
    }
    std::vector<Payload> ps = m->payloads;
    if (m->v1_encrypted) {
      try {
        Bytes info_iv;
        if (m->header.exchange == k1::kInformational) info_iv = phase2_iv(sa, m->header.message_id);
        ps = open(sa, *m, m->header.exchange == k1::kInformational ? info_iv : *iv);
      } catch (const std::exception&) {
        res.answered = true;
        res.response = res.state = "undecryptable";
        return;
      }
    }
    classify(IkeVersion::V1, m->header.exchange, ps, res);
  };
  auto mutated_clear = [&](const IkeMessage& m) {
    std::vector<Segment> segs = segments(IkeVersion::V1, m.payloads);
    apply(recipe, IkeVersion::V1, side_.material, segs);
    res.reached = true;
    send(clear_message(m.header, segs));
    mutated_at = Clock::now();
    judge(await(k1::kIdentityProtection, 0, mutated), nullptr);
  };
  // A valid Main Mode step: send `m`, process its answer with `process`.
  auto step = [&](const Bytes& request, const char* what, auto process) {
    send(request);
    auto m = await(k1::kIdentityProtection, 0, answer);
    if (!m || m->header.exchange != k1::kIdentityProtection || !process(*m)) {
      res.unreached = std::string(what) + (m ? " refused" : " unanswered");
      return false;
    }
    return true;
  };

  const IkeMessage mm1 = mm1_build_i(sa, ctx);
  if (p == Point::V1Mm1) {
    mutated_clear(mm1);
    return res;
  }
  if (!step(wire::encode(mm1), "MM1", [&](const IkeMessage& m) { return mm2_process_i(sa, ctx, m); })) return res;
  const IkeMessage mm3 = mm3_build_i(sa, ctx);
  if (p == Point::V1Mm3) {
    mutated_clear(mm3);
    return res;
  }
  if (!step(wire::encode(mm3), "MM3", [&](const IkeMessage& m) { return mm4_process_i(sa, ctx, m); })) return res;
  auto mm5 = mm5_payloads_i(sa, ctx);
  if (!mm5) {
    res.unreached = "no certificate to send";
    return res;
  }
  const wire::Header h5 = header_for(sa, k1::kIdentityProtection, 0, true);
  if (p == Point::V1Mm5) {
    std::vector<Segment> segs = segments(IkeVersion::V1, *mm5);
    const std::vector<Segment> original = segs;
    apply(recipe, IkeVersion::V1, side_.material, segs);
    res.reached = true;
    res.auth_broken = authentication_broken(IkeVersion::V1, original, segs);
    send(seal_chain(sa, h5, first_type(segs), encode_chain(segs), sa.iv));
    mutated_at = Clock::now();
    judge(await(k1::kIdentityProtection, 0, mutated), &sa.iv);
    if (res.established) send(delete_isakmp_sa_build(sa));
    return res;
  }
  if (!step(seal(sa, h5, *mm5, sa.iv), "MM5", [&](const IkeMessage& m) { return mm6_process_i(sa, ctx, m); }))
    return res;
  std::vector<Segment> segs = segments(IkeVersion::V1, qm1_payloads_i(sa, ctx));
  apply(recipe, IkeVersion::V1, side_.material, segs);
  res.reached = true;
  send(seal_chain(sa, header_for(sa, k1::kQuickMode, sa.qm_id, true), first_type(segs), encode_chain(segs), sa.qm_iv));
  mutated_at = Clock::now();
  judge(await(k1::kQuickMode, sa.qm_id, mutated), &sa.qm_iv);
  res.established = false;  // Quick Mode authenticates nothing new: no bypass to judge here
  send(delete_isakmp_sa_build(sa));
  return res;
}

}  // namespace ikeconform::fuzzpeer
