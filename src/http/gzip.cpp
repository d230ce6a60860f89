// gzip decoding with zlib; see gzip.hpp.
#include "gzip.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <climits>

namespace vesagent::http::detail {

GunzipResult gunzip(std::string_view in, std::size_t limit, std::string& out, std::string& error) {
  out.clear();
  z_stream z{};
  // 16 + MAX_WBITS: expect a gzip header and trailer (CRC-32 and length are checked), not a raw zlib stream.
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
    error = "zlib initialization failed";
    return GunzipResult::corrupt;
  }
  struct End {
    z_stream* z;
    ~End() { inflateEnd(z); }
  } end{&z};

  // zlib takes const-less pointers and uInt lengths; feed at most UINT_MAX bytes per call.
  auto* next = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  std::size_t left = in.size();
  std::array<char, 64 * 1024> chunk{};
  for (;;) {
    const auto feed = static_cast<uInt>(std::min<std::size_t>(left, UINT_MAX));
    z.next_in = next;
    z.avail_in = feed;
    z.next_out = reinterpret_cast<Bytef*>(chunk.data());
    z.avail_out = static_cast<uInt>(chunk.size());
    const int rc = inflate(&z, Z_NO_FLUSH);
    const std::size_t consumed = feed - z.avail_in;
    next += consumed;
    left -= consumed;
    const std::size_t produced = chunk.size() - z.avail_out;
    if (out.size() + produced > limit) return GunzipResult::too_large;
    out.append(chunk.data(), produced);
    if (rc == Z_STREAM_END) {
      // Some servers concatenate members (e.g. a gzip-per-write log stream); anything else after the end is junk
      // that curl ignored too.
      if (left >= 2 && next[0] == 0x1f && next[1] == 0x8b) {
        inflateReset(&z);
        continue;
      }
      return GunzipResult::ok;
    }
    if (rc == Z_BUF_ERROR && left == 0 && produced == 0) {
      error = "gzip body is truncated";
      return GunzipResult::corrupt;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      error = std::string("gzip body is corrupt: ") + (z.msg != nullptr ? z.msg : "inflate failed");
      return GunzipResult::corrupt;
    }
  }
}

}  // namespace vesagent::http::detail
