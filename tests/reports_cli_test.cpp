// `ikeconform report` and `ikeconform diff` through the binary: exit codes 0/1/2, `file:line`
// messages on stderr, and no report file when the input is bad.
#include <gtest/gtest.h>

#include "tests/reports_support.hpp"

namespace ikeconform::testing {
namespace {

struct Result {
  int status;
  std::string out, err;
};

Result ikeconform(const TempDir& tmp, const std::string& args) {
  const fs::path out = tmp.path() / "stdout.txt", err = tmp.path() / "stderr.txt";
  const int st = run_command(std::string(IKECONFORM_BIN) + " " + args + " >'" + out.string() + "' 2>'" + err.string() +
                             "'");
  return {st, read_file(out), read_file(err)};
}

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

TEST(ReportCli, RendersBothFiles) {
  TempDir run, io;
  make_fake_run(run.path());
  const Result r = ikeconform(io, "report " + q(run.path()));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(fs::exists(run.path() / "report.html"));
  EXPECT_TRUE(fs::exists(run.path() / "junit.xml"));
  EXPECT_NE(r.out.find("report.html"), std::string::npos);
}

TEST(ReportCli, BadInputExitsTwoWithFileLine) {
  TempDir run, io;
  make_fake_run(run.path());
  write_file(run.path() / "summary.json", "{\n  \"schema\": \"ikeconform.summary/1\",\n  \"oracles\": [,]\n}\n");
  Result r = ikeconform(io, "report " + q(run.path()));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find((run.path() / "summary.json").string() + ":3: invalid JSON"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(run.path() / "report.html"));
  EXPECT_FALSE(fs::exists(run.path() / "junit.xml"));
  r = ikeconform(io, "report " + q(run.path() / "missing"));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("missing: no such folder"), std::string::npos) << r.err;
}

TEST(DiffCli, RegressionExitsOne) {
  TempDir before, after, io;
  make_fake_run(before.path());
  make_fake_run(after.path(), {.p2_fails = true});
  Result r = ikeconform(io, "diff " + q(before.path()) + " " + q(after.path()));
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("REGRESSION  P-2 on model: passed -> failed"), std::string::npos) << r.out;
  r = ikeconform(io, "diff " + q(after.path()) + " " + q(before.path() / "summary.json"));
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("FIXED       P-2 on model: failed -> passed"), std::string::npos) << r.out;
  r = ikeconform(io, "diff " + q(before.path()) + " " + q(before.path()));
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("no changes"), std::string::npos);
  r = ikeconform(io, "diff " + q(before.path()) + " " + q(io.path()));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("summary.json: no such file"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace ikeconform::testing
