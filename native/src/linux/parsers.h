// Pure parsers of cgroup files: text in, values out, no I/O, so they can be fed torn or odd
// contents in tests (index.d.ts __test). Every parser reads by key and skips what it cannot
// understand rather than failing the whole file.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "../backend.h"

namespace jobscope::linux_impl {

// A limit file's value: "max" (v2) -> nullopt (no limit). false for anything else that is not a
// whole number, so a torn read is never taken for a limit.
bool parseMaxValue(const std::string& text, std::optional<uint64_t>& out);

// v2 io.stat: "MAJ:MIN rbytes=.. wbytes=.. rios=.. wios=.. dbytes=.. dios=..", one line per
// device. Devices are labelled by `label` (e.g. "254:0 (vda)"); lines without a MAJ:MIN or
// without any known key are skipped; missing keys count 0.
IoStats parseIoStat(const std::string& text, std::string (*label)(const std::string& majMin));
// v1 blkio.throttle.io_service_bytes(_recursive) and io_serviced(_recursive):
// "MAJ:MIN Read N" / "MAJ:MIN Write N" / ... / "Total N".
IoStats parseBlkio(const std::string& bytesText, const std::string& opsText,
                   std::string (*label)(const std::string& majMin));

// cpu.stat throttling: v2 nr_periods/nr_throttled/throttled_usec; v1 throttled_time is in ns.
// nullopt when the file has none of the keys (no cpu controller).
std::optional<CpuThrottling> parseCpuThrottling(const std::string& text, bool v1);

// v2 io.max: per device, key -> value (nullopt = "max").
using IoMax = std::map<std::string, std::map<std::string, std::optional<uint64_t>>>;
IoMax parseIoMax(const std::string& text);
// v1 blkio.throttle.*_device: "MAJ:MIN N" -> N.
std::map<std::string, uint64_t> parseDeviceValues(const std::string& text);

// Whether `s` is a MAJ:MIN device number.
bool isMajMin(const std::string& s);

}  // namespace jobscope::linux_impl
