#include "reports/ladder_svg.hpp"

#include <fmt/format.h>

#include "reports/escape.hpp"

namespace ikeconform::reports {
namespace {

// Geometry in px. Text widths are estimated per character (monospace 12px ~ 7.3px; the
// sans-serif notes are given a generous 8px), so long DNs wrap instead of leaving the picture.
constexpr int kWidth = 1010;
constexpr int kLeft = 220;   // R1's lifeline
constexpr int kRight = 920;  // R2's lifeline
constexpr int kTextX = kLeft + 26;
constexpr int kHeader = 64;  // peer boxes
constexpr std::size_t kMonoChars = (kRight - kTextX - 16) * 10 / 73;
constexpr std::size_t kSansChars = (kRight - kTextX - 16) / 8;

constexpr const char* kMono = "font-family=\"DejaVu Sans Mono,Menlo,Consolas,monospace\"";
constexpr const char* kSans = "font-family=\"DejaVu Sans,Helvetica,Arial,sans-serif\"";
constexpr const char* kRed = "#c62828";

int lifeline(std::size_t peer) { return peer == 0 ? kLeft : kRight; }

struct Canvas {
  std::string out;
  template <typename... A>
  void add(fmt::format_string<A...> f, A&&... a) {
    out += fmt::format(f, std::forward<A>(a)...);
    out += '\n';
  }
};

void peer_box(Canvas& c, int x, const Peer& p) {
  c.add("<rect x=\"{}\" y=\"8\" width=\"150\" height=\"46\" rx=\"6\" fill=\"#eceff1\" stroke=\"#455a64\"/>", x - 75);
  c.add(
      "<text x=\"{}\" y=\"28\" text-anchor=\"middle\" {} font-size=\"15\" font-weight=\"bold\" "
      "fill=\"#263238\">{}</text>",
      x, kSans, xml_escape(p.name));
  c.add("<text x=\"{}\" y=\"45\" text-anchor=\"middle\" {} font-size=\"11\" fill=\"#546e7a\">{}</text>", x, kMono,
        xml_escape(p.address.empty() ? p.fqdn : p.address));
}

// An arrow from one lifeline to the other with a filled head, no <marker> ids: several
// ladders share one HTML document and ids would collide.
void arrow(Canvas& c, std::size_t from, int y, bool failed) {
  const int x1 = lifeline(from), x2 = lifeline(1 - from);
  const int dir = x2 > x1 ? 1 : -1;
  const char* color = failed ? kRed : "#37474f";
  c.add("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"{}\"/>", x1, y, x2 - dir * 10, y,
        color, failed ? "2.5" : "1.6");
  c.add("<polygon points=\"{},{} {},{} {},{}\" fill=\"{}\"/>", x2, y, x2 - dir * 12, y - 6, x2 - dir * 12, y + 6,
        color);
}

void text_line(Canvas& c, int x, int y, const char* font, int size, const char* fill, const std::string& text,
               bool bold = false) {
  c.add("<text x=\"{}\" y=\"{}\" {} font-size=\"{}\" fill=\"{}\"{} xml:space=\"preserve\">{}</text>", x, y, font, size,
        fill, bold ? " font-weight=\"bold\"" : "", xml_escape(text));
}

// One message: returns the y where the next one starts. The red band of a failed step goes
// to `bg`, drawn under the lifelines and the text.
int step_block(Canvas& bg, Canvas& body, const LadderStep& st, int y0) {
  int y = y0 + 18;
  if (!st.payloads.empty())
    body.add("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" {} font-size=\"12.5\" fill=\"{}\"{}>{}</text>",
             (kLeft + kRight) / 2, y, kMono, st.failed ? kRed : "#263238", st.failed ? " font-weight=\"bold\"" : "",
             xml_escape(st.payloads));
  const int ya = y + 10;
  arrow(body, st.from, ya, st.failed);
  body.add(
      "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" {} font-size=\"13\" font-weight=\"bold\" fill=\"{}\">{}{}</text>",
      kLeft - 14, ya + 4, kSans, st.failed ? kRed : "#263238", st.failed ? "&#x2717; " : "", xml_escape(st.message));
  y = ya + 8;
  const int list_top = y + 4;
  for (std::size_t i = 0; i < st.certreqs.size(); ++i) {
    const std::vector<std::string> lines = wrap(st.certreqs[i], kMonoChars - 4);
    for (std::size_t k = 0; k < lines.size(); ++k) {
      y += 15;
      if (k == 0) text_line(body, kTextX, y, kMono, 11, "#78909c", fmt::format("{:>2}", i + 1));
      text_line(body, kTextX + 22, y, kMono, 12, "#37474f", (k == 0 ? "" : "  ") + lines[k]);
    }
  }
  if (!st.certreqs.empty())  // a bracket groups the list under its arrow
    body.add("<path d=\"M{},{} h-6 v{} h6\" fill=\"none\" stroke=\"#90a4ae\"/>", kTextX - 4, list_top,
             y - list_top + 4);
  for (std::size_t i = 0; i < st.notes.size(); ++i) {
    const bool verdict = st.failed && i + 1 == st.notes.size();
    const std::vector<std::string> lines = wrap(st.notes[i], kSansChars - 3);
    for (std::size_t k = 0; k < lines.size(); ++k) {
      y += 17;
      text_line(body, kTextX, y, kSans, 13, verdict ? kRed : "#1a4f8b", (k == 0 ? "\u21D2 " : "   ") + lines[k],
                verdict);
    }
  }
  y += 14;
  if (st.failed)
    bg.add(
        "<rect x=\"6\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"6\" fill=\"#fdecea\" stroke=\"{}\" "
        "stroke-width=\"1.5\"/>",
        y0 + 2, kWidth - 12, y - y0 - 4, kRed);
  return y;
}

}  // namespace

std::vector<std::string> wrap(std::string_view text, std::size_t width) {
  std::vector<std::string> out;
  if (width < 8) width = 8;
  while (text.size() > width) {
    std::size_t cut = text.substr(0, width).find_last_of(", ");
    cut = cut == std::string_view::npos || cut < width / 2 ? width : cut + 1;
    out.emplace_back(text.substr(0, cut));
    text.remove_prefix(cut);
  }
  out.emplace_back(text);
  return out;
}

std::string ladder_svg(const Scenario& s, const std::vector<LadderStep>& steps, std::string_view title) {
  Canvas bg, body;
  int y = kHeader + 6;
  for (const LadderStep& st : steps) y = step_block(bg, body, st, y);
  const int height = y + 12;
  Canvas c;
  c.add("<svg class=\"ladder\" role=\"img\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\">", kWidth, height, kWidth,
        height);
  c.add("<title>{}</title>", xml_escape(title));
  c.add("<rect width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>", kWidth, height);
  c.out += bg.out;
  for (std::size_t p = 0; p < 2 && p < s.peers.size(); ++p) {
    c.add(
        "<line x1=\"{0}\" y1=\"54\" x2=\"{0}\" y2=\"{1}\" stroke=\"#90a4ae\" stroke-width=\"2\" stroke-dasharray=\"6 "
        "4\"/>",
        lifeline(p), height - 6);
    peer_box(c, lifeline(p), s.peers[p]);
  }
  c.out += body.out;
  c.add("</svg>");
  return c.out;
}

std::string ladder_svg(const Scenario& s, const Observation& o, const ModelOptions& opt, Message claim_at) {
  std::vector<LadderStep> steps = ladder(s, o, opt);
  if (claim_at != Message::None) {
    const std::string_view name = message_name(claim_at);
    for (LadderStep& st : steps)
      if (st.message.rfind(name, 0) == 0 && !st.failed) {
        st.failed = true;
        st.notes.push_back(fmt::format("the claim breaks here ({})", name));
      }
  }
  const std::string title = fmt::format("Message ladder, {} initiates towards {}", s.peers[o.initiator].name,
                                        s.peers[o.responder()].name);
  return ladder_svg(s, steps, title);
}

}  // namespace ikeconform::reports
