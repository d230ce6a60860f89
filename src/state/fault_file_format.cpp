#include "fault_file_format.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <optional>
#include <string>

#include "vesagent/core/little_endian.hpp"

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
  if (fault.event_id.is_canonical()) {
    fault.event_id.append_to(out, fault.episode_start_us);  // nothing to escape in a derived id
  } else {
    append_escaped(out, fault.event_id.text());
  }
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
    out.event_id_canonical = false;
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

// ---- eventIds ----

void append_canonical_event_id(std::string& out, std::uint64_t hash, std::int64_t episode_us) {
  char buf[6 + 16 + 1 + 24];
  std::memcpy(buf, "fault-", 6);
  for (int i = 0; i < 16; ++i) buf[6 + i] = kHex[(hash >> (60 - 4 * i)) & 0xFU];
  buf[22] = '-';
  auto [end, ec] = std::to_chars(buf + 23, buf + sizeof buf, episode_us / 1'000'000);
  (void)ec;  // 24 characters hold any 64-bit number
  out.append(buf, end);
}

void assign_fields(StoredFault& f, const RecordFields& r) {
  f.event_id = r.event_id_canonical ? StoredEventId::canonical(r.event_id_hash)
                                    : StoredEventId::from_text(r.event_id, r.episode_start_us);
  f.episode_start_us = r.episode_start_us;
  f.start_epoch_us = r.start_epoch_us;
  f.sequence = r.sequence;
  f.closed_at_us = r.closed_at_us;
  f.severity = r.severity;
}

StoredEventId StoredEventId::from_text(std::string_view text, std::int64_t episode_us) {
  // "fault-" + 16 lower-case hex digits + "-" + at least one character
  if (text.size() >= 24 && text.substr(0, 6) == "fault-" && text[22] == '-') {
    std::uint64_t hash = 0;
    bool hex = true;
    for (std::size_t i = 6; i < 22 && hex; ++i) {
      const char c = text[i];
      if (c >= '0' && c <= '9') {
        hash = hash << 4 | static_cast<std::uint64_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        hash = hash << 4 | static_cast<std::uint64_t>(c - 'a' + 10);
      } else {
        hex = false;
      }
    }
    if (hex) {
      // Canonical only if rebuilding it gives exactly these bytes (no "+5", "05", other seconds...).
      char buf[24];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, episode_us / 1'000'000);
      (void)ec;
      if (text.substr(23) == std::string_view(buf, static_cast<std::size_t>(end - buf))) return canonical(hash);
    }
  }
  StoredEventId id;
  id.text_ = new std::string(text);
  return id;
}

StoredEventId::StoredEventId(const StoredEventId& other)
    : hash_(other.hash_), text_(other.text_ != nullptr ? new std::string(*other.text_) : nullptr) {}

StoredEventId& StoredEventId::operator=(const StoredEventId& other) {
  if (this != &other) *this = StoredEventId(other);
  return *this;
}

StoredEventId& StoredEventId::operator=(StoredEventId&& other) noexcept {
  if (this != &other) {
    delete text_;
    hash_ = other.hash_;
    text_ = other.text_;
    other.text_ = nullptr;
  }
  return *this;
}

void StoredEventId::append_to(std::string& out, std::int64_t episode_us) const {
  if (text_ != nullptr) {
    out += *text_;
  } else {
    append_canonical_event_id(out, hash_, episode_us);
  }
}

// ---- format version 2: helpers ----

namespace {

using core::little_endian::load32;
using core::little_endian::load64;
using core::little_endian::put32;
using core::little_endian::put64;
using core::little_endian::store32;
using core::little_endian::store64;

// Severity codes of format version 2: fixed here, independent of the enum's order.
constexpr core::Severity kSeverityByCode[] = {core::Severity::critical, core::Severity::major, core::Severity::minor,
                                              core::Severity::warning, core::Severity::normal};
std::uint8_t severity_code(core::Severity s) {
  for (std::uint8_t i = 0; i < std::size(kSeverityByCode); ++i) {
    if (kSeverityByCode[i] == s) return i;
  }
  return 1;  // not reached: every severity has a code
}

constexpr char kHeaderKind = 'H';
constexpr char kRecordKind = 'R';
constexpr char kTrailerKind = 'E';
constexpr std::size_t kHeaderBodyBytes = 24;   // kind, 3 zero bytes, u32 version, u64 generation, u64 count
constexpr std::size_t kTrailerBodyBytes = 16;  // kind, 7 zero bytes, u64 count
constexpr std::uint8_t kCanonicalEventId = 1;

/// Starts a frame: its header is filled in by end_frame().
std::size_t begin_frame(std::string& out) {
  const std::size_t start = out.size();
  out.append(kFrameHeaderBytes, '\0');
  return start;
}
/// The checksum covers the length field and the body, so a damaged length is caught too.
std::uint32_t frame_crc(const unsigned char* frame, std::size_t body_bytes) {
  const std::uint32_t c = crc32c(std::string_view(reinterpret_cast<const char*>(frame), 4));
  return crc32c(std::string_view(reinterpret_cast<const char*>(frame) + kFrameHeaderBytes, body_bytes), c);
}
void end_frame(std::string& out, std::size_t start) {
  const auto body = static_cast<std::uint32_t>(out.size() - start - kFrameHeaderBytes);
  store32(out, start, body);
  store32(out, start + 4, frame_crc(reinterpret_cast<const unsigned char*>(out.data() + start), body));
}

}  // namespace

// ---- format version 2 ----

void append_snapshot_header(std::string& out, std::uint64_t generation) {
  out += kSnapshotMagic;
  const auto start = begin_frame(out);
  out += kHeaderKind;
  out.append(3, '\0');
  put32(out, kSnapshotVersion);
  put64(out, generation);
  put64(out, 0);  // record count: finish_snapshot()
  end_frame(out, start);
}

void append_snapshot_record(std::string& out, std::string_view key, const StoredFault& fault) {
  const auto start = begin_frame(out);
  const bool canonical = fault.event_id.is_canonical();
  const std::string_view event_id = canonical ? std::string_view() : fault.event_id.text();
  out += kRecordKind;
  out += static_cast<char>(severity_code(fault.severity));
  out += static_cast<char>(canonical ? kCanonicalEventId : 0);
  out += '\0';
  put32(out, static_cast<std::uint32_t>(key.size()));  // (a frame's u32 length bounds both anyway)
  put32(out, static_cast<std::uint32_t>(event_id.size()));
  put64(out, static_cast<std::uint64_t>(fault.episode_start_us));
  put64(out, static_cast<std::uint64_t>(fault.start_epoch_us));
  put64(out, static_cast<std::uint64_t>(fault.sequence));
  put64(out, static_cast<std::uint64_t>(fault.closed_at_us));
  put64(out, canonical ? fault.event_id.hash() : 0);
  out += key;
  out += event_id;
  end_frame(out, start);
}

void finish_snapshot(std::string& out, std::uint64_t record_count) {
  const auto start = begin_frame(out);
  out += kTrailerKind;
  out.append(7, '\0');
  put64(out, record_count);
  end_frame(out, start);
  // The header frame follows the magic; its count field is the last 8 bytes of its body.
  const std::size_t header = kSnapshotMagic.size();
  store64(out, header + kFrameHeaderBytes + 16, record_count);
  store32(out, header + 4,
          frame_crc(reinterpret_cast<const unsigned char*>(out.data() + header), kHeaderBodyBytes));
}

bool read_snapshot_frame(std::string_view file, std::size_t& pos, SnapshotFrame& out, std::string& why, bool check) {
  if (pos > file.size() || file.size() - pos < kFrameHeaderBytes) {
    why = "incomplete frame header";
    return false;
  }
  const auto* frame = reinterpret_cast<const unsigned char*>(file.data() + pos);
  const std::uint32_t body_bytes = load32(frame);
  if (body_bytes > file.size() - pos - kFrameHeaderBytes) {
    why = "frame runs past the end of the file";
    return false;
  }
  if (body_bytes == 0) {
    why = "empty frame";
    return false;
  }
  if (check && load32(frame + 4) != frame_crc(frame, body_bytes)) {
    why = "checksum mismatch";
    return false;
  }
  const unsigned char* b = frame + kFrameHeaderBytes;
  const auto zeros = [&](std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i) {
      if (b[i] != 0) return false;
    }
    return true;
  };
  switch (static_cast<char>(b[0])) {
    case kRecordKind: {
      if (body_bytes < kRecordFixedBytes) {
        why = "bad record";
        return false;
      }
      const std::uint8_t code = b[1];
      const std::uint8_t flags = b[2];
      const std::size_t key_len = load32(b + 4);
      const std::size_t id_len = load32(b + 8);
      const bool canonical = flags == kCanonicalEventId;
      if (code >= std::size(kSeverityByCode) || (flags & ~kCanonicalEventId) != 0 || b[3] != 0 || key_len == 0 ||
          key_len + id_len != body_bytes - kRecordFixedBytes || (canonical && id_len != 0)) {
        why = "bad record fields";
        return false;
      }
      out.type = SnapshotFrame::Type::record;
      out.severity = kSeverityByCode[code];
      out.episode_start_us = static_cast<std::int64_t>(load64(b + 12));
      out.start_epoch_us = static_cast<std::int64_t>(load64(b + 20));
      out.sequence = static_cast<std::int64_t>(load64(b + 28));
      out.closed_at_us = static_cast<std::int64_t>(load64(b + 36));
      out.event_id_hash = load64(b + 44);
      out.event_id_canonical = canonical;
      if (out.closed_at_us < 0 || (!canonical && out.event_id_hash != 0)) {
        why = "bad record fields";
        return false;
      }
      const char* text = reinterpret_cast<const char*>(b + kRecordFixedBytes);
      out.key = std::string_view(text, key_len);
      out.event_id = std::string_view(text + key_len, id_len);
      break;
    }
    case kHeaderKind: {
      if (body_bytes != kHeaderBodyBytes || !zeros(1, 4)) {
        why = "bad header";
        return false;
      }
      const std::uint32_t version = load32(b + 4);
      if (version != kSnapshotVersion) {
        why = "unsupported format version " + std::to_string(version);
        return false;
      }
      out.type = SnapshotFrame::Type::header;
      out.generation = load64(b + 8);
      out.record_count = load64(b + 16);
      break;
    }
    case kTrailerKind:
      if (body_bytes != kTrailerBodyBytes || !zeros(1, 8)) {
        why = "bad end frame";
        return false;
      }
      out.type = SnapshotFrame::Type::trailer;
      out.record_count = load64(b + 8);
      break;
    default:
      why = "unknown frame";
      return false;
  }
  pos += kFrameHeaderBytes + body_bytes;
  return true;
}

}  // namespace vesagent::state::detail
