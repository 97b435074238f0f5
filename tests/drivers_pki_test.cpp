// PKI maker: DN parsing and rendering, key digests (known answers), certificates that real
// stacks accept (PrintableString DNs, verifiable chains, SANs), key cache reuse.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <memory>
#include <set>
#include <thread>

#include "drivers/pki/pki.hpp"
#include "drivers/process/process.hpp"
#include "drivers_test_util.hpp"
#include "model/input_error.hpp"

namespace ikeconform::pki {
namespace {

namespace fs = std::filesystem;
using testing::two_ca_scenario;

// ---- DNs ----

TEST(PkiDn, ParsesIosOrder) {
  const std::vector<Rdn> want{{"CN", "CA1"}, {"O", "cisco"}, {"O", "com"}};
  EXPECT_EQ(parse_ios_dn("cn=CA1,o=cisco,o=com"), want);
  EXPECT_EQ(parse_ios_dn(" CN = CA1 , O=cisco,o=com "), want);
}

TEST(PkiDn, CommaInsideValueWhenNoAttributeFollows) {
  const std::vector<Rdn> want{{"OU", "Class 3 Public Primary Certification Authority"},
                              {"O", "VeriSign, Inc."},
                              {"C", "US"}};
  EXPECT_EQ(parse_ios_dn("ou=Class 3 Public Primary Certification Authority,o=VeriSign, Inc.,c=US"), want);
  EXPECT_EQ(parse_ios_dn("o=a\\,b,c=US"), (std::vector<Rdn>{{"O", "a,b"}, {"C", "US"}}));
}

TEST(PkiDn, AttributeAliases) {
  const auto rdns = parse_ios_dn("e=a@b.c,serialNumber=FTX1,hostname=R1.cisco.com,st=ZH,l=Bern");
  ASSERT_EQ(rdns.size(), 5U);
  EXPECT_EQ(rdns[0].type, "emailAddress");
  EXPECT_EQ(rdns[1].type, "serialNumber");
  EXPECT_EQ(rdns[2].type, "unstructuredName");
}

TEST(PkiDn, RejectsMalformed) {
  EXPECT_THROW(parse_ios_dn(""), InputError);
  EXPECT_THROW(parse_ios_dn("CA1"), InputError);
  EXPECT_THROW(parse_ios_dn("xx=1,o=a"), InputError);
  EXPECT_THROW(parse_ios_dn("cn=,o=a"), InputError);
}

TEST(PkiDn, StackRenderings) {
  EXPECT_EQ(strongswan_dn("cn=CA1,o=cisco,o=com"), "O=com, O=cisco, CN=CA1");
  EXPECT_EQ(strongswan_dn("cn=R1,ou=IT-CA1,o=cisco,o=com"), "O=com, O=cisco, OU=IT-CA1, CN=R1");
  EXPECT_EQ(libreswan_dn("ou=X,o=VeriSign, Inc.,c=US"), "C=US, O=VeriSign\\, Inc., OU=X");
  EXPECT_EQ(strongswan_dn("cn=R1,e=a@b.c"), "E=a@b.c, CN=R1");
}

// Rendering a parsed DN back in IOS form (commas escaped) and parsing it again is lossless.
RC_GTEST_PROP(PkiDn, RoundTrip, ()) {
  static const std::vector<std::string> kTypes{"CN", "OU", "O", "L", "ST"};
  const auto n = *rc::gen::inRange<std::size_t>(1, 6);
  std::vector<Rdn> rdns;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string value = *rc::gen::nonEmpty(
        rc::gen::container<std::string>(rc::gen::element('a', 'Z', '0', ',', '.', '-', '(', '=')));
    rdns.push_back({*rc::gen::elementOf(kTypes), value});
  }
  std::string ios;
  for (const Rdn& r : rdns) {
    if (!ios.empty()) ios += ',';
    ios += r.type + "=";
    for (char c : r.value) ios += c == ',' ? std::string("\\,") : std::string(1, c);
  }
  RC_ASSERT(parse_ios_dn(ios) == rdns);
}

// ---- Key digests: known answers computed with the openssl CLI ----

constexpr const char* kFixedKey = R"(-----BEGIN PRIVATE KEY-----
MIICdQIBADANBgkqhkiG9w0BAQEFAASCAl8wggJbAgEAAoGBAKLABBUTzGtGJUNg
W65EoUqHDHbTYPAndi1xAnNSPe6dupPmZOFP4UNvYjUrSYwsVzmT4usj0G8fgIc+
ObLiSal09F7ufFObxMOcGD3ls8+e6OZXJmQeWrHl4JXX8gfBNYWW6BoesFNhM6gN
ntHYqglxZ05kCyeB5JSNrz+U3ZGNAgMBAAECgYAlgDMwnCBFM6OQc9qMPDoiDx47
Hxe+HomnjNuwsOmeWu/L9pGWLS7NuBOcBr5qsyjiFoZ6AgWcJVkbUKZA5s1sBW3v
wWQG02nJVvIr0LpLqMgdczrFTYW5UZ5McWUy0YJXnJqNRklTH4heBH4fAHye3cR7
WlmOQar6FYPrvR3SQQJBANLoNaYZaIjC7M6sIBAM6CWqyoYup+DXObzuIgt6GJa8
yVDSP1NNr5lxwkwMnB6H4v3iLW5NtDQoJMOdhzEc6p0CQQDFi/rpfWlP7JW1lBPi
mhCIAxfPRMrdhyaYd50D9c2Wgd7s9pRPAu+T0tLfl3lFxxeceK79sTv72fjgQo5h
dFexAkAFfKcQqC6RCEky40V+RWewuy3DqekSL2dAJA3csJN9MHIoWR/uoeHEozID
2nwhSzW7lyvJZ9odVUIHmMyQmYj9AkBN8wI7B+V6SBx63cdK7wf+41mNy9NQvneY
SfqHCYLqFKzmTBYRZ1MpvVLAL4EG65yBfY1vRXQp2MS/mQOdqM7BAkANhHzL5J2U
OOueoUZMWsmSbwUINsSYRGx2V+VmYM9/ru4EARZxHwP0IE+6WFc6YVm8YNc/l9GD
u65tNlFb/Wff
-----END PRIVATE KEY-----
)";

TEST(PkiKeys, CkaidIsSha1OfModulus) {
  // openssl rsa -noout -modulus | xxd -r -p | sha1sum
  EXPECT_EQ(hex(ckaid(kFixedKey)), "0c74ce8eb79d043d3984b0c9a564ab6091a41cc5");
}

TEST(PkiKeys, CertreqHashIsSha1OfSubjectPublicKeyInfo) {
  // openssl pkey -pubout -outform DER | sha1sum
  EXPECT_EQ(hex(spki_sha1(kFixedKey)), "d836e7d2cc5b29b0f16e7e5e268cff4511e62818");
}

// ---- Key cache ----

TEST(PkiKeyCache, GeneratesOnceAndReuses) {
  process::TempDir dir(fs::temp_directory_path(), "pki-cache-");
  KeyCache first(dir.path(), 1024);
  const std::string k0 = first.key_pem(0);
  EXPECT_EQ(first.key_pem(0), k0);
  EXPECT_NE(first.key_pem(1), k0);
  EXPECT_EQ(first.generated(), 2U);
  KeyCache second(dir.path(), 1024);  // a later run of the same campaign
  EXPECT_EQ(second.key_pem(0), k0);
  EXPECT_EQ(second.generated(), 0U);
}

TEST(PkiKeyCache, ConcurrentRunsAgreeOnEachSlot) {
  process::TempDir dir(fs::temp_directory_path(), "pki-cache-");
  std::string a, b;
  std::thread t1([&] {
    KeyCache c(dir.path(), 1024);
    a = c.key_pem(7);
  });
  std::thread t2([&] {
    KeyCache c(dir.path(), 1024);
    b = c.key_pem(7);
  });
  t1.join();
  t2.join();
  EXPECT_EQ(a, b);
}

// ---- Certificates ----

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

X509Ptr parse(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return X509Ptr(x);
}

std::vector<int> string_types(const X509_NAME* name) {
  std::vector<int> types;
  for (int i = 0; i < X509_NAME_entry_count(name); ++i)
    types.push_back(ASN1_STRING_type(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i))));
  return types;
}

std::string oneline(const X509_NAME* name) {
  char buf[512];
  X509_NAME_oneline(name, buf, sizeof buf);
  return buf;
}

// X509_verify_cert against exactly the given anchors.
bool verifies(X509* leaf, const std::vector<X509*>& anchors) {
  X509_STORE* store = X509_STORE_new();
  for (X509* a : anchors) X509_STORE_add_cert(store, a);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf, nullptr);
  const bool ok = X509_verify_cert(ctx) == 1;
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return ok;
}

class PkiMake : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::make_unique<process::TempDir>(fs::temp_directory_path(), "pki-");
    KeyCache keys(testing::test_key_cache());
    pki_ = make_pki(two_ca_scenario(), dir_->path(), keys);
  }
  std::unique_ptr<process::TempDir> dir_;
  Pki pki_;
};

TEST_F(PkiMake, OneCaAndOneCertificatePerScenarioObject) {
  ASSERT_EQ(pki_.cas.size(), 2U);
  ASSERT_EQ(pki_.certs.size(), 4U);
  EXPECT_EQ(pki_.certs_of("R1").size(), 2U);
  const IdentityMaterial* c = pki_.cert("R2", "IOSCA2");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->ca, "CA2");
  EXPECT_EQ(c->enrollment, 1U);
  EXPECT_EQ(c->ios_subject, "cn=R2,ou=IT-CA2,o=cisco,o=com");
  EXPECT_EQ(c->dn, "O=com, O=cisco, OU=IT-CA2, CN=R2");
  EXPECT_EQ(pki_.ca("CA1")->dn, "O=com, O=cisco, CN=CA1");
  for (const fs::path& f : {c->cert_file, c->key_file, c->p12_file, pki_.ca("CA2")->cert_file})
    EXPECT_TRUE(fs::exists(f)) << f;
}

TEST_F(PkiMake, DnsArePrintableStringsInX509Order) {
  for (const std::string& pem : {pki_.cas[0].cert_pem, pki_.certs[1].cert_pem}) {
    X509Ptr x = parse(pem);
    ASSERT_TRUE(x);
    for (int t : string_types(X509_get_subject_name(x.get()))) EXPECT_EQ(t, V_ASN1_PRINTABLESTRING);
    for (int t : string_types(X509_get_issuer_name(x.get()))) EXPECT_EQ(t, V_ASN1_PRINTABLESTRING);
  }
  X509Ptr leaf = parse(pki_.cert("R1", "IOSCA1")->cert_pem);
  EXPECT_EQ(oneline(X509_get_subject_name(leaf.get())), "/O=com/O=cisco/OU=IT-CA1/CN=R1");
  EXPECT_EQ(oneline(X509_get_issuer_name(leaf.get())), "/O=com/O=cisco/CN=CA1");
}

TEST_F(PkiMake, ChainsVerifyOnlyAgainstTheirOwnCa) {
  X509Ptr ca1 = parse(pki_.ca("CA1")->cert_pem), ca2 = parse(pki_.ca("CA2")->cert_pem);
  EXPECT_EQ(X509_check_ca(ca1.get()), 1);
  X509Ptr r1ca1 = parse(pki_.cert("R1", "IOSCA1")->cert_pem), r1ca2 = parse(pki_.cert("R1", "IOSCA2")->cert_pem);
  EXPECT_TRUE(verifies(r1ca1.get(), {ca1.get()}));
  EXPECT_TRUE(verifies(r1ca2.get(), {ca2.get()}));
  EXPECT_FALSE(verifies(r1ca2.get(), {ca1.get()}));
  EXPECT_EQ(X509_check_ca(r1ca1.get()), 0);
}

TEST_F(PkiMake, SubjectAltNamesCarryFqdnAndAddress) {
  X509Ptr x = parse(pki_.cert("R2", "IOSCA1")->cert_pem);
  EXPECT_EQ(X509_check_host(x.get(), "R2.cisco.com", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(x.get(), "192.168.0.2", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(x.get(), "192.168.0.1", 0), 0);
}

TEST_F(PkiMake, DigestsMatchTheWrittenCertificates) {
  const CaMaterial& ca = *pki_.ca("CA1");
  X509Ptr x = parse(ca.cert_pem);
  unsigned char* der = nullptr;
  const int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x.get()), &der);
  Sha1 want{};
  SHA1(der, static_cast<std::size_t>(len), want.data());
  OPENSSL_free(der);
  EXPECT_EQ(ca.spki_sha1, want);
  // Every object has its own key.
  std::set<std::string> ckaids;
  for (const auto& c : pki_.cas) ckaids.insert(hex(c.ckaid));
  for (const auto& c : pki_.certs) ckaids.insert(hex(c.ckaid));
  EXPECT_EQ(ckaids.size(), 6U);
}

TEST_F(PkiMake, SameScenarioSameBytes) {
  process::TempDir other(fs::temp_directory_path(), "pki-");
  KeyCache keys(testing::test_key_cache());
  const Pki again = make_pki(two_ca_scenario(), other.path(), keys);
  for (std::size_t i = 0; i < pki_.certs.size(); ++i) EXPECT_EQ(again.certs[i].cert_pem, pki_.certs[i].cert_pem);
  EXPECT_EQ(again.cas[1].serial, pki_.cas[1].serial);
}

// The process-wide memos (keys decoded once, certificates by content): a second PKI of the
// same scenario shares the decoded keys and has the same bytes; a changed subject signs anew.
TEST_F(PkiMake, MemoSharesDecodedKeysAndKeepsContentApart) {
  process::TempDir other(fs::temp_directory_path(), "pki-");
  KeyCache keys(testing::test_key_cache());
  const Pki again = make_pki(two_ca_scenario(), other.path(), keys);
  ASSERT_EQ(again.certs.size(), pki_.certs.size());
  for (std::size_t i = 0; i < again.certs.size(); ++i) {
    ASSERT_TRUE(again.certs[i].key);
    EXPECT_EQ(again.certs[i].key.get(), pki_.certs[i].key.get());  // one EVP_PKEY per key
    EXPECT_EQ(again.certs[i].cert_pem, pki_.certs[i].cert_pem);
    // The files are written for every PKI, memo or not.
    EXPECT_EQ(fs::file_size(again.certs[i].cert_file), again.certs[i].cert_pem.size());
  }
  EXPECT_EQ(decoded_key(pki_.cas[0].key_pem)->spki_sha1, pki_.cas[0].spki_sha1);
  EXPECT_EQ(decoded_key(pki_.cas[0].key_pem)->ckaid, ckaid(pki_.cas[0].key_pem));
  Scenario changed = two_ca_scenario();
  changed.cas[0].dn = "cn=CA1b,o=cisco,o=com";
  process::TempDir third(fs::temp_directory_path(), "pki-");
  const Pki p3 = make_pki(changed, third.path(), keys);
  EXPECT_NE(p3.cas[0].cert_pem, pki_.cas[0].cert_pem);
  EXPECT_NE(p3.certs[0].cert_pem, pki_.certs[0].cert_pem);  // issued by the new CA
  X509Ptr ca = parse(p3.cas[0].cert_pem), leaf = parse(p3.certs[0].cert_pem);
  ASSERT_TRUE(ca && leaf);
  EXPECT_EQ(X509_check_issued(ca.get(), leaf.get()), X509_V_OK);
  EXPECT_EQ(p3.cas[1].cert_pem, pki_.cas[1].cert_pem);  // the other CA did not change
}

TEST_F(PkiMake, Pkcs12OpensWithEmptyPassword) {
  const IdentityMaterial& c = *pki_.cert("R1", "IOSCA2");
  std::ifstream in(c.p12_file, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  PKCS12* p12 = d2i_PKCS12(nullptr, &p, static_cast<long>(bytes.size()));
  ASSERT_NE(p12, nullptr);
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  ASSERT_EQ(PKCS12_parse(p12, "", &key, &cert, nullptr), 1);
  X509Ptr want = parse(c.cert_pem);
  EXPECT_EQ(X509_cmp(cert, want.get()), 0);
  EVP_PKEY_free(key);
  X509_free(cert);
  PKCS12_free(p12);
}

// What Libreswan does with it: pk12util import, then NSS must report our CKAID.
TEST_F(PkiMake, NssImportsPkcs12AndAgreesOnCkaid) {
  if (process::run({"sh", "-c", "command -v certutil && command -v pk12util"}).exit_code != 0)
    GTEST_SKIP() << "needs certutil and pk12util (libnss3-tools)";
  process::TempDir nss(fs::temp_directory_path(), "nss-");
  const std::string db = "sql:" + nss.path().string();
  ASSERT_TRUE(process::run({"certutil", "-N", "-d", db, "--empty-password"}).ok());
  const IdentityMaterial& c = *pki_.cert("R2", "IOSCA1");
  const auto imp = process::run({"pk12util", "-i", c.p12_file.string(), "-d", db, "-W", ""});
  ASSERT_TRUE(imp.ok()) << imp.describe({"pk12util"});
  const auto keys = process::run({"certutil", "-K", "-d", db});
  EXPECT_NE(keys.out.find(hex(c.ckaid)), std::string::npos) << keys.out;
}

TEST(PkiFeatures, X509v1AndUnknownFeature) {
  Scenario s = two_ca_scenario();
  s.peers[0].certificates[0].features = {"x509v1", "sig-sha1"};
  process::TempDir dir(fs::temp_directory_path(), "pki-");
  KeyCache keys(testing::test_key_cache());
  const Pki pki = make_pki(s, dir.path(), keys);
  X509Ptr x = parse(pki.cert("R1", "IOSCA1")->cert_pem);
  EXPECT_EQ(X509_get_version(x.get()), X509_VERSION_1);
  EXPECT_EQ(X509_get_signature_nid(x.get()), NID_sha1WithRSAEncryption);
  s.peers[0].certificates[0].features = {"weird"};
  EXPECT_THROW(make_pki(s, dir.path(), keys), InputError);
}

}  // namespace
}  // namespace ikeconform::pki
