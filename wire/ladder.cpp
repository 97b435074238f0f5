// Model -> packets (see ladder.hpp). One function per message, named after the RFC exchange;
// everything random in reality is deterministic filler derived from the scenario name and
// direction, so the same observation always gives the same capture.
#include "wire/ladder.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "model/input_error.hpp"

namespace ikeconform::wire {

namespace {

// ---- Deterministic filler and placeholder certificates ---------------------------------------

Bytes filler(std::string_view label, std::size_t n) {
  Bytes out;
  for (std::uint32_t counter = 0; out.size() < n; ++counter) {
    std::string in = fmt::format("{}|{}", label, counter);
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(in.data()), in.size(), md);
    out.insert(out.end(), md, md + SHA256_DIGEST_LENGTH);
  }
  out.resize(n);
  return out;
}

Bytes sha1(std::span<const std::uint8_t> data) {
  Bytes out(SHA_DIGEST_LENGTH);
  SHA1(data.data(), data.size(), out.data());
  return out;
}

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct NameFree {
  void operator()(X509_NAME* n) const { X509_NAME_free(n); }
};

std::unique_ptr<X509_NAME, NameFree> name_of(std::string_view ios_dn) {
  const Bytes der = dn_der_from_ios(ios_dn);
  const unsigned char* p = der.data();
  return std::unique_ptr<X509_NAME, NameFree>(d2i_X509_NAME(nullptr, &p, static_cast<long>(der.size())));
}

// A well-formed X.509 v3 certificate with the right names, so that Wireshark and the CERT
// payload look real. Ed25519 signatures are deterministic, hence so is the certificate. It is
// self-signed with a key derived from `seed`, so it does not verify under the CA.
Bytes placeholder_certificate(std::string_view subject, std::string_view issuer, std::string_view seed) {
  const Bytes k = filler(fmt::format("{}|key", seed), 32);
  std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, k.data(), k.size()));
  std::unique_ptr<X509, X509Free> x(X509_new());
  if (!key || !x) throw InputError("certificate", 0, "OpenSSL could not create a placeholder certificate");
  const Bytes serial = filler(fmt::format("{}|serial", seed), 7);
  std::uint64_t sn = 0;
  for (std::uint8_t b : serial) sn = (sn << 8) | b;
  X509_set_version(x.get(), 2);
  ASN1_INTEGER_set_uint64(X509_get_serialNumber(x.get()), sn);
  ASN1_TIME_set(X509_getm_notBefore(x.get()), 1398211200);  // 2014-04-23
  ASN1_TIME_set(X509_getm_notAfter(x.get()), 2028211200);   // 2034-04-09
  X509_set_subject_name(x.get(), name_of(subject).get());
  X509_set_issuer_name(x.get(), name_of(issuer).get());
  X509_set_pubkey(x.get(), key.get());
  if (X509_sign(x.get(), key.get(), nullptr) <= 0) throw InputError("certificate", 0, "OpenSSL could not sign");
  unsigned char* buf = nullptr;
  const int len = i2d_X509(x.get(), &buf);
  if (len <= 0) throw InputError("certificate", 0, "OpenSSL could not encode the certificate");
  Bytes out(buf, buf + len);
  OPENSSL_free(buf);
  return out;
}

// ---- Algorithms from the scenario's Proposal strings ------------------------------------------

struct Algorithms {
  std::uint16_t v1_encryption = ikev1::kEncAes;
  std::uint16_t v1_hash = ikev1::kHashSha256;
  std::uint16_t key_bits = 128;  // 0: fixed key length (3DES, DES)
  std::uint16_t v2_encr = ikev2::kEncrAesCbc;
  std::uint16_t v2_prf = ikev2::kPrfHmacSha256;
  std::uint16_t v2_integ = ikev2::kAuthHmacSha256_128;
  std::uint16_t group = 14;
};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// IOS keywords ("aes 256", "3des", "sha", "sha384") -> RFC 2409 App. A / RFC 7296 §3.3.2 IDs;
// unknown keywords keep the AES-128 / SHA-256 defaults.
Algorithms algorithms(const Proposal& p) {
  Algorithms a;
  const std::string enc = lower(p.encryption);
  if (enc.rfind("3des", 0) == 0) {
    a = {ikev1::kEnc3Des, a.v1_hash, 0, ikev2::kEncr3Des, a.v2_prf, a.v2_integ, a.group};
  } else if (enc.rfind("des", 0) == 0) {
    a = {ikev1::kEncDes, a.v1_hash, 0, 2 /* ENCR_DES */, a.v2_prf, a.v2_integ, a.group};
  } else if (enc.find("256") != std::string::npos) {
    a.key_bits = 256;
  } else if (enc.find("192") != std::string::npos) {
    a.key_bits = 192;
  }
  const std::string integ = lower(p.integrity);
  if (integ == "md5") {
    a.v1_hash = ikev1::kHashMd5, a.v2_prf = ikev2::kPrfHmacMd5, a.v2_integ = ikev2::kAuthHmacMd5_96;
  } else if (integ == "sha" || integ == "sha1") {
    a.v1_hash = ikev1::kHashSha, a.v2_prf = ikev2::kPrfHmacSha1, a.v2_integ = ikev2::kAuthHmacSha1_96;
  } else if (integ == "sha384") {
    a.v1_hash = ikev1::kHashSha384, a.v2_prf = ikev2::kPrfHmacSha384, a.v2_integ = ikev2::kAuthHmacSha384_192;
  } else if (integ == "sha512") {
    a.v1_hash = ikev1::kHashSha512, a.v2_prf = ikev2::kPrfHmacSha512, a.v2_integ = ikev2::kAuthHmacSha512_256;
  }
  a.group = static_cast<std::uint16_t>(p.group);
  return a;
}

// Public value size per group (RFC 2409 §6, RFC 3526, RFC 5903), for realistic KE lengths.
std::size_t ke_size(std::uint16_t group) {
  switch (group) {
    case 1: return 96;
    case 2: return 128;
    case 5: return 192;
    case 15: return 384;
    case 16: return 512;
    case 19: return 64;
    case 20: return 96;
    case 21: return 132;
    default: return 256;
  }
}

using Step = ikeconform::Message;  // the model's ladder step (observation.hpp), not a wire message

std::uint8_t side(bool from_initiator) { return from_initiator ? 0 : 1; }

// ---- The ladder -------------------------------------------------------------------------------

class Ladder {
 public:
  Ladder(const Scenario& s, const Observation& o, const LadderOptions& opt)
      : s_(s), o_(o), opt_(opt), ini_(peer(o.initiator)), res_(peer(o.responder())) {
    if (o.ike_version != s.ike_version) throw InputError("observation", 0, "IKE version differs from the scenario's");
    seed_ = fmt::format("{}|{}->{}", s.name, ini_.name, res_.name);
    ie_ = {Ipv4::parse(ini_.address), kIkePort};
    re_ = {Ipv4::parse(res_.address), kIkePort};
    std::copy_n(filler(seed_ + "|ispi", 8).begin(), 8, ispi_.begin());
    std::copy_n(filler(seed_ + "|rspi", 8).begin(), 8, rspi_.begin());
    ini_profile_ = find_profile(ini_, ini_.tunnel_profile);
    const auto rp = static_cast<std::size_t>(o.responder_profile);
    res_profile_ = o.responder_profile >= 0 && rp < res_.profiles.size() ? &res_.profiles[rp]
                                                                         : find_profile(res_, res_.tunnel_profile);
    const Proposal chosen = ini_.proposals.empty() ? Proposal{} : ini_.proposals.front();
    alg_ = algorithms(chosen);
  }

  std::vector<IkePacket> run() {
    if (s_.ike_version == IkeVersion::V1) {
      ikev1_main_mode();
    } else {
      ikev2_exchanges();
    }
    return std::move(out_);
  }

 private:
  const Peer& peer(std::uint8_t i) const {
    if (s_.peers.size() != 2 || i > 1)
      throw InputError("observation", 0, "needs a scenario with two peers and initiator 0 or 1");
    return s_.peers[i];
  }

  const Profile* profile(bool from_i) const { return from_i ? ini_profile_ : res_profile_; }
  AuthMethod auth_local(bool from_i) const {
    const Profile* p = profile(from_i);
    return p ? p->auth_local : AuthMethod::RsaSig;
  }

  void send(bool from_i, IkeMessage m, std::string_view what) {
    const auto t = opt_.start + opt_.step * static_cast<long>(out_.size());
    IkePacket p = make_packet(t, from_i ? ie_ : re_, from_i ? re_ : ie_, std::move(m));
    p.note = fmt::format("{} ({} -> {}): {}", what, from_i ? ini_.name : res_.name, from_i ? res_.name : ini_.name,
                         describe(*p.message));
    out_.push_back(std::move(p));
  }

  IkeMessage message(std::uint8_t exchange, std::uint8_t flags, std::uint32_t mid, bool with_rspi) const {
    IkeMessage m;
    m.header.major = s_.ike_version == IkeVersion::V1 ? 1 : 2;
    m.header.ispi = ispi_;
    if (with_rspi) m.header.rspi = rspi_;
    m.header.exchange = exchange;
    m.header.flags = flags;
    m.header.message_id = mid;
    return m;
  }

  Bytes random(std::string_view what, std::size_t n) const { return filler(fmt::format("{}|{}", seed_, what), n); }

  Payload note() const {
    const std::uint8_t type = s_.ike_version == IkeVersion::V1 ? ikev1::kVID : ikev2::kV;
    return {type, false, Raw{Bytes(kClearNote.begin(), kClearNote.end())}};
  }

  // ID data per `self-identity` / `identity local` (V1-11).
  std::pair<std::uint8_t, Bytes> identity(bool from_i) const {
    const Peer& p = from_i ? ini_ : res_;
    const Profile* f = profile(from_i);
    // A DN is the subject of the certificate this ladder sends (type 9), an e-mail address type 3:
    // the same numbers in v1 and v2 (RFC 2407 §4.6.2.1, RFC 7296 §3.5).
    if (f && f->self_identity == IdKind::Email)
      return {ikev1::kIdUserFqdn, Bytes(f->self_identity_value.begin(), f->self_identity_value.end())};
    if (f && f->self_identity == IdKind::Dn) {
      const std::string subject = sent_subject(from_i);
      if (!subject.empty()) return {ikev1::kIdDerAsn1Dn, dn_der_from_ios(subject)};
    }
    if (f && f->self_identity == IdKind::Address) {
      const Ipv4 a = Ipv4::parse(p.address);
      return {ikev1::kIdIpv4Addr, Bytes(a.octets.begin(), a.octets.end())};
    }
    const std::string& fqdn = p.fqdn.empty() ? p.name : p.fqdn;
    return {ikev1::kIdFqdn, Bytes(fqdn.begin(), fqdn.end())};  // same numbers in v1 and v2
  }

  // The subject of the placeholder certificate a side sends ("" when it sends none).
  std::string sent_subject(bool from_i) const {
    const TpIndex tp = from_i ? o_.initiator_trustpoint : o_.responder_trustpoint;
    if (tp == kNone) return {};
    const Peer& p = s_.peers[from_i ? o_.initiator : o_.responder()];
    const auto i = static_cast<std::size_t>(tp);
    std::string subject;
    if (i < p.trustpoints.size())
      for (const IdentityCert& c : p.certificates)
        if (c.trustpoint == p.trustpoints[i].name) subject = c.subject;
    return subject.empty() ? "cn=" + (p.fqdn.empty() ? p.name : p.fqdn) : subject;
  }

  // The certificate a side sends (Observation::*_trustpoint), or empty for none.
  Bytes certificate(bool from_i) const {
    const TpIndex tp = from_i ? o_.initiator_trustpoint : o_.responder_trustpoint;
    if (tp == kNone || auth_local(from_i) != AuthMethod::RsaSig) return {};
    const std::uint8_t who = from_i ? o_.initiator : o_.responder();
    if (opt_.certificate) {
      Bytes c = opt_.certificate(who, tp);
      if (!c.empty()) return c;
    }
    const Peer& p = s_.peers[who];
    const auto i = static_cast<std::size_t>(tp);
    std::string issuer;
    if (i < p.trustpoints.size()) {
      const Ca* ca = find_ca(s_, p.trustpoints[i].ca);
      issuer = ca ? ca->dn : "cn=" + p.trustpoints[i].name;
    } else {
      issuer = ca_dn_string(s_, static_cast<CaIndex>(s_.cas.size() + (i - p.trustpoints.size())));
    }
    const std::string subject = sent_subject(from_i);
    if (issuer.empty()) return {};
    return placeholder_certificate(subject, issuer, fmt::format("{}|{}|{}", s_.name, p.name, tp));
  }

  Bytes spki_hash(CaIndex ca) const {
    const auto i = static_cast<std::size_t>(ca);
    if (i < opt_.ca_spki_sha1.size() && !opt_.ca_spki_sha1[i].empty()) return opt_.ca_spki_sha1[i];
    return placeholder_spki_sha1(dn_der_from_ios(ca_dn_string(s_, ca)));
  }

  static bool known(const Scenario& s, const CertReq& c) { return c.ca != kNone && !ca_dn_string(s, c.ca).empty(); }

  // ---- IKEv1 main mode (RFC 2409 §5.1) -----------------------------------------------------

  SaV1 sa_v1() const {
    TransformV1 t;
    t.attributes.push_back(Attribute::basic(ikev1::kAttrEncryption, alg_.v1_encryption));
    if (alg_.key_bits) t.attributes.push_back(Attribute::basic(ikev1::kAttrKeyLength, alg_.key_bits));
    t.attributes.push_back(Attribute::basic(ikev1::kAttrHash, alg_.v1_hash));
    const bool rsa = auth_local(true) == AuthMethod::RsaSig;
    t.attributes.push_back(Attribute::basic(ikev1::kAttrAuthMethod, rsa ? ikev1::kAuthRsaSig : ikev1::kAuthPreShared));
    t.attributes.push_back(Attribute::basic(ikev1::kAttrGroup, alg_.group));
    t.attributes.push_back(Attribute::basic(ikev1::kAttrLifeType, ikev1::kLifeSeconds));
    t.attributes.push_back(Attribute::variable(ikev1::kAttrLifeDuration, {0x00, 0x01, 0x51, 0x80}));  // 86400 s
    SaV1 sa;
    sa.proposals.push_back(ProposalV1{1, ikev1::kProtoIsakmp, {}, {t}});
    return sa;
  }

  IkeMessage mm_sa(bool from_i) const {
    IkeMessage m = message(ikev1::kIdentityProtection, 0, 0, !from_i);
    m.payloads.push_back({ikev1::kSA, false, sa_v1()});
    return m;
  }

  IkeMessage mm_ke(bool from_i) const {
    IkeMessage m = message(ikev1::kIdentityProtection, 0, 0, true);
    m.payloads.push_back({ikev1::kKE, false, Raw{random(fmt::format("ke{}", side(from_i)), ke_size(alg_.group))}});
    m.payloads.push_back({ikev1::kNONCE, false, Raw{random(fmt::format("nonce{}", side(from_i)), 32)}});
    for (const CertReq& c : from_i ? o_.certreq_from_initiator : o_.certreq_from_responder)
      if (known(s_, c))
        m.payloads.push_back(
            {ikev1::kCR, false, CertRequest{kCertX509Signature, dn_der_from_ios(ca_dn_string(s_, c.ca))}});
    return m;
  }

  IkeMessage mm_auth(bool from_i) const {
    IkeMessage m = message(ikev1::kIdentityProtection, 0, 0, true);
    m.payloads.push_back(note());
    auto [type, data] = identity(from_i);
    m.payloads.push_back({ikev1::kID, false, IdV1{type, 17, kIkePort, std::move(data)}});  // UDP/500 (V1-11)
    if (auth_local(true) == AuthMethod::RsaSig) {
      if (Bytes c = certificate(from_i); !c.empty())
        m.payloads.push_back({ikev1::kCERT, false, Cert{kCertX509Signature, c}});
      m.payloads.push_back({ikev1::kSIG, false, Raw{random(fmt::format("sig{}", side(from_i)), 256)}});
    } else {
      m.payloads.push_back({ikev1::kHASH, false, Raw{random(fmt::format("hash{}", side(from_i)), 32)}});
    }
    return m;
  }

  // RFC 2409 §5.7 Informational; in reality protected after MM4, hence the note then.
  IkeMessage v1_informational(std::uint16_t type, bool after_keys) const {
    IkeMessage m = message(ikev1::kInformational, 0, 0, true);
    const Bytes mid = random("info-mid", 4);
    m.header.message_id = (std::uint32_t{mid[0]} << 24) | (std::uint32_t{mid[1]} << 16) | (std::uint32_t{mid[2]} << 8) |
                          mid[3];
    if (after_keys) m.payloads.push_back(note());
    Bytes spi(ispi_.begin(), ispi_.end());
    spi.insert(spi.end(), rspi_.begin(), rspi_.end());
    m.payloads.push_back({ikev1::kN, false, NotifyV1{ikev1::kDoiIpsec, ikev1::kProtoIsakmp, type, spi, {}}});
    return m;
  }

  void mm(int k) {
    static constexpr const char* kNames[] = {"MM1", "MM2", "MM3", "MM4", "MM5", "MM6"};
    const bool from_i = k % 2 == 0;
    IkeMessage m = k < 2 ? mm_sa(from_i) : k < 4 ? mm_ke(from_i) : mm_auth(from_i);
    send(from_i, std::move(m), kNames[k]);
  }

  void ikev1_main_mode() {
    const int fail = o_.failed_at >= Step::MM1 && o_.failed_at <= Step::MM6
                         ? static_cast<int>(o_.failed_at) - static_cast<int>(Step::MM1)
                         : -1;
    if (fail < 0) {
      for (int k = 0; k < 6; ++k) mm(k);
      return;
    }
    switch (o_.reason) {
      case Reason::NoProposalChosen:
        mm(0);
        send(false, v1_informational(ikev1::kNoProposalChosen, false), "Informational");
        return;
      case Reason::CertValidationFailed:
      case Reason::NoMatchingProfile: {
        for (int k = 0; k <= fail; ++k) mm(k);
        const std::uint16_t type = o_.reason == Reason::CertValidationFailed ? ikev1::kInvalidCertificate
                                                                             : ikev1::kInvalidIdInformation;
        send(fail % 2 != 0, v1_informational(type, fail >= 4), "Informational");  // the receiver of MM<fail+1>
        return;
      }
      default:
        for (int k = 0; k < fail; ++k) mm(k);
    }
  }

  // ---- IKEv2 (RFC 7296 §1.2) ---------------------------------------------------------------

  SaV2 sa_ike() const {
    ProposalV2 p{1, ikev2::kProtoIke, {}, {}};
    TransformV2 encr{ikev2::kTransEncr, alg_.v2_encr, {}};
    if (alg_.key_bits) encr.attributes.push_back(Attribute::basic(ikev2::kAttrKeyLength, alg_.key_bits));
    p.transforms = {encr,
                    {ikev2::kTransPrf, alg_.v2_prf, {}},
                    {ikev2::kTransInteg, alg_.v2_integ, {}},
                    {ikev2::kTransDh, alg_.group, {}}};
    return {{p}};
  }

  SaV2 sa_esp(bool from_i) const {
    ProposalV2 p{1, ikev2::kProtoEsp, random(fmt::format("esp-spi{}", side(from_i)), 4), {}};
    TransformV2 encr{ikev2::kTransEncr, ikev2::kEncrAesCbc, {Attribute::basic(ikev2::kAttrKeyLength, 128)}};
    p.transforms = {encr, {ikev2::kTransInteg, ikev2::kAuthHmacSha256_128, {}}, {ikev2::kTransEsn, 0, {}}};
    return {{p}};
  }

  static Payload notify(std::uint16_t type, Bytes data = {}) {
    return {ikev2::kN, false, NotifyV2{0, type, {}, std::move(data)}};
  }

  // RFC 7296 §2.23: SHA-1(SPIi | SPIr | IP address | port).
  Payload nat_detection(std::uint16_t type, const Endpoint& e, bool with_rspi) const {
    Bytes in(ispi_.begin(), ispi_.end());
    if (with_rspi) {
      in.insert(in.end(), rspi_.begin(), rspi_.end());
    } else {
      in.insert(in.end(), 8, 0);
    }
    in.insert(in.end(), e.address.octets.begin(), e.address.octets.end());
    in.push_back(static_cast<std::uint8_t>(e.port >> 8));
    in.push_back(static_cast<std::uint8_t>(e.port));
    return notify(type, sha1(in));
  }

  IkeMessage sa_init(bool from_i) const {
    IkeMessage m = message(ikev2::kIkeSaInit, from_i ? ikev2::kFlagInitiator : ikev2::kFlagResponse, 0, !from_i);
    m.payloads.push_back({ikev2::kSA, false, sa_ike()});
    m.payloads.push_back(
        {ikev2::kKE, false, KeV2{alg_.group, random(fmt::format("ke{}", side(from_i)), ke_size(alg_.group))}});
    m.payloads.push_back({ikev2::kNonce, false, Raw{random(fmt::format("nonce{}", side(from_i)), 32)}});
    const Endpoint& src = from_i ? ie_ : re_;
    const Endpoint& dst = from_i ? re_ : ie_;
    m.payloads.push_back(nat_detection(ikev2::kNatDetectionSourceIp, src, !from_i));
    m.payloads.push_back(nat_detection(ikev2::kNatDetectionDestinationIp, dst, !from_i));
    if (!from_i) append_certreq(m, o_.certreq_from_responder);  // V2-2
    return m;
  }

  void append_certreq(IkeMessage& m, const CertReqList& list) const {
    Bytes hashes;
    for (const CertReq& c : list)
      if (known(s_, c)) {
        const Bytes h = spki_hash(c.ca);
        hashes.insert(hashes.end(), h.begin(), h.end());
      }
    if (hashes.empty()) return;
    m.payloads.push_back({ikev2::kCERTREQ, false, CertRequest{kCertX509Signature, std::move(hashes)}});
    m.payloads.push_back(notify(ikev2::kHttpCertLookupSupported));
  }

  IkeMessage ike_sa_init_error(std::uint16_t type) const {
    IkeMessage m = message(ikev2::kIkeSaInit, ikev2::kFlagResponse, 0, true);
    m.payloads.push_back(notify(type));
    return m;
  }

  // IDi/IDr [CERT] [CERTREQ] AUTH, in clear behind the note (V2-7).
  IkeMessage auth_head(bool from_i) const {
    IkeMessage m = message(ikev2::kIkeAuth, from_i ? ikev2::kFlagInitiator : ikev2::kFlagResponse, 1, true);
    m.payloads.push_back(note());
    auto [type, data] = identity(from_i);
    m.payloads.push_back({from_i ? ikev2::kIDi : ikev2::kIDr, false, IdV2{type, std::move(data)}});
    if (Bytes c = certificate(from_i); !c.empty())
      m.payloads.push_back({ikev2::kCERT, false, Cert{kCertX509Signature, c}});
    if (from_i) append_certreq(m, o_.certreq_from_initiator);  // V2-12
    const bool rsa = auth_local(from_i) == AuthMethod::RsaSig;
    m.payloads.push_back({ikev2::kAUTH, false,
                          AuthV2{rsa ? ikev2::kAuthRsaSig : ikev2::kAuthSharedKeyMic,
                                 random(fmt::format("auth{}", side(from_i)), rsa ? 256 : 32)}});
    return m;
  }

  static TsV2 any_ts() {
    return {{TrafficSelector{ikev2::kTsIpv4AddrRange, 0, 0, 65535, {0, 0, 0, 0}, {255, 255, 255, 255}}}};
  }

  IkeMessage ike_auth(bool from_i) const {
    IkeMessage m = auth_head(from_i);
    m.payloads.push_back({ikev2::kSA, false, sa_esp(from_i)});
    m.payloads.push_back({ikev2::kTSi, false, any_ts()});
    m.payloads.push_back({ikev2::kTSr, false, any_ts()});
    if (from_i) m.payloads.push_back(notify(ikev2::kInitialContact));
    return m;
  }

  IkeMessage ike_auth_error(std::uint16_t type) const {
    IkeMessage m = message(ikev2::kIkeAuth, ikev2::kFlagResponse, 1, true);
    m.payloads.push_back(note());
    m.payloads.push_back(notify(type));
    return m;
  }

  // RFC 7296 §2.21.2: the IKE SA authenticated, the CHILD SA did not.
  IkeMessage ike_auth_ts_unacceptable() const {
    IkeMessage m = auth_head(false);
    m.payloads.push_back(notify(ikev2::kTsUnacceptable));
    return m;
  }

  IkeMessage informational(std::uint16_t type) const {
    IkeMessage m = message(ikev2::kInformational, ikev2::kFlagInitiator, 2, true);
    m.payloads.push_back(note());
    m.payloads.push_back(notify(type));
    return m;
  }

  void ikev2_exchanges() {
    send(true, sa_init(true), "IKE_SA_INIT request");
    const Step f = o_.failed_at;
    if (f == Step::IKE_SA_INIT) {
      if (o_.reason == Reason::NoProposalChosen)
        send(false, ike_sa_init_error(ikev2::kNoProposalChosen), "IKE_SA_INIT response");
      return;
    }
    send(false, sa_init(false), "IKE_SA_INIT response");
    if (f == Step::IKE_AUTH && o_.reason == Reason::NoCertificatePayload) return;  // V2-4: nothing sent
    send(true, ike_auth(true), "IKE_AUTH request");
    if (f != Step::IKE_AUTH) {
      send(false, ike_auth(false), "IKE_AUTH response");
      return;
    }
    switch (o_.reason) {
      case Reason::CertValidationFailed:
      case Reason::NoMatchingProfile:
        if (o_.responder_trustpoint == kNone) {
          send(false, ike_auth_error(ikev2::kAuthenticationFailed), "IKE_AUTH response");
        } else {
          send(false, ike_auth(false), "IKE_AUTH response");
          send(true, informational(ikev2::kAuthenticationFailed), "INFORMATIONAL request");
        }
        return;
      case Reason::TsUnacceptable: send(false, ike_auth_ts_unacceptable(), "IKE_AUTH response"); return;
      default: return;  // no answer observed
    }
  }

  const Scenario& s_;
  const Observation& o_;
  const LadderOptions& opt_;
  const Peer& ini_;
  const Peer& res_;
  const Profile* ini_profile_ = nullptr;
  const Profile* res_profile_ = nullptr;
  std::string seed_;
  Endpoint ie_, re_;
  Spi ispi_{}, rspi_{};
  Algorithms alg_;
  std::vector<IkePacket> out_;
};

}  // namespace

std::vector<IkePacket> model_ladder(const Scenario& s, const Observation& o, const LadderOptions& opt) {
  return Ladder(s, o, opt).run();
}

}  // namespace ikeconform::wire
