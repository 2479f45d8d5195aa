// Opening processes and reading what JobScope shows about each: name, CPU time, memory,
// command line, user. Every reader returns false / empty for a process it cannot read.
#pragma once

#include <windows.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "handle.h"

namespace jobscope::win {

// PROCESS_QUERY_INFORMATION where granted (Wine's IsProcessInJob needs it), else the LIMITED right
// (protected processes grant only that). Invalid handle when the pid cannot be opened at all.
Handle openForQuery(DWORD pid);

struct MemoryCounters {
  uint64_t workingSet = 0;
  uint64_t privateUsage = 0;  // commit charge
  bool hasPrivateWorkingSet = false;
  uint64_t privateWorkingSet = 0;
};
bool readCounters(HANDLE process, MemoryCounters& out);
bool readCpuTimeUs(HANDLE process, uint64_t& out);
// Full path of the executable (QueryFullProcessImageNameW); empty if unreadable.
std::string imagePath(HANDLE process);
// File name of the executable ("node.exe"); empty if unreadable.
std::string imageName(HANDLE process);
// In any job object at all. IsProcessInJob wants PROCESS_QUERY_INFORMATION under Wine (real Windows
// also takes the LIMITED right); false when it refuses.
bool inAnyJob(HANDLE process);
// Empty where Windows does not give it (before 8.1, protected processes, access denied).
std::string commandLine(HANDLE process);
// "DOMAIN\\user" of the process token; empty when the token cannot be read. `cache` maps SIDs
// already looked up (LookupAccountSid is slow), for one listing.
std::string processUser(HANDLE process, std::map<std::string, std::string>& cache);

struct SnapshotEntry {
  DWORD pid = 0;
  DWORD ppid = 0;
  std::string name;
};
// Every process of the system (Toolhelp); throws on failure.
std::vector<SnapshotEntry> snapshotProcesses();

// 100 ns units (FILETIME, job accounting) to microseconds.
inline uint64_t ticksToUs(uint64_t ticks) { return ticks / 10; }

}  // namespace jobscope::win
