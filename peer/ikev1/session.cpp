#include <fmt/format.h>
#include <functional>

#include "peer/ikev1/isakmp_sa.hpp"

namespace ikeconform::peer::ikev1 {

namespace k = wire::ikev1;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

Initiator::Initiator(const Config& config, const Credentials& creds, CertificatePolicy& policy, UdpTransport& transport,
                     std::string remote_address)
    : ctx_{config, creds, policy}, transport_(transport), remote_(std::move(remote_address)) {
  sa_.local_address = transport_.address();
  sa_.remote_address = remote_;
}

std::optional<IkeMessage> Initiator::exchange(const Bytes& request, std::uint8_t exchange, std::uint32_t id) {
  milliseconds timeout = ctx_.config.retransmit_timeout;
  for (int attempt = 0; attempt <= ctx_.config.retransmit_tries; ++attempt) {
    if (attempt > 0) {
      ++retransmissions_;
      sa_.log(fmt::format("retransmit {} of {} request", attempt, wire::exchange_name(IkeVersion::V1, exchange)));
    }
    transport_.send(remote_, sa_.port, request, sa_.port);
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      auto d = transport_.receive(receive_slice(ctx_.config.abandon, deadline));
      if (!d) {
        if (!abandoned(ctx_.config.abandon)) continue;
        sa_.log("giving up: abandoned while waiting for the answer");
        return std::nullopt;
      }
      auto m = wire::decode(d->data);
      if (!m || m->version() != IkeVersion::V1 || m->header.ispi != sa_.cky_i) continue;
      // A Notify in an Informational exchange is how an IKEv1 responder says no (RFC 2408 §3.14).
      if (m->header.exchange == k::kInformational) {
        std::vector<Payload> ps = m->payloads;
        if (m->v1_encrypted && !sa_.keys.skeyid.empty()) {
          try {
            Bytes iv = phase2_iv(sa_, m->header.message_id);
            ps = open(sa_, *m, iv);
          } catch (const std::exception&) {
            continue;
          }
        }
        for (const Payload& p : ps)
          if (const auto* n = std::get_if<wire::NotifyV1>(&p.body)) {
            const std::string_view name = wire::notify_name(IkeVersion::V1, n->type);
            sa_.log(fmt::format("received {} notify", name.empty() ? std::to_string(n->type) : std::string(name)));
            if (n->type < 8192) {  // RFC 2408 §3.14.1: error types
              sa_.outcome.error = n->type;
              return std::nullopt;
            }
          }
        continue;
      }
      if (m->header.exchange != exchange || m->header.message_id != id) continue;
      if (exchange == k::kIdentityProtection) {  // which Main Mode answer: MM2 has SA, MM4 KE, MM6 is encrypted
        const bool want_sa = sa_.cky_r == wire::Spi{}, want_ke = !want_sa && sa_.keys.skeyid.empty();
        if (want_sa ? !m->find(k::kSA) : want_ke ? !m->find(k::kKE) : !m->v1_encrypted) continue;
      }
      sa_.log("received " + wire::describe(*m));
      return std::move(m).value();
    }
    timeout *= 2;
  }
  sa_.log("giving up after retransmits");
  return std::nullopt;
}

const IsakmpSa& Initiator::establish() {
  auto step = [&](const char* at, const Bytes& request, std::uint8_t exch, std::uint32_t id,
                  const std::function<bool(const IkeMessage&)>& process) {
    auto m = exchange(request, exch, id);
    if (!m) {
      if (sa_.outcome.failed_at.empty()) sa_.outcome.failed_at = at;
      if (sa_.outcome.reason.empty()) sa_.outcome.reason = sa_.outcome.error ? "notify error" : "no answer";
      return false;
    }
    return process(*m);
  };
  const IkeMessage mm1 = mm1_build_i(sa_, ctx_);
  sa_.log("sending " + wire::describe(mm1));
  if (!step("MM2", wire::encode(mm1), k::kIdentityProtection, 0,
            [&](const IkeMessage& m) { return mm2_process_i(sa_, ctx_, m); }))
    return sa_;
  const IkeMessage mm3 = mm3_build_i(sa_, ctx_);
  sa_.log("sending " + wire::describe(mm3));
  if (!step("MM4", wire::encode(mm3), k::kIdentityProtection, 0,
            [&](const IkeMessage& m) { return mm4_process_i(sa_, ctx_, m); }))
    return sa_;
  const auto mm5 = mm5_build_i(sa_, ctx_);
  if (!mm5) return sa_;  // no certificate: MM5 is never sent
  sa_.log("sending MM5 (IDii CERT SIG, encrypted)");
  bool refused = false;
  if (!step("MM6", *mm5, k::kIdentityProtection, 0, [&](const IkeMessage& m) {
        refused = !mm6_process_i(sa_, ctx_, m);
        return !refused;
      })) {
    // We refused the responder's MM6: tell it, so that it drops the ISAKMP SA it thinks is up.
    if (refused && !sa_.keys.skeyid.empty())
      transport_.send(remote_, sa_.port, notify_build(sa_, k::kAuthenticationFailed), sa_.port);
    return sa_;
  }
  const Bytes qm1 = qm1_build_i(sa_, ctx_);  // sets the Message ID the answer must carry
  if (!step("QM2", qm1, k::kQuickMode, sa_.qm_id, [&](const IkeMessage& m) { return qm2_process_i(sa_, ctx_, m); }))
    return sa_;
  transport_.send(remote_, sa_.port, qm3_build_i(sa_), sa_.port);
  return sa_;
}

void Initiator::delete_isakmp_sa() {
  if (!sa_.outcome.isakmp_sa || sa_.deleted) return;
  transport_.send(remote_, sa_.port, delete_isakmp_sa_build(sa_), sa_.port);
}

// ---- Responder -------------------------------------------------------------------------------------

Responder::Responder(const Config& config, const Credentials& creds, CertificatePolicy& policy, UdpTransport& transport)
    : ctx_{config, creds, policy}, transport_(transport) {}

void Responder::handle(const Datagram& d) {
  auto decoded = wire::decode(d.data);
  if (!decoded || decoded->version() != IkeVersion::V1) return;
  const IkeMessage& m = *decoded;
  std::size_t i = 0;
  while (i < sas_.size() && sas_[i].cky_i != m.header.ispi) ++i;
  if (i == sas_.size()) {
    if (m.header.exchange != k::kIdentityProtection || m.header.rspi != wire::Spi{}) return;
    IsakmpSa& fresh = sas_.emplace_back();
    last_.emplace_back();
    fresh.local_address = transport_.address();
    fresh.remote_address = d.from_address;
  }
  IsakmpSa& sa = sas_[i];
  auto& [last_request, last_answer] = last_[i];
  auto answer = [&](Bytes out) {
    sa.port = d.local_port;  // answer where the request came (500, or 4500 after NAT-T)
    transport_.send(d.from_address, d.from_port, out, d.local_port);
    last_request = d.data;
    last_answer = std::move(out);
  };
  if (d.data == last_request && !last_answer.empty()) {  // a retransmission: the same answer again
    transport_.send(d.from_address, d.from_port, last_answer, d.local_port);
    return;
  }
  sa.log("received " + wire::describe(m));
  if (m.header.exchange == k::kInformational) {
    informational_process(sa, m);
    return;
  }
  if (m.header.exchange == k::kIdentityProtection) {
    if (sa.cky_r == wire::Spi{}) {
      if (auto r = mm1_process_r(sa, ctx_, m, d.data)) answer(wire::encode(*r));
    } else if (!m.v1_encrypted && sa.keys.skeyid.empty()) {
      if (auto r = mm3_process_r(sa, ctx_, m)) answer(wire::encode(*r));
    } else if (m.v1_encrypted && !sa.outcome.isakmp_sa) {
      if (auto r = mm5_process_r(sa, ctx_, m)) answer(std::move(*r));
    }
    return;
  }
  if (m.header.exchange == k::kQuickMode && sa.outcome.isakmp_sa) {
    if (sa.qm_id != m.header.message_id) {
      if (auto r = qm1_process_r(sa, ctx_, m)) answer(std::move(*r));
    } else {
      qm3_process_r(sa, m);
    }
  }
}

void Responder::serve(milliseconds duration, const std::function<bool(const Responder&)>& done) {
  serve_datagrams(
      transport_, duration, [&] { return done && done(*this); }, [&](const Datagram& d) { handle(d); });
}

}  // namespace ikeconform::peer::ikev1
