// The host's real block devices (what IO limits apply to), from /sys/block.
#pragma once

#include <string>
#include <vector>

namespace jobscope::linux_impl {

struct BlockDevice {
  std::string name;    // "vda"
  std::string majMin;  // "254:0"
};

// Disks with a device behind them: not loop, ram, zram or other virtual devices, not empty.
std::vector<BlockDevice> realBlockDevices();
// Makes the v1 blkio.throttle.io_service* counters count on every real disk, through the blkio cgroup
// `blkioDir`, without limiting anything. Once per disk per process; failures leave the counters as they were.
void enableV1IoAccounting(const std::string& blkioDir);
// "254:0" -> "254:0 (vda)"; just "254:0" when unknown.
std::string deviceLabel(const std::string& majMin);

}  // namespace jobscope::linux_impl
