#pragma once
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78): the checksum of the outbox's segment records and of the
/// fault store's binary snapshot. One implementation for both: the SSE4.2 crc32 instruction where the CPU has it
/// (8 bytes per instruction, about ten times the table version), else software slicing-by-8.
#include <cstdint>
#include <string_view>

namespace vesagent::core {

/// `crc` continues a previous value (0 to start): crc32c(b, crc32c(a)) == crc32c(a + b).
std::uint32_t crc32c(std::string_view data, std::uint32_t crc = 0) noexcept;
/// The software version alone (the two must agree; tested).
std::uint32_t crc32c_portable(std::string_view data, std::uint32_t crc = 0) noexcept;

}  // namespace vesagent::core
