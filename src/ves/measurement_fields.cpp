#include "vesagent/ves/measurement_fields.hpp"

#include <array>

namespace vesagent::ves {
namespace {

constexpr auto kNum = FieldType::number;
constexpr auto kInt = FieldType::integer;
constexpr auto kStr = FieldType::string;
constexpr auto kEnum = FieldType::enumeration;

constexpr std::array<std::string_view, 2> kTrueFalse{"true", "false"};
constexpr std::array<std::string_view, 2> kServiceStates{"inService", "outOfService"};

// Generated from the "properties"/"required" of the named schema definitions (schema order kept) and checked
// against tests/data/ves/schemas by measurement_fields_test.cpp. valuesAreSuspect gets the default "false":
// the agent has no counter-overflow knowledge, and without it every nicPerformance record would be a 400.
// 30.2.1_ONAP definitions/cpuUsage
constexpr FieldInfo kV7CpuUsageArray[] = {
    {"cpuCapacityContention", kNum},
    {"cpuDemandAvg", kNum},
    {"cpuDemandMhz", kNum},
    {"cpuDemandPct", kNum},
    {"cpuIdentifier", kStr, true},
    {"cpuIdle", kNum},
    {"cpuLatencyAvg", kNum},
    {"cpuOverheadAvg", kNum},
    {"cpuSwapWaitTime", kNum},
    {"cpuUsageInterrupt", kNum},
    {"cpuUsageNice", kNum},
    {"cpuUsageSoftIrq", kNum},
    {"cpuUsageSteal", kNum},
    {"cpuUsageSystem", kNum},
    {"cpuUsageUser", kNum},
    {"cpuWait", kNum},
    {"percentUsage", kNum, true},
};
// 30.2.1_ONAP definitions/memoryUsage
constexpr FieldInfo kV7MemoryUsageArray[] = {
    {"memoryBuffered", kNum},
    {"memoryCached", kNum},
    {"memoryConfigured", kNum},
    {"memoryDemand", kNum},
    {"memoryFree", kNum, true},
    {"memoryLatencyAvg", kNum},
    {"memorySharedAvg", kNum},
    {"memorySlabRecl", kNum},
    {"memorySlabUnrecl", kNum},
    {"memorySwapInAvg", kNum},
    {"memorySwapInRateAvg", kNum},
    {"memorySwapOutAvg", kNum},
    {"memorySwapOutRateAvg", kNum},
    {"memorySwapUsedAvg", kNum},
    {"memoryUsed", kNum, true},
    {"percentMemoryUsage", kNum},
    {"vmIdentifier", kStr, true},
};
// 30.2.1_ONAP definitions/diskUsage
constexpr FieldInfo kV7DiskUsageArray[] = {
    {"diskBusResets", kNum},
    {"diskCommandsAborted", kNum},
    {"diskCommandsAvg", kNum},
    {"diskFlushRequests", kNum},
    {"diskFlushTime", kNum},
    {"diskIdentifier", kStr, true},
    {"diskIoTimeAvg", kNum},
    {"diskIoTimeLast", kNum},
    {"diskIoTimeMax", kNum},
    {"diskIoTimeMin", kNum},
    {"diskMergedReadAvg", kNum},
    {"diskMergedReadLast", kNum},
    {"diskMergedReadMax", kNum},
    {"diskMergedReadMin", kNum},
    {"diskMergedWriteAvg", kNum},
    {"diskMergedWriteLast", kNum},
    {"diskMergedWriteMax", kNum},
    {"diskMergedWriteMin", kNum},
    {"diskOctetsReadAvg", kNum},
    {"diskOctetsReadLast", kNum},
    {"diskOctetsReadMax", kNum},
    {"diskOctetsReadMin", kNum},
    {"diskOctetsWriteAvg", kNum},
    {"diskOctetsWriteLast", kNum},
    {"diskOctetsWriteMax", kNum},
    {"diskOctetsWriteMin", kNum},
    {"diskOpsReadAvg", kNum},
    {"diskOpsReadLast", kNum},
    {"diskOpsReadMax", kNum},
    {"diskOpsReadMin", kNum},
    {"diskOpsWriteAvg", kNum},
    {"diskOpsWriteLast", kNum},
    {"diskOpsWriteMax", kNum},
    {"diskOpsWriteMin", kNum},
    {"diskPendingOperationsAvg", kNum},
    {"diskPendingOperationsLast", kNum},
    {"diskPendingOperationsMax", kNum},
    {"diskPendingOperationsMin", kNum},
    {"diskReadCommandsAvg", kNum},
    {"diskTime", kNum},
    {"diskTimeReadAvg", kNum},
    {"diskTimeReadLast", kNum},
    {"diskTimeReadMax", kNum},
    {"diskTimeReadMin", kNum},
    {"diskTimeWriteAvg", kNum},
    {"diskTimeWriteLast", kNum},
    {"diskTimeWriteMax", kNum},
    {"diskTimeWriteMin", kNum},
    {"diskTotalReadLatencyAvg", kNum},
    {"diskTotalWriteLatencyAvg", kNum},
    {"diskWeightedIoTimeAvg", kNum},
    {"diskWeightedIoTimeLast", kNum},
    {"diskWeightedIoTimeMax", kNum},
    {"diskWeightedIoTimeMin", kNum},
    {"diskWriteCommandsAvg", kNum},
};
// 30.2.1_ONAP definitions/nicPerformance
constexpr FieldInfo kV7NicPerformanceArray[] = {
    {"administrativeState", kEnum, false, {}, {}, kServiceStates},
    {"nicIdentifier", kStr, true},
    {"operationalState", kEnum, false, {}, {}, kServiceStates},
    {"receivedBroadcastPacketsAccumulated", kNum},
    {"receivedBroadcastPacketsDelta", kNum},
    {"receivedDiscardedPacketsAccumulated", kNum},
    {"receivedDiscardedPacketsDelta", kNum},
    {"receivedErrorPacketsAccumulated", kNum},
    {"receivedErrorPacketsDelta", kNum},
    {"receivedMulticastPacketsAccumulated", kNum},
    {"receivedMulticastPacketsDelta", kNum},
    {"receivedOctetsAccumulated", kNum},
    {"receivedOctetsDelta", kNum},
    {"receivedTotalPacketsAccumulated", kNum},
    {"receivedPercentDiscard", kNum},
    {"receivedPercentError", kNum},
    {"receivedTotalPacketsDelta", kNum},
    {"receivedUnicastPacketsAccumulated", kNum},
    {"receivedUnicastPacketsDelta", kNum},
    {"receivedUtilization", kNum},
    {"speed", kNum},
    {"transmittedBroadcastPacketsAccumulated", kNum},
    {"transmittedBroadcastPacketsDelta", kNum},
    {"transmittedDiscardedPacketsAccumulated", kNum},
    {"transmittedDiscardedPacketsDelta", kNum},
    {"transmittedErrorPacketsAccumulated", kNum},
    {"transmittedErrorPacketsDelta", kNum},
    {"transmittedMulticastPacketsAccumulated", kNum},
    {"transmittedMulticastPacketsDelta", kNum},
    {"transmittedOctetsAccumulated", kNum},
    {"transmittedOctetsDelta", kNum},
    {"transmittedTotalPacketsAccumulated", kNum},
    {"transmittedTotalPacketsDelta", kNum},
    {"transmittedUnicastPacketsAccumulated", kNum},
    {"transmittedUnicastPacketsDelta", kNum},
    {"transmittedPercentDiscard", kNum},
    {"transmittedPercentError", kNum},
    {"transmittedUtilization", kNum},
    {"valuesAreSuspect", kEnum, true, {}, "false", kTrueFalse},
};
// 30.2.1_ONAP definitions/filesystemUsage
constexpr FieldInfo kV7FilesystemUsageArray[] = {
    {"blockConfigured", kNum, true},
    {"blockIops", kNum, true},
    {"blockUsed", kNum, true},
    {"ephemeralConfigured", kNum, true},
    {"ephemeralIops", kNum, true},
    {"ephemeralUsed", kNum, true},
    {"filesystemName", kStr, true},
};
// 30.2.1_ONAP definitions/load
constexpr FieldInfo kV7LoadArray[] = {
    {"longTerm", kNum},
    {"midTerm", kNum},
    {"shortTerm", kNum},
};
// 30.2.1_ONAP definitions/processStats
constexpr FieldInfo kV7ProcessStatsArray[] = {
    {"forkRate", kNum},
    {"processIdentifier", kStr, true},
    {"psStateBlocked", kNum},
    {"psStatePaging", kNum},
    {"psStateRunning", kNum},
    {"psStateSleeping", kNum},
    {"psStateStopped", kNum},
    {"psStateZombie", kNum},
};
// 30.2.1_ONAP definitions/hugePages
constexpr FieldInfo kV7HugePagesArray[] = {
    {"bytesFree", kNum},
    {"bytesUsed", kNum},
    {"hugePagesIdentifier", kStr, true},
    {"percentFree", kNum},
    {"percentUsed", kNum},
    {"vmPageNumberFree", kNum},
    {"vmPageNumberUsed", kNum},
};
// 30.2.1_ONAP definitions/machineCheckException
constexpr FieldInfo kV7MachineCheckExceptionArray[] = {
    {"correctedMemoryErrors", kNum},
    {"correctedMemoryErrorsIn1Hr", kNum},
    {"uncorrectedMemoryErrors", kNum},
    {"uncorrectedMemoryErrorsIn1Hr", kNum},
    {"vmIdentifier", kStr, true},
};
// 30.2.1_ONAP definitions/latencyBucketMeasure
constexpr FieldInfo kV7LatencyDistribution[] = {
    {"countsInTheBucket", kNum, true},
    {"highEndOfLatencyBucket", kNum},
    {"lowEndOfLatencyBucket", kNum},
};
// 30.2.1_ONAP definitions/codecsInUse
constexpr FieldInfo kV7CodecUsageArray[] = {
    {"codecIdentifier", kStr, true},
    {"numberInUse", kInt, true},
};
// 28.4.1 definitions/cpuUsage
constexpr FieldInfo kV5CpuUsageArray[] = {
    {"cpuIdentifier", kStr, true},
    {"cpuIdle", kNum},
    {"cpuUsageInterrupt", kNum},
    {"cpuUsageNice", kNum},
    {"cpuUsageSoftIrq", kNum},
    {"cpuUsageSteal", kNum},
    {"cpuUsageSystem", kNum},
    {"cpuUsageUser", kNum},
    {"cpuWait", kNum},
    {"percentUsage", kNum, true},
};
// 28.4.1 definitions/memoryUsage
constexpr FieldInfo kV5MemoryUsageArray[] = {
    {"memoryBuffered", kNum},
    {"memoryCached", kNum},
    {"memoryConfigured", kNum},
    {"memoryFree", kNum, true},
    {"memorySlabRecl", kNum},
    {"memorySlabUnrecl", kNum},
    {"memoryUsed", kNum, true},
    {"vmIdentifier", kStr, true},
};
// 28.4.1 definitions/diskUsage
constexpr FieldInfo kV5DiskUsageArray[] = {
    {"diskIdentifier", kStr, true},
    {"diskIoTimeAvg", kNum},
    {"diskIoTimeLast", kNum},
    {"diskIoTimeMax", kNum},
    {"diskIoTimeMin", kNum},
    {"diskMergedReadAvg", kNum},
    {"diskMergedReadLast", kNum},
    {"diskMergedReadMax", kNum},
    {"diskMergedReadMin", kNum},
    {"diskMergedWriteAvg", kNum},
    {"diskMergedWriteLast", kNum},
    {"diskMergedWriteMax", kNum},
    {"diskMergedWriteMin", kNum},
    {"diskOctetsReadAvg", kNum},
    {"diskOctetsReadLast", kNum},
    {"diskOctetsReadMax", kNum},
    {"diskOctetsReadMin", kNum},
    {"diskOctetsWriteAvg", kNum},
    {"diskOctetsWriteLast", kNum},
    {"diskOctetsWriteMax", kNum},
    {"diskOctetsWriteMin", kNum},
    {"diskOpsReadAvg", kNum},
    {"diskOpsReadLast", kNum},
    {"diskOpsReadMax", kNum},
    {"diskOpsReadMin", kNum},
    {"diskOpsWriteAvg", kNum},
    {"diskOpsWriteLast", kNum},
    {"diskOpsWriteMax", kNum},
    {"diskOpsWriteMin", kNum},
    {"diskPendingOperationsAvg", kNum},
    {"diskPendingOperationsLast", kNum},
    {"diskPendingOperationsMax", kNum},
    {"diskPendingOperationsMin", kNum},
    {"diskTimeReadAvg", kNum},
    {"diskTimeReadLast", kNum},
    {"diskTimeReadMax", kNum},
    {"diskTimeReadMin", kNum},
    {"diskTimeWriteAvg", kNum},
    {"diskTimeWriteLast", kNum},
    {"diskTimeWriteMax", kNum},
    {"diskTimeWriteMin", kNum},
};
// 28.4.1 definitions/vNicPerformance
constexpr FieldInfo kV5NicPerformanceArray[] = {
    {"receivedBroadcastPacketsAccumulated", kNum},
    {"receivedBroadcastPacketsDelta", kNum},
    {"receivedDiscardedPacketsAccumulated", kNum},
    {"receivedDiscardedPacketsDelta", kNum},
    {"receivedErrorPacketsAccumulated", kNum},
    {"receivedErrorPacketsDelta", kNum},
    {"receivedMulticastPacketsAccumulated", kNum},
    {"receivedMulticastPacketsDelta", kNum},
    {"receivedOctetsAccumulated", kNum},
    {"receivedOctetsDelta", kNum},
    {"receivedTotalPacketsAccumulated", kNum},
    {"receivedTotalPacketsDelta", kNum},
    {"receivedUnicastPacketsAccumulated", kNum},
    {"receivedUnicastPacketsDelta", kNum},
    {"transmittedBroadcastPacketsAccumulated", kNum},
    {"transmittedBroadcastPacketsDelta", kNum},
    {"transmittedDiscardedPacketsAccumulated", kNum},
    {"transmittedDiscardedPacketsDelta", kNum},
    {"transmittedErrorPacketsAccumulated", kNum},
    {"transmittedErrorPacketsDelta", kNum},
    {"transmittedMulticastPacketsAccumulated", kNum},
    {"transmittedMulticastPacketsDelta", kNum},
    {"transmittedOctetsAccumulated", kNum},
    {"transmittedOctetsDelta", kNum},
    {"transmittedTotalPacketsAccumulated", kNum},
    {"transmittedTotalPacketsDelta", kNum},
    {"transmittedUnicastPacketsAccumulated", kNum},
    {"transmittedUnicastPacketsDelta", kNum},
    {"valuesAreSuspect", kEnum, true, {}, "false", kTrueFalse},
    {"nicIdentifier", kStr, true, "vNicIdentifier"},
};
// 28.4.1 definitions/filesystemUsage
constexpr FieldInfo kV5FilesystemUsageArray[] = {
    {"blockConfigured", kNum, true},
    {"blockIops", kNum, true},
    {"blockUsed", kNum, true},
    {"ephemeralConfigured", kNum, true},
    {"ephemeralIops", kNum, true},
    {"ephemeralUsed", kNum, true},
    {"filesystemName", kStr, true},
};
// 28.4.1 definitions/latencyBucketMeasure
constexpr FieldInfo kV5LatencyDistribution[] = {
    {"countsInTheBucket", kNum, true},
    {"highEndOfLatencyBucket", kNum},
    {"lowEndOfLatencyBucket", kNum},
};
// 28.4.1 definitions/codecsInUse
constexpr FieldInfo kV5CodecUsageArray[] = {
    {"codecIdentifier", kStr, true},
    {"numberInUse", kInt, true},
};
// 28.4.1 definitions/featuresInUse
constexpr FieldInfo kV5FeatureUsageArray[] = {
    {"featureIdentifier", kStr, true},
    {"featureUtilization", kInt, true},
};

// Scalars of measurementFields (30.2.1_ONAP) / measurementsForVfScalingFields (28.4.1), without the version,
// interval and the structured members the encoder writes itself.
constexpr FieldInfo kV7Scalars[] = {
    {"concurrentSessions", kInt},      {"configuredEntities", kInt}, {"meanRequestLatency", kNum},
    {"numberOfMediaPortsInUse", kInt}, {"requestRate", kNum},        {"nfcScalingMetric", kInt},
};
constexpr FieldInfo kV5Scalars[] = {
    {"concurrentSessions", kInt},      {"configuredEntities", kInt}, {"meanRequestLatency", kNum},
    {"numberOfMediaPortsInUse", kInt}, {"requestRate", kNum},
    {"nfcScalingMetric", kInt, false, "vnfcScalingMetric"},
};

constexpr ArrayInfo kV7Arrays[] = {
    {"cpuUsageArray", "cpuUsageArray", kV7CpuUsageArray},
    {"memoryUsageArray", "memoryUsageArray", kV7MemoryUsageArray},
    {"diskUsageArray", "diskUsageArray", kV7DiskUsageArray},
    {"nicPerformanceArray", "nicPerformanceArray", kV7NicPerformanceArray},
    {"filesystemUsageArray", "filesystemUsageArray", kV7FilesystemUsageArray},
    {"loadArray", "loadArray", kV7LoadArray},
    {"processStatsArray", "processStatsArray", kV7ProcessStatsArray},
    {"hugePagesArray", "hugePagesArray", kV7HugePagesArray},
    {"machineCheckExceptionArray", "machineCheckExceptionArray", kV7MachineCheckExceptionArray},
    {"latencyDistribution", "latencyDistribution", kV7LatencyDistribution},
    {"codecUsageArray", "codecUsageArray", kV7CodecUsageArray},
};
constexpr ArrayInfo kV5Arrays[] = {
    {"cpuUsageArray", "cpuUsageArray", kV5CpuUsageArray},
    {"memoryUsageArray", "memoryUsageArray", kV5MemoryUsageArray},
    {"diskUsageArray", "diskUsageArray", kV5DiskUsageArray},
    {"nicPerformanceArray", "vNicPerformanceArray", kV5NicPerformanceArray},
    {"filesystemUsageArray", "filesystemUsageArray", kV5FilesystemUsageArray},
    {"latencyDistribution", "latencyDistribution", kV5LatencyDistribution},
    {"codecUsageArray", "codecUsageArray", kV5CodecUsageArray},
    // VES 7 turned featureUsageArray into a hashMap, so it is a record array on v5 only.
    {"featureUsageArray", "featureUsageArray", kV5FeatureUsageArray},
};

constexpr char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

const FieldInfo* find_in(std::span<const FieldInfo> fields, std::string_view name) noexcept {
  for (const auto& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::optional<std::string_view> canonical_in(std::span<const FieldInfo> fields, std::string_view spelled) noexcept {
  for (const auto& f : fields) {
    if (iequals(f.name, spelled) || iequals(f.wire(), spelled)) return f.name;
  }
  return std::nullopt;
}

}  // namespace

std::span<const ArrayInfo> measurement_arrays(Version version) noexcept {
  if (version == Version::v5) return kV5Arrays;
  return kV7Arrays;
}

const ArrayInfo* find_measurement_array(Version version, std::string_view array) noexcept {
  for (const auto& a : measurement_arrays(version)) {
    if (a.name == array) return &a;
  }
  return nullptr;
}

const FieldInfo* find_measurement_field(Version version, std::string_view array, std::string_view field) noexcept {
  const ArrayInfo* a = find_measurement_array(version, array);
  return a == nullptr ? nullptr : find_in(a->fields, field);
}

bool is_known_measurement_field(Version version, std::string_view array, std::string_view field) noexcept {
  return find_measurement_field(version, array, field) != nullptr;
}

std::vector<std::string_view> required_measurement_fields(Version version, std::string_view array) {
  std::vector<std::string_view> out;
  if (const ArrayInfo* a = find_measurement_array(version, array)) {
    for (const auto& f : a->fields) {
      if (f.must_supply()) out.push_back(f.name);
    }
  }
  return out;
}

std::span<const FieldInfo> measurement_scalars(Version version) noexcept {
  if (version == Version::v5) return kV5Scalars;
  return kV7Scalars;
}

const FieldInfo* find_measurement_scalar(Version version, std::string_view name) noexcept {
  return find_in(measurement_scalars(version), name);
}

std::optional<std::string_view> canonical_measurement_array(std::string_view spelled) noexcept {
  for (Version v : {Version::v7, Version::v5}) {
    for (const auto& a : measurement_arrays(v)) {
      if (iequals(a.name, spelled) || iequals(a.wire_name, spelled)) return a.name;
    }
  }
  return std::nullopt;
}

std::optional<std::string_view> canonical_measurement_field(std::string_view array,
                                                            std::string_view spelled) noexcept {
  for (Version v : {Version::v7, Version::v5}) {
    if (const ArrayInfo* a = find_measurement_array(v, array)) {
      if (auto name = canonical_in(a->fields, spelled)) return name;
    }
  }
  return std::nullopt;
}

std::optional<std::string_view> canonical_measurement_scalar(std::string_view spelled) noexcept {
  for (Version v : {Version::v7, Version::v5}) {
    if (auto name = canonical_in(measurement_scalars(v), spelled)) return name;
  }
  return std::nullopt;
}

}  // namespace vesagent::ves
