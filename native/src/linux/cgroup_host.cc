#include "cgroup_host.h"

#include <unistd.h>

#include <sstream>
#include <vector>

#include "fd.h"
#include "procfs.h"

namespace jobscope::linux_impl {
namespace {

// mountinfo escapes blanks and backslashes in paths as \ooo octal.
std::string unescapeOctal(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      int v = 0;
      bool ok = true;
      for (size_t k = 1; k <= 3; ++k) {
        char c = s[i + k];
        if (c < '0' || c > '7') ok = false;
        v = v * 8 + (c - '0');
      }
      if (ok) {
        out.push_back(static_cast<char>(v));
        i += 3;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

std::vector<std::string> splitWords(const std::string& line, char sep) {
  std::vector<std::string> words;
  std::string word;
  std::istringstream in(line);
  while (std::getline(in, word, sep)) words.push_back(word);
  return words;
}

bool hasToken(const std::string& commaList, const std::string& token) {
  for (const auto& t : splitWords(commaList, ',')) {
    if (t == token) return true;
  }
  return false;
}

// mount point + (our path relative to the mount's root). A cgroup namespace or bind mount can
// make the mount's root something other than "/".
std::string joinMount(const std::string& mountPoint, const std::string& mountRoot,
                      const std::string& ownPath) {
  std::string rel = ownPath;
  if (mountRoot != "/" && rel.compare(0, mountRoot.size(), mountRoot) == 0) {
    rel = rel.substr(mountRoot.size());
  } else if (mountRoot != "/") {
    rel = "";  // we are outside what is mounted: use the mount itself
  }
  if (rel == "/") rel = "";
  return mountPoint + rel;
}

CgroupHost detect() {
  CgroupHost host;
  std::string v2Root, v1MemPoint, v1MemRoot;
  struct V1Mount { std::string point, root; std::vector<std::string> controllers; };
  std::vector<V1Mount> v1Mounts;
  std::string mountinfo;
  if (readFile("/proc/self/mountinfo", mountinfo)) {
    std::istringstream lines(mountinfo);
    std::string line;
    while (std::getline(lines, line)) {
      // id parent maj:min root mountpoint options [optional...] - fstype source superoptions
      auto words = splitWords(line, ' ');
      size_t dash = 0;
      while (dash < words.size() && words[dash] != "-") ++dash;
      if (dash < 5 || dash + 3 > words.size()) continue;
      const std::string& fstype = words[dash + 1];
      std::string root = unescapeOctal(words[3]);
      std::string point = unescapeOctal(words[4]);
      if (fstype == "cgroup2" && host.cgroup2Mount.empty()) {
        host.cgroup2Mount = point;
        v2Root = root;
      } else if (fstype == "cgroup") {
        host.anyV1 = true;
        V1Mount m{point, root, {}};
        for (const auto& opt : splitWords(words[dash + 3], ',')) {
          if (opt != "rw" && opt != "ro" && opt.find('=') == std::string::npos) m.controllers.push_back(opt);
        }
        v1Mounts.push_back(std::move(m));
        if (v1MemPoint.empty() && hasToken(words[dash + 3], "memory")) {
          v1MemPoint = point;
          v1MemRoot = root;
        }
      }
    }
  }
  std::string cgroups;
  if (readFile("/proc/self/cgroup", cgroups)) {
    std::istringstream lines(cgroups);
    std::string line;
    while (std::getline(lines, line)) {
      // hierarchy-id:controller-list:path
      size_t a = line.find(':');
      size_t b = a == std::string::npos ? a : line.find(':', a + 1);
      if (b == std::string::npos) continue;
      std::string controllers = line.substr(a + 1, b - a - 1);
      std::string path = line.substr(b + 1);
      if (line.compare(0, a, "0") == 0 && controllers.empty() && !host.cgroup2Mount.empty()) {
        host.ownV2Dir = joinMount(host.cgroup2Mount, v2Root, path);
      } else {
        if (!v1MemPoint.empty() && hasToken(controllers, "memory")) {
          host.v1MemoryDir = joinMount(v1MemPoint, v1MemRoot, path);
        }
        for (const auto& m : v1Mounts) {
          for (const auto& c : m.controllers) {
            if (hasToken(controllers, c) && !host.v1Dirs.count(c)) {
              host.v1Dirs[c] = joinMount(m.point, m.root, path);
              host.v1Mounts[c] = m.point;
            }
          }
        }
      }
    }
  }
  if (!host.cgroup2Mount.empty() && host.ownV2Dir.empty()) host.ownV2Dir = host.cgroup2Mount;
  host.treeMount = host.cgroup2Mount;
  host.jobsBaseDir = host.ownV2Dir;
  // v1 only: memory names the jobs where mounted (its figures are the ones shown first), else the
  // first other controller we use.
  for (const char* c : kV1Controllers) {
    if (!host.treeMount.empty() || host.v1Dir(c).empty()) continue;
    host.treeController = c;
    host.treeMount = host.v1Mounts.at(c);
    host.jobsBaseDir = host.v1Dir(c);
  }
  std::string leafSuffix = std::string("/") + kServiceLeaf;
  if (host.ownV2Dir.size() > leafSuffix.size() &&
      host.ownV2Dir.compare(host.ownV2Dir.size() - leafSuffix.size(), leafSuffix.size(), leafSuffix) == 0) {
    host.jobsBaseDir = host.ownV2Dir.substr(0, host.ownV2Dir.size() - leafSuffix.size());
  }
  return host;
}

}  // namespace

std::string CgroupHost::layout() const {
  if (cgroup2Mount.empty()) return "legacy";
  return anyV1 ? "hybrid" : "unified";
}

std::string CgroupHost::defaultParent() const { return jobsBaseDir + "/jobscope"; }

bool CgroupHost::insideTree(const std::string& path) const {
  if (treeMount.empty()) return false;
  if (path == treeMount) return true;
  return path.size() > treeMount.size() && path.compare(0, treeMount.size(), treeMount) == 0 &&
         path[treeMount.size()] == '/';
}

std::string CgroupHost::relativeTree(const std::string& path) const {
  return insideTree(path) ? path.substr(treeMount.size()) : "";
}

std::string CgroupHost::treeDirOf(int64_t pid) const {
  std::string group;
  if (treeMount.empty() || !readGroup(pid, treeController, group) || group.empty()) return "";
  return group == "/" ? treeMount : treeMount + group;
}

const CgroupHost& cgroupHost() {
  static const CgroupHost host = detect();  // thread-safe static init
  return host;
}

bool hasController(const std::string& dir, const std::string& controller) {
  std::string text;
  if (!readFile(dir + "/cgroup.controllers", text)) return false;
  std::istringstream words(text);
  std::string word;
  while (words >> word) {
    if (word == controller) return true;
  }
  return false;
}

bool isHierarchyRoot(const std::string& dir) { return ::access((dir + "/cgroup.type").c_str(), F_OK) != 0; }

bool holdsProcesses(const std::string& dir) {
  std::string text;
  if (!readFile(dir + "/cgroup.procs", text)) return false;
  return text.find_first_of("0123456789") != std::string::npos;
}

}  // namespace jobscope::linux_impl
