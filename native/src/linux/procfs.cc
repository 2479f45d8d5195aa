#include "procfs.h"

#include <dirent.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <sstream>

#include "fd.h"

namespace jobscope::linux_impl {

bool parseProcStat(const std::string& text, ProcStat& out) {
  // "pid (comm) state ppid ..."; comm may itself hold ") ", so split at the LAST ')'.
  size_t open = text.find('(');
  size_t close = text.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return false;
  out.comm.assign(text, open + 1, close - open - 1);
  // Fields 3.. follow; walk them in place: f is the proc(5) field number of the word at p.
  const char* p = text.c_str() + close + 1;
  const char* end = text.c_str() + text.size();
  int f = 2;
  while (p < end && f < 24) {
    while (p < end && *p == ' ') ++p;
    if (p >= end || *p == '\n') break;
    ++f;
    const char* word = p;
    while (p < end && *p != ' ' && *p != '\n') ++p;
    switch (f) {
      case 3: out.state = *word; break;
      case 4: out.ppid = std::strtoll(word, nullptr, 10); break;
      case 14: out.utimeTicks = std::strtoull(word, nullptr, 10); break;
      case 15: out.stimeTicks = std::strtoull(word, nullptr, 10); break;
      case 22: out.startTicks = std::strtoull(word, nullptr, 10); break;
      case 24: out.rssPages = std::strtoull(word, nullptr, 10); break;
      default: break;
    }
  }
  return f >= 24;
}

bool readProcStat(int64_t pid, ProcStat& out) {
  std::string text;
  if (!readFile("/proc/" + std::to_string(pid) + "/stat", text)) return false;
  return parseProcStat(text, out);
}

bool readRssAnon(int64_t pid, uint64_t& bytes) {
  std::string text;
  if (!readFile("/proc/" + std::to_string(pid) + "/status", text)) return false;
  size_t pos = text.find("\nRssAnon:");
  if (pos == std::string::npos) {
    bytes = 0;  // kernel threads have no memory lines
    return true;
  }
  bytes = std::strtoull(text.c_str() + pos + 9, nullptr, 10) * 1024;  // "NNN kB"
  return true;
}

uint64_t ticksToUs(uint64_t ticks) {
  static const long hz = sysconf(_SC_CLK_TCK);
  return hz > 0 ? ticks * 1000000ull / static_cast<uint64_t>(hz) : 0;
}

uint64_t pageSize() {
  static const long size = sysconf(_SC_PAGESIZE);
  return size > 0 ? static_cast<uint64_t>(size) : 4096;
}

void parsePidsInto(const std::string& text, std::vector<int64_t>& pids) {
  pids.clear();
  const char* p = text.c_str();
  char* end = nullptr;
  for (;;) {
    long long v = std::strtoll(p, &end, 10);
    if (end == p) break;
    if (v > 0) pids.push_back(v);
    p = end;
  }
}

std::vector<int64_t> parsePids(const std::string& text) {
  std::vector<int64_t> pids;
  parsePidsInto(text, pids);
  return pids;
}

namespace {

std::string userName(uid_t uid, std::map<uid_t, std::string>& cache) {
  auto it = cache.find(uid);
  if (it != cache.end()) return it->second;
  std::string name = std::to_string(uid);  // unknown uid: show the number
  long bufSize = sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buf(bufSize > 0 ? static_cast<size_t>(bufSize) : 16384);
  struct passwd pw;
  struct passwd* result = nullptr;
  if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &result) == 0 && result) name = pw.pw_name;
  cache.emplace(uid, name);
  return name;
}

// Target of /proc/<pid>/exe; '' for kernel threads (ENOENT), other users' processes (EACCES),
// processes gone meanwhile, and paths too long for the buffer.
std::string readExe(const std::string& base) {
  char path[4096];
  ssize_t n = readlink((base + "/exe").c_str(), path, sizeof path);
  if (n <= 0 || static_cast<size_t>(n) >= sizeof path) return "";
  return std::string(path, static_cast<size_t>(n));
}

}  // namespace

bool readGroup(int64_t pid, const std::string& v1Controller, std::string& group) {
  std::string cgroup;
  if (!readFile("/proc/" + std::to_string(pid) + "/cgroup", cgroup)) return false;
  group.clear();
  std::istringstream lines(cgroup);
  std::string line;
  while (std::getline(lines, line)) {
    // hierarchy-id:controller-list:path; cgroup2's line is "0::path".
    size_t a = line.find(':');
    size_t b = a == std::string::npos ? a : line.find(':', a + 1);
    if (b == std::string::npos) continue;
    bool match = false;
    if (v1Controller.empty()) {
      match = a == 1 && line[0] == '0' && b == a + 1;
    } else {
      std::istringstream controllers(line.substr(a + 1, b - a - 1));
      std::string c;
      while (!match && std::getline(controllers, c, ',')) match = c == v1Controller;
    }
    if (match) {
      group = line.substr(b + 1);
      break;
    }
  }
  return true;
}

std::vector<ProcessInfo> listAllProcesses(const std::string& treeController) {
  std::vector<ProcessInfo> list;
  std::unique_ptr<DIR, int (*)(DIR*)> dir(opendir("/proc"), closedir);
  if (!dir) return list;
  std::map<uid_t, std::string> users;
  while (struct dirent* entry = readdir(dir.get())) {
    char* end = nullptr;
    long long pid = std::strtoll(entry->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    std::string base = "/proc/" + std::string(entry->d_name);
    ProcStat st;
    if (!readProcStat(pid, st)) continue;  // exited meanwhile
    ProcessInfo info;
    info.pid = pid;
    info.ppid = st.ppid;
    info.name = st.comm;
    info.residentBytes = st.rssPages * pageSize();
    info.cpuTimeUs = ticksToUs(st.utimeTicks + st.stimeTicks);
    info.imagePath = readExe(base);
    std::string cmdline;
    if (!readFile(base + "/cmdline", cmdline)) continue;
    while (!cmdline.empty() && cmdline.back() == '\0') cmdline.pop_back();
    for (char& c : cmdline) {
      if (c == '\0') c = ' ';
    }
    info.commandLine = cmdline.empty() ? "[" + st.comm + "]" : cmdline;  // kernel threads
    std::string status;
    if (!readFile(base + "/status", status)) continue;
    size_t uidPos = status.find("\nUid:");
    uid_t uid = uidPos == std::string::npos
                    ? 0
                    : static_cast<uid_t>(std::strtoul(status.c_str() + uidPos + 5, nullptr, 10));
    info.user = userName(uid, users);
    // The group in the hierarchy job paths are in (cgroup2, or on v1-only hosts the tree's v1 one).
    if (!readGroup(pid, treeController, info.group)) continue;
    info.inJob = !info.group.empty() && info.group != "/";
    list.push_back(std::move(info));
  }
  return list;
}

}  // namespace jobscope::linux_impl
