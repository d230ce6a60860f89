#pragma once
/// gunzip: inflates a gzip-encoded HTTP body with zlib, with an output cap so that a small hostile body cannot
/// expand into gigabytes. Private to src/http; Asio-free.
#include <cstddef>
#include <string>
#include <string_view>

namespace vesagent::http::detail {

enum class GunzipResult { ok, too_large, corrupt };

/// Replaces `out` with the inflated `in` (one or more concatenated gzip members, RFC 1952). On `corrupt` the
/// `error` says why (zlib's message); on `too_large` the output would exceed `limit` bytes.
GunzipResult gunzip(std::string_view in, std::size_t limit, std::string& out, std::string& error);

}  // namespace vesagent::http::detail
