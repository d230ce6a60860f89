#include "fault_file_format.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <optional>

namespace vesagent::state::detail {
namespace {

// Slicing-by-8 tables: the checksum runs over every line of a snapshot at each compaction, and the byte-wise loop
// was a fifth of a 250k-fault compaction. Table k advances a byte by k more zero bytes.
constexpr std::array<std::array<std::uint32_t, 256>, 8> make_crc_tables() {
  std::array<std::array<std::uint32_t, 256>, 8> t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1U) != 0 ? 0xEDB88320U ^ (c >> 1) : c >> 1;
    t[0][i] = c;
  }
  for (std::size_t k = 1; k < 8; ++k) {
    for (std::size_t i = 0; i < 256; ++i) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFFU];
  }
  return t;
}
constexpr auto kCrc = make_crc_tables();

constexpr char kHex[] = "0123456789abcdef";

void append_escaped(std::string& out, std::string_view text) {
  // A plain loop: find_first_of with a set calls memchr once per character of `text`.
  if (std::none_of(text.begin(), text.end(), [](char c) { return c == '\\' || c == '\t' || c == '\n' || c == '\r'; })) {
    out += text;  // the usual case: fingerprints and generated eventIds have nothing to escape
    return;
  }
  for (char c : text) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
}

// Sets `out` to the unescaped `text`: `text` itself when it has no backslash (fingerprints and generated eventIds
// never have one, and copying character by character was a quarter of open()), else `storage` filled.
bool unescape(std::string_view text, std::string& storage, std::string_view& out) {
  const void* found = text.empty() ? nullptr : std::memchr(text.data(), '\\', text.size());
  if (found == nullptr) {
    out = text;
    return true;
  }
  auto i = static_cast<std::size_t>(static_cast<const char*>(found) - text.data());
  storage.assign(text.data(), i);
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c != '\\') {
      storage += c;
      continue;
    }
    if (++i == text.size()) return false;
    switch (text[i]) {
      case '\\':
        storage += '\\';
        break;
      case 't':
        storage += '\t';
        break;
      case 'n':
        storage += '\n';
        break;
      case 'r':
        storage += '\r';
        break;
      default:
        return false;
    }
  }
  out = storage;
  return true;
}

template <class Int>
void append_number(std::string& out, Int value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  (void)ec;  // 24 characters hold any 64-bit number
  out.append(buf, end);
}

template <class Int>
bool parse_number(std::string_view text, Int& value) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc{} && ptr == text.data() + text.size() && !text.empty();
}

// Appends "\t<crc of the line so far>\n"; `line_start` is where this line began in `out`.
void finish_line(std::string& out, std::size_t line_start) {
  const std::uint32_t crc = crc32(std::string_view(out).substr(line_start));
  char buf[10];
  buf[0] = '\t';
  for (int i = 0; i < 8; ++i) buf[1 + i] = kHex[(crc >> (28 - 4 * i)) & 0xFU];
  buf[9] = '\n';
  out.append(buf, sizeof buf);
}

// Splits on TAB into at most `max` fields; returns how many there were (max + 1 = too many).
std::size_t split(std::string_view line, std::string_view* fields, std::size_t max) {
  std::size_t n = 0;
  const char* p = line.data();
  const char* const end = p + line.size();
  while (true) {
    if (n == max) return max + 1;
    const auto* tab = static_cast<const char*>(std::memchr(p, '\t', static_cast<std::size_t>(end - p)));
    if (tab == nullptr) {
      fields[n++] = std::string_view(p, static_cast<std::size_t>(end - p));
      return n;
    }
    fields[n++] = std::string_view(p, static_cast<std::size_t>(tab - p));
    p = tab + 1;
  }
}

}  // namespace

std::uint32_t crc32(std::string_view data) noexcept {
  std::uint32_t c = 0xFFFFFFFFU;
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t n = data.size();
  for (; n >= 8; n -= 8, p += 8) {
    // Bytes are combined explicitly (not loaded as a word), so this is endian- and alignment-neutral.
    const std::uint32_t lo =
        c ^ (std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[3]} << 24);
    c = kCrc[7][lo & 0xFFU] ^ kCrc[6][(lo >> 8) & 0xFFU] ^ kCrc[5][(lo >> 16) & 0xFFU] ^ kCrc[4][lo >> 24] ^
        kCrc[3][p[4]] ^ kCrc[2][p[5]] ^ kCrc[1][p[6]] ^ kCrc[0][p[7]];
  }
  for (; n > 0; --n, ++p) c = kCrc[0][(c ^ *p) & 0xFFU] ^ (c >> 8);
  return c ^ 0xFFFFFFFFU;
}

std::uint64_t fnv1a64(std::string_view data, std::uint64_t hash) noexcept {
  for (unsigned char b : data) {
    hash ^= b;
    hash *= 1099511628211ULL;
  }
  return hash;
}

void append_header(std::string& out, std::string_view kind, std::uint64_t generation) {
  const auto start = out.size();
  out += "H\t";
  out += kMagic;
  out += '\t';
  out += kFormatVersion;
  out += '\t';
  out += kind;
  out += '\t';
  append_number(out, generation);
  finish_line(out, start);
}

void append_record(std::string& out, std::string_view key, const StoredFault& fault) {
  const auto start = out.size();
  out += "R\t";
  append_escaped(out, key);
  out += '\t';
  append_escaped(out, fault.event_id);
  out += '\t';
  append_number(out, fault.episode_start_us);
  out += '\t';
  append_number(out, fault.start_epoch_us);
  out += '\t';
  append_number(out, fault.sequence);
  out += '\t';
  out += core::to_string(fault.severity);
  out += '\t';
  append_number(out, fault.closed_at_us);
  finish_line(out, start);
}

void append_trailer(std::string& out, std::uint64_t record_count) {
  const auto start = out.size();
  out += "E\t";
  append_number(out, record_count);
  finish_line(out, start);
}

bool parse_line(std::string_view line, ParsedLine& out, std::string& why) {
  const auto last_tab = line.rfind('\t');
  if (last_tab == std::string_view::npos) {
    why = "no checksum";
    return false;
  }
  const auto body = line.substr(0, last_tab);
  const auto crc_text = line.substr(last_tab + 1);
  std::uint32_t crc = 0;
  if (crc_text.size() != 8 || std::from_chars(crc_text.data(), crc_text.data() + 8, crc, 16).ptr != crc_text.end() ||
      crc != crc32(body)) {
    why = "checksum mismatch";
    return false;
  }
  std::string_view f[9];
  const std::size_t n = split(body, f, 9);
  if (f[0] == "R") {  // first: all but two lines of a file are records
    if (n != 8) {
      why = "unknown line";
      return false;
    }
    out.type = ParsedLine::Type::record;
    const std::optional<core::Severity> severity = core::parse_severity(f[6]);
    if (!unescape(f[1], out.key_storage, out.key) || !unescape(f[2], out.event_id_storage, out.event_id) ||
        !parse_number(f[3], out.episode_start_us) || !parse_number(f[4], out.start_epoch_us) ||
        !parse_number(f[5], out.sequence) || !severity || !parse_number(f[7], out.closed_at_us) || out.key.empty() ||
        out.closed_at_us < 0) {
      why = "bad record fields";
      return false;
    }
    out.severity = *severity;
    return true;
  }
  if (f[0] == "H") {
    if (n != 5 || f[1] != kMagic) {
      why = "not a fault state file";
      return false;
    }
    if (f[2] != kFormatVersion) {
      why = "unsupported format version " + std::string(f[2]);
      return false;
    }
    out.type = ParsedLine::Type::header;
    out.kind = f[3];
    if (!parse_number(f[4], out.number)) {
      why = "bad generation";
      return false;
    }
    return true;
  }
  if (f[0] == "E") {
    out.type = ParsedLine::Type::trailer;
    if (n != 2 || !parse_number(f[1], out.number)) {
      why = "bad trailer";
      return false;
    }
    return true;
  }
  why = "unknown line";
  return false;
}

}  // namespace vesagent::state::detail
