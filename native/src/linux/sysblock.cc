#include "sysblock.h"

#include <dirent.h>
#include <limits.h>
#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <set>
#include <sstream>

#include "fd.h"

namespace jobscope::linux_impl {

std::vector<BlockDevice> realBlockDevices() {
  std::vector<BlockDevice> out;
  DIR* d = ::opendir("/sys/block");
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    std::string base = "/sys/block/" + name;
    char target[PATH_MAX];
    ssize_t n = ::readlink(base.c_str(), target, sizeof target - 1);
    if (n > 0) {
      target[n] = 0;
      if (std::string(target).find("/virtual/") != std::string::npos) continue;  // loop, ram, zram, dm
    }
    std::string size, dev;
    if (!readFile(base + "/size", size) || std::strtoull(size.c_str(), nullptr, 10) == 0) continue;
    if (!readFile(base + "/dev", dev)) continue;
    while (!dev.empty() && (dev.back() == '\n' || dev.back() == ' ')) dev.pop_back();
    out.push_back({name, dev});
  }
  ::closedir(d);
  std::sort(out.begin(), out.end(), [](const BlockDevice& a, const BlockDevice& b) { return a.name < b.name; });
  return out;
}

// Since Linux 6.10 a disk's throttling data is set up only when a limit is first written for it, and until
// then the v1 counters of every cgroup stay at zero for that disk (v2's io.stat counts regardless). Writing
// "MAJ:MIN 0" (0 = no limit) sets it up and limits nothing; a disk already listed has a limit, so it is set
// up, and is left alone, as a write would replace that limit.
void enableV1IoAccounting(const std::string& blkioDir) {
  static std::mutex mu;
  static std::set<std::string> enabled;
  std::lock_guard<std::mutex> lock(mu);
  const std::string file = blkioDir + "/blkio.throttle.read_bps_device";
  std::string configured;
  if (!readFile(file, configured)) return;
  for (const BlockDevice& disk : realBlockDevices()) {
    if (enabled.count(disk.majMin)) continue;
    std::istringstream lines(configured);
    bool listed = false;
    for (std::string line; std::getline(lines, line);) listed = listed || line.rfind(disk.majMin + " ", 0) == 0;
    if (listed || writeFile(file, disk.majMin + " 0")) enabled.insert(disk.majMin);
  }
}

std::string deviceLabel(const std::string& majMin) {
  char target[PATH_MAX];
  std::string link = "/sys/dev/block/" + majMin;
  ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
  if (n <= 0) return majMin;
  target[n] = 0;
  std::string t = target;
  return majMin + " (" + t.substr(t.rfind('/') + 1) + ")";
}

}  // namespace jobscope::linux_impl
