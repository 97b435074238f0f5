#include "peer/ikev2/session.hpp"

#include <fmt/format.h>

namespace ikeconform::peer::ikev2 {

namespace k = wire::ikev2;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

bool same_spis(const IkeMessage& m, const IkeSa& sa) { return m.header.ispi == sa.spi_i && m.header.rspi == sa.spi_r; }

std::string describe_in(const IkeMessage& m) { return "received " + wire::describe(m); }

}  // namespace

// ---- Initiator ------------------------------------------------------------------------------------

Initiator::Initiator(const Config& config, const Credentials& creds, CertificatePolicy& policy, UdpTransport& transport,
                     Endpoints ends)
    : ctx_{config, creds, policy}, transport_(transport) {
  sa_.role = Role::Initiator;
  sa_.ends = std::move(ends);
  if (config.ike.empty()) throw std::invalid_argument("IKEv2 initiator without an IKE proposal");
  sa_.suite = config.ike.front();
}

std::optional<Initiator::Received> Initiator::exchange(const std::vector<Bytes>& request, std::uint32_t id,
                                                       bool protected_response) {
  milliseconds timeout = ctx_.config.retransmit_timeout;
  for (int attempt = 0; attempt <= ctx_.config.retransmit_tries; ++attempt) {
    if (attempt > 0) {
      ++retransmissions_;
      sa_.log(fmt::format("retransmit {} of request with message ID {}", attempt, id));
    }
    for (const Bytes& d : request)
      transport_.send(sa_.ends.remote_address, sa_.ends.remote_port, d, sa_.ends.local_port);
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      auto d = transport_.receive(receive_slice(ctx_.config.abandon, deadline));
      if (!d) {
        if (!abandoned(ctx_.config.abandon)) continue;
        sa_.log("giving up: abandoned while waiting for the answer");
        return std::nullopt;
      }
      auto decoded = wire::decode(d->data);
      if (!decoded) {
        sa_.log("dropping undecodable datagram: " + decoded.error().what());
        continue;
      }
      IkeMessage m = std::move(decoded).value();
      if (m.version() != IkeVersion::V2 || m.header.ispi != sa_.spi_i) continue;
      if (!m.is_response()) {
        if (sa_.keys.sk_d.empty() || !same_spis(m, sa_)) continue;
        answer_request(m, d->data);
        continue;
      }
      if (m.header.message_id != id) continue;  // a late answer to an earlier try
      Received r{std::move(m), std::move(d->data), {}};
      if (protected_response) {
        try {
          auto inner = opener_.open(sa_, r.message, r.raw);
          if (!inner) continue;  // more fragments to come
          r.inner = std::move(*inner);
        } catch (const ProtectionError& e) {
          sa_.log(std::string("dropping response: ") + e.what());
          continue;  // §2.21: a message that does not verify is dropped, not answered
        }
        sa_.log("received " + wire::describe(r.message) + " {" +
                wire::describe(IkeMessage{r.message.header, r.inner, {}}) + "}");
      } else {
        sa_.log(describe_in(r.message));
      }
      return r;
    }
    timeout *= 2;
  }
  sa_.log(fmt::format("giving up after {} retransmits", ctx_.config.retransmit_tries));
  return std::nullopt;
}

const IkeSa& Initiator::establish() {
  for (int round = 0; round < 3; ++round) {  // first try, then INVALID_KE_PAYLOAD / COOKIE
    const IkeMessage init = ike_sa_init_build_i(sa_, ctx_);
    sa_.log("sending " + wire::describe(init));
    auto response = exchange({sa_.init_request}, 0, false);
    if (!response) {
      sa_.outcome.failed_at = "IKE_SA_INIT";
      sa_.outcome.reason = "no IKE_SA_INIT response";
      return sa_;
    }
    const InitStatus s = ike_sa_init_process_i(sa_, ctx_, response->message, response->raw);
    if (s == InitStatus::Failed) return sa_;
    if (s == InitStatus::Done) break;
    if (round == 2) {
      sa_.outcome.failed_at = "IKE_SA_INIT";
      sa_.outcome.reason = "too many IKE_SA_INIT retries";
      return sa_;
    }
  }
  sa_.next_id = 1;
  const std::vector<Payload> inner = ike_auth_build_i(sa_, ctx_);
  if (inner.empty()) {
    sa_.outcome.failed_at = "IKE_AUTH";
    sa_.outcome.reason = "no certificate to send";
    return sa_;
  }
  const wire::Header h = header_for(sa_, k::kIkeAuth, sa_.next_id, false);
  sa_.log("sending " + wire::describe(IkeMessage{h, inner, {}}));
  auto response = exchange(seal(sa_, h, inner, ctx_.config.fragment_size), sa_.next_id, true);
  ++sa_.next_id;
  if (!response) {
    sa_.outcome.failed_at = "IKE_AUTH";
    sa_.outcome.reason = "no IKE_AUTH response";
    return sa_;
  }
  ike_auth_process_i(sa_, ctx_, response->inner);
  if (!sa_.outcome.ike_sa && sa_.outcome.error == k::kAuthenticationFailed && !sa_.peer_cert.empty()) {
    // We rejected the responder: tell it (§2.21.2), one try, no answer awaited beyond that.
    const wire::Header ih = header_for(sa_, k::kInformational, sa_.next_id, false);
    const std::vector<Payload> n{{k::kN, false, wire::NotifyV2{0, k::kAuthenticationFailed, {}, {}}}};
    for (const Bytes& d : seal(sa_, ih, n, ctx_.config.fragment_size))
      transport_.send(sa_.ends.remote_address, sa_.ends.remote_port, d, sa_.ends.local_port);
    ++sa_.next_id;
  }
  return sa_;
}

bool Initiator::delete_ike_sa() {
  if (!sa_.outcome.ike_sa || sa_.deleted) return false;  // nothing established, nothing to delete
  const wire::Header h = header_for(sa_, k::kInformational, sa_.next_id, false);
  const std::vector<Payload> inner = delete_ike_sa_build();
  sa_.log("sending " + wire::describe(IkeMessage{h, inner, {}}) + " (DELETE for IKE_SA)");
  auto response = exchange(seal(sa_, h, inner, ctx_.config.fragment_size), sa_.next_id, true);
  ++sa_.next_id;
  sa_.deleted = true;  // §1.4.1: the SA is gone whether or not the answer arrives
  return response.has_value();
}

void Initiator::answer_request(const IkeMessage& m, const Bytes& raw) {
  if (m.header.message_id + 1 == sa_.peer_next_id && last_response_ && last_response_->first == m.header.message_id) {
    for (const Bytes& d : last_response_->second)
      transport_.send(sa_.ends.remote_address, sa_.ends.remote_port, d, sa_.ends.local_port);
    return;
  }
  if (m.header.message_id != sa_.peer_next_id) return;
  std::optional<std::vector<Payload>> inner;
  try {
    inner = opener_.open(sa_, m, raw);
  } catch (const ProtectionError& e) {
    sa_.log(std::string("dropping request: ") + e.what());
    return;
  }
  if (!inner) return;
  sa_.log("received " + wire::describe(m) + " {" + wire::describe(IkeMessage{m.header, *inner, {}}) + "}");
  std::vector<Payload> out;
  bool deleted = false;
  if (m.header.exchange == k::kInformational) {
    out = informational_process(sa_, *inner, deleted);
  } else {
    // CREATE_CHILD_SA (rekeying) is not implemented: §3.10.1 lets us refuse it.
    out.push_back({k::kN, false, wire::NotifyV2{0, k::kNoProposalChosen, {}, {}}});
  }
  const wire::Header h = header_for(sa_, m.header.exchange, m.header.message_id, true);
  auto datagrams = seal(sa_, h, out, ctx_.config.fragment_size);
  for (const Bytes& d : datagrams)
    transport_.send(sa_.ends.remote_address, sa_.ends.remote_port, d, sa_.ends.local_port);
  last_response_ = {m.header.message_id, std::move(datagrams)};
  ++sa_.peer_next_id;
  if (deleted) sa_.deleted = true;
}

void Initiator::serve(milliseconds duration) {
  serve_datagrams(
      transport_, duration, [&] { return sa_.deleted; },
      [&](const Datagram& d) {
        auto decoded = wire::decode(d.data);
        if (decoded && decoded->version() == IkeVersion::V2 && !decoded->is_response() && same_spis(*decoded, sa_))
          answer_request(*decoded, d.data);
      });
}

// ---- Responder ------------------------------------------------------------------------------------

Responder::Responder(const Config& config, const Credentials& creds, CertificatePolicy& policy, UdpTransport& transport)
    : ctx_{config, creds, policy}, transport_(transport) {}

std::size_t Responder::fragments_received() const {
  std::size_t n = 0;
  for (const Slot& s : slots_) n += s.opener.fragments_seen();
  return n;
}

void Responder::send(const IkeSa& sa, const std::vector<Bytes>& datagrams) {
  for (const Bytes& d : datagrams) transport_.send(sa.ends.remote_address, sa.ends.remote_port, d, sa.ends.local_port);
}

void Responder::handle(const Datagram& d) {
  auto decoded = wire::decode(d.data);
  if (!decoded || decoded->version() != IkeVersion::V2 || decoded->is_response()) return;
  const IkeMessage& m = *decoded;
  if (m.header.exchange == k::kIkeSaInit) {
    for (std::size_t i = 0; i < sas_.size(); ++i)
      if (sas_[i].spi_i == m.header.ispi && sas_[i].init_request == d.data) {  // retransmission
        if (slots_[i].last_response) send(sas_[i], slots_[i].last_response->second);
        return;
      }
    IkeSa& sa = sas_.emplace_back();
    Slot& slot = slots_.emplace_back();
    sa.role = Role::Responder;
    sa.ends = {transport_.address(), d.from_address, d.local_port, d.from_port};
    sa.log(describe_in(m));
    const IkeMessage r = ike_sa_init_process_r(sa, ctx_, m, d.data);
    const Bytes out = wire::encode(r);
    sa.log("sending " + wire::describe(r));
    slot.last_response = {0, {out}};
    sa.peer_next_id = 1;
    send(sa, {out});
    return;
  }
  for (std::size_t i = 0; i < sas_.size(); ++i) {
    IkeSa& sa = sas_[i];
    Slot& slot = slots_[i];
    if (!same_spis(m, sa) || sa.keys.sk_d.empty() || sa.deleted) continue;
    if (slot.last_response && slot.last_response->first == m.header.message_id) {
      // A retransmitted request: the same response again (§2.1); of a fragmented one, only
      // for its first fragment (RFC 7383 §2.6.1), not once per fragment.
      const Payload& last = m.payloads.empty() ? Payload{} : m.payloads.back();
      const auto* enc = std::get_if<wire::Encrypted>(&last.body);
      const bool first = last.type != k::kSKF ||
                         (enc && enc->data.size() >= 2 && enc->data[0] == 0 && enc->data[1] == 1);
      if (first) send(sa, slot.last_response->second);
      return;
    }
    if (m.header.message_id != sa.peer_next_id) return;
    std::optional<std::vector<Payload>> inner;
    try {
      inner = slot.opener.open(sa, m, d.data);
    } catch (const ProtectionError& e) {
      sa.log(std::string("dropping request: ") + e.what());
      return;
    }
    if (!inner) return;
    sa.log(describe_in(m) + " {" + wire::describe(IkeMessage{m.header, *inner, {}}) + "}");
    std::vector<Payload> out;
    bool deleted = false;
    if (m.header.exchange == k::kIkeAuth && m.header.message_id == 1) {
      out = ike_auth_process_r(sa, ctx_, *inner);
      if (out.empty()) return;  // no answer at all (no certificate to send)
    } else if (m.header.exchange == k::kInformational) {
      out = informational_process(sa, *inner, deleted);
    } else {
      out.push_back(
          {k::kN, false, wire::NotifyV2{0, k::kNoProposalChosen, {}, {}}});  // CREATE_CHILD_SA: not implemented
    }
    const wire::Header h = header_for(sa, m.header.exchange, m.header.message_id, true);
    sa.log("sending " + wire::describe(IkeMessage{h, out, {}}));
    auto datagrams = seal(sa, h, out, ctx_.config.fragment_size);
    send(sa, datagrams);
    slot.last_response = {m.header.message_id, std::move(datagrams)};
    ++sa.peer_next_id;
    if (deleted) sa.deleted = true;
    return;
  }
}

void Responder::serve(milliseconds duration, const std::function<bool(const Responder&)>& done) {
  serve_datagrams(
      transport_, duration, [&] { return done && done(*this); }, [&](const Datagram& d) { handle(d); });
}

}  // namespace ikeconform::peer::ikev2
