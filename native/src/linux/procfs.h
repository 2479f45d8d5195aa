// Reading processes from /proc. Every reader tolerates a process vanishing mid-read by
// returning false, so callers simply skip it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "../backend.h"

namespace jobscope::linux_impl {

struct ProcStat {
  std::string comm;
  char state = '?';
  int64_t ppid = 0;
  uint64_t utimeTicks = 0;
  uint64_t stimeTicks = 0;
  uint64_t rssPages = 0;
  uint64_t startTicks = 0;  // field 22: with the pid, names one process (pids are reused)
};

bool readProcStat(int64_t pid, ProcStat& out);
// Parses the text of /proc/<pid>/stat without allocating (comm fits std::string's small buffer).
bool parseProcStat(const std::string& text, ProcStat& out);
// RssAnon of /proc/<pid>/status, in bytes.
bool readRssAnon(int64_t pid, uint64_t& bytes);
uint64_t ticksToUs(uint64_t ticks);
uint64_t pageSize();

// Whitespace-separated pids (cgroup.procs).
std::vector<int64_t> parsePids(const std::string& text);
// The same into `pids`, reusing its storage (the sampler's hot path).
void parsePidsInto(const std::string& text, std::vector<int64_t>& pids);

// The process's cgroup path relative to a hierarchy's root: cgroup2's when `v1Controller` is "", else
// that of the v1 hierarchy carrying `v1Controller` ("" when it has none there).
bool readGroup(int64_t pid, const std::string& v1Controller, std::string& group);

// Every process in /proc, with its group in the hierarchy of `treeController` (readGroup).
std::vector<ProcessInfo> listAllProcesses(const std::string& treeController);

}  // namespace jobscope::linux_impl
