// Escaping for everything the reports put into XML (JUnit) and HTML/SVG: scenario names, DNs,
// trace lines and oracle messages are user-controlled and may hold markup, control bytes or
// invalid UTF-8.
#pragma once

#include <string>
#include <string_view>

namespace ikeconform::reports {

// Valid UTF-8 with every character XML 1.0 allows; invalid bytes become U+FFFD and control
// characters other than TAB/LF/CR become visible "\xNN" text (they cannot appear in XML at all,
// even escaped). Markup characters are escaped: & < > " '.
std::string xml_escape(std::string_view s);
// For attribute values: as xml_escape, and TAB/LF/CR as character references so that attribute
// value normalization does not turn a multi-line message into one line.
std::string xml_attr(std::string_view s);

}  // namespace ikeconform::reports
