#pragma once
/// Little-endian integers in byte strings, for the on-disk formats (outbox segments, fault snapshots): written and
/// read byte by byte, so they need no alignment and mean the same on any host (compilers turn them into plain
/// loads and stores).
#include <cstddef>
#include <cstdint>
#include <string>

namespace vesagent::core::little_endian {

inline void put16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v & 0xFFU));
  out.push_back(static_cast<char>(v >> 8));
}
inline void put32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFFU));
}
inline void put64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFFU));
}
/// Overwrites 4 bytes at `at` (a length or checksum filled in once the data behind it is known).
inline void store32(std::string& out, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out[at + static_cast<std::size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xFFU);
}
inline void store64(std::string& out, std::size_t at, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out[at + static_cast<std::size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xFFU);
}
inline std::uint32_t load32(const unsigned char* p) {
  return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[3]} << 24;
}
inline std::uint64_t load64(const unsigned char* p) {
  return std::uint64_t{load32(p)} | std::uint64_t{load32(p + 4)} << 32;
}

}  // namespace vesagent::core::little_endian
