// A campaign run folder read back for the report writers and `diff`: summary.json and the
// counterexample files through reports/, journal.jsonl through the one journal reader
// (campaign/journal.hpp). Dependencies point cli -> campaign -> reports: the report writers get
// already-read journal facts and never parse a journal themselves.
#pragma once

#include <filesystem>

#include "campaign/journal.hpp"
#include "reports/reports.hpp"

namespace ikeconform::campaign {

// What the report writers show of a journal ("Journal" fact, the IOS files of counterexamples).
reports::Journal journal_facts(const JournalState& st);
// The summary of a killed campaign (no summary.json): counts from the journal; no statements and
// no baseline, so no expected deviations; never complete.
reports::Summary summary_from_journal(const JournalState& st);

// The whole folder (InputError "file:line: what" on anything malformed).
reports::Run load_run(const std::filesystem::path& dir);
// DIR/report.html and DIR/junit.xml (or where `options` say): `ikeconform report`, and the end of
// `campaign` and `merge`.
reports::WrittenReports write_reports(const std::filesystem::path& dir, const reports::ReportOptions& options = {});
// `diff`'s input: summary.json (`path` the folder or the file), else rebuilt from the folder's journal.
reports::Summary load_summary(const std::filesystem::path& path);

}  // namespace ikeconform::campaign
