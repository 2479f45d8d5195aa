#include "linux_job.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <functional>
#include <mutex>
#include <sstream>
#include <thread>

#include "cgroup_host.h"
#include "errors.h"
#include "parsers.h"
#include "procfs.h"
#include "sysblock.h"

extern char** environ;

namespace jobscope::linux_impl {
namespace {

KeptFile keep(const std::string& path, size_t initialCapacity = 512) {
  return KeptFile(openReadOnly(path), initialCapacity);
}

uint64_t readU64(KeptFile& file, bool& ok) {
  uint64_t value = 0;
  ok = file.valid() && file.read() && parseU64(file.text(), value);
  return value;
}


// Members' /proc/<pid>/stat fds kept open, over all jobs, and how many may be: half the soft
// RLIMIT_NOFILE (read once; Backend::create has raised it to the hard limit by then), so the
// per-job cgroup files, the poller's, and the rest of the process keep the other half. Past the
// budget a member's stat is read with open/read/close each tick instead: slower, never failing.
// The other half is not always enough (1000 jobs hold about 12,000 cgroup fds), so a kept fd is
// also refused past a ceiling of three quarters of the limit: fds are numbered lowest-free first,
// so a number that high means the table is that full. The budget then stays at what was kept.
std::atomic<size_t> memberFdsKept{0};
struct MemberFdLimits {
  std::atomic<size_t> budget;
  long ceiling;
};
MemberFdLimits& memberFdLimits() {
  static MemberFdLimits limits = [] {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return MemberFdLimits{512, 768};
    if (rl.rlim_cur == RLIM_INFINITY) return MemberFdLimits{static_cast<size_t>(1) << 20, 3l << 20};
    return MemberFdLimits{static_cast<size_t>(rl.rlim_cur / 2), static_cast<long>(rl.rlim_cur / 4 * 3)};
  }();
  return limits;
}

// deviceLabel() does a readlink in /sys per device; a sample needs the label every tick.
std::string cachedDeviceLabel(const std::string& majMin) {
  static std::mutex mu;
  static std::map<std::string, std::string> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(majMin);
  if (it != cache.end()) return it->second;
  std::string label = deviceLabel(majMin);
  if (cache.size() < 4096) cache.emplace(majMin, label);
  return label;
}

bool exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

// rmdir that tolerates the short window in which the kernel still counts an exited process:
// right after the last member exits, rmdir can fail with EBUSY for a few milliseconds. In a
// v1 mirror, what is left after that is killed (it can only be a straggler of this job).
// Returns 0 (removed or already gone) or the errno of the last attempt.
int removeCgroupDir(const std::string& dir, bool killLeftovers = false) {
  for (int attempt = 0;; ++attempt) {
    if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return 0;
    if (errno != EBUSY || attempt >= 20) return errno;
    if (killLeftovers) {
      std::string text;
      if (readFile(dir + "/cgroup.procs", text)) {
        for (int64_t pid : parsePids(text)) ::kill(static_cast<pid_t>(pid), SIGKILL);
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // bounded: ~1 s in all
  }
}

std::mutex registryMu;
std::map<uint32_t, std::string> registry;  // open jobs: id -> v2 path

// Windows weight 1..9 -> cpu.weight. 5 is Windows' normal and the kernel's default (100).
constexpr int64_t kWeights[9] = {10, 25, 50, 75, 100, 200, 400, 800, 1000};
constexpr uint64_t kPeriodUs = 100000;

std::optional<int64_t> weightFromKernel(uint64_t cpuWeight) {
  if (cpuWeight == 100) return std::nullopt;  // the default: no weight set
  int best = 0;
  for (int i = 1; i < 9; ++i) {
    if (std::llabs(kWeights[i] - static_cast<int64_t>(cpuWeight)) <
        std::llabs(kWeights[best] - static_cast<int64_t>(cpuWeight)))
      best = i;
  }
  return best + 1;
}

uint64_t cpuCount() {
  int n = get_nprocs();
  return n > 0 ? static_cast<uint64_t>(n) : 1;
}

std::optional<int64_t> rateFromQuota(uint64_t quota, uint64_t period) {
  if (period == 0) return std::nullopt;
  double rate = std::round(static_cast<double>(quota) * 10000.0 / static_cast<double>(cpuCount() * period));
  return static_cast<int64_t>(std::clamp(rate, 1.0, 10000.0));
}

void writeOrThrow(const std::string& path, const std::string& value, const std::string& what) {
  if (!writeFile(path, value)) throwErrno(errno, what + " (writing '" + value + "' to " + path + ")");
}

// The kernel-file writes of one setLimits call. Each write first reads what the file holds, so when a
// later write fails the earlier ones are put back (newest first) and the call changes nothing; the error
// names the limit that failed and what became of the ones before it. Restoring is best effort: a file
// that refuses its old value is named in the error, and keeps the new one.
class LimitWrites {
 public:
  explicit LimitWrites(std::string job) : job_(std::move(job)) {}

  // Writes `value` to `path` for `field`. `restore` turns the file's current text into what writes it
  // back; by default the text itself.
  void write(const std::string& field, const std::string& path, const std::string& value,
             const std::function<std::string(const std::string&)>& restore = trimmed) {
    const std::string what = "cannot set " + field + " of job " + job_;
    std::string before;
    if (!readFile(path, before)) fail(field, errno, what + " (reading " + path + " before changing it)");
    if (!writeFile(path, value)) fail(field, errno, what + " (writing '" + value + "' to " + path + ")");
    if (std::find(fields_.begin(), fields_.end(), field) == fields_.end()) fields_.push_back(field);
    done_.push_back({field, path, restore(before)});
  }

  static std::string trimmed(const std::string& text) {
    size_t end = text.find_last_not_of(" \n");
    return end == std::string::npos ? "" : text.substr(0, end + 1);
  }

  // The line of `text` for device `majMin` ("8:0 ..."), or `none` when the file has no line for it.
  static std::string deviceLine(const std::string& text, const std::string& majMin, const std::string& none) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
      if (line.compare(0, majMin.size() + 1, majMin + " ") == 0) return trimmed(line);
    }
    return none;
  }

 private:
  struct Done {
    std::string field, path, restore;
  };

  [[noreturn]] void fail(const std::string& field, int err, const std::string& what) {
    try {
      throwErrno(err, what);
    } catch (const Error& e) {
      std::string message = e.what();
      if (field == "memoryBytes" && err == EBUSY) {
        message += ", as the job uses more memory than that and the kernel could not reclaim enough";
      }
      throw Error(e.code(), message + rollBack(field));
    }
  }

  // Puts back every earlier write, newest first; says what that did.
  std::string rollBack(const std::string& failed) {
    std::vector<std::string> failures;
    for (auto it = done_.rbegin(); it != done_.rend(); ++it) {
      if (writeFile(it->path, it->restore)) continue;
      int err = errno;
      failures.push_back(it->field + " (writing '" + it->restore + "' back to " + it->path + ": " + errnoName(err) + ")");
    }
    std::vector<std::string> others;  // the limits this call had changed before the one that failed
    for (const auto& f : fields_) {
      if (f != failed) others.push_back(f);
    }
    auto list = [](const std::vector<std::string>& items) {
      std::string out;
      for (size_t i = 0; i < items.size(); ++i) out += (i == 0 ? "" : i + 1 == items.size() ? " and " : ", ") + items[i];
      return out;
    };
    if (!failures.empty()) {
      return "; undoing this call's earlier changes failed for " + list(failures) +
             (failures.size() == 1 ? ", which keeps its new value" : ", which keep their new values");
    }
    if (others.empty()) return "; nothing was changed";
    return "; " + list(others) + ", set before it in this call, " + (others.size() == 1 ? "was" : "were") +
           " restored, so nothing was changed";
  }

  std::string job_;
  std::vector<Done> done_;
  std::vector<std::string> fields_;  // the fields of done_, once each, in order
};

// v1 memory.limit_in_bytes reads back as PAGE_COUNTER_MAX pages when unlimited.
std::optional<int64_t> v1Bytes(uint64_t v) {
  if (v >= (1ull << 62)) return std::nullopt;
  return static_cast<int64_t>(v);
}

}  // namespace

std::map<std::string, uint32_t> heldJobPaths() {
  std::lock_guard<std::mutex> lock(registryMu);
  std::map<std::string, uint32_t> out;
  for (const auto& [id, path] : registry) out.emplace(path, id);  // the oldest holder wins
  return out;
}

LinuxJob::LinuxJob(LinuxJobParams params, std::shared_ptr<Poller> poller)
    : p_(std::move(params)), poller_(std::move(poller)) {
  procs_ = p_.v2 ? keep(p_.dir + "/cgroup.procs") : KeptFile::reopening(p_.dir + "/cgroup.procs");
  if (p_.v2) {
    cpuStat_ = keep(p_.dir + "/cpu.stat");
    events_ = keep(p_.dir + "/cgroup.events");
  } else if (p_.v1.count("cpuacct")) {
    cpuacctStat_ = keep(p_.v1.at("cpuacct") + "/cpuacct.stat", 64);
  }
  std::string text;
  if (readFile(p_.dir + "/cgroup.controllers", text)) {
    std::istringstream in(text);
    std::string c;
    while (in >> c) v2Controllers_.insert(c);
  }
  std::string memV1 = p_.v1.count("memory") ? p_.v1.at("memory") : "";
  if (p_.memorySource == "cgroup2") {
    memCurrent_ = keep(p_.dir + "/memory.current", 32);
    memPeak_ = keep(p_.dir + "/memory.peak", 32);  // missing before kernel 5.19
    memStat_ = keep(p_.dir + "/memory.stat", 2048);
  } else if (p_.memorySource == "cgroup1") {
    memCurrent_ = keep(memV1 + "/memory.usage_in_bytes", 32);
    memPeak_ = keep(memV1 + "/memory.max_usage_in_bytes", 32);
    memStat_ = keep(memV1 + "/memory.stat", 2048);
  }
  whereCpu_ = where("cpu");
  whereIo_ = where("io");
  whereFreezer_ = where("freezer");
  if (whereCpu_ == "v1") cpuStatV1_ = keep(p_.v1.at("cpu") + "/cpu.stat");
  if (whereIo_ == "v2") {
    ioStat_ = keep(p_.dir + "/io.stat");
  } else if (whereIo_ == "v1") {
    // The recursive variants count child cgroups (nested jobs) too; older kernels lack them.
    const std::string& d = p_.v1.at("blkio");
    enableV1IoAccounting(d);
    blkioBytes_ = keep(d + "/blkio.throttle.io_service_bytes_recursive");
    if (!blkioBytes_.valid()) blkioBytes_ = keep(d + "/blkio.throttle.io_service_bytes");
    blkioOps_ = keep(d + "/blkio.throttle.io_serviced_recursive");
    if (!blkioOps_.valid()) blkioOps_ = keep(d + "/blkio.throttle.io_serviced");
  }
  if (whereFreezer_ == "v1") freezerState_ = keep(p_.v1.at("freezer") + "/freezer.state", 32);
  PollerLimitFiles files;
  if (where("memory") == "v2") files.memoryEvents = p_.dir + "/memory.events";
  else if (where("memory") == "v1") files.v1MemoryDir = memV1;
  if (where("pids") == "v2") files.pidsEvents = p_.dir + "/pids.events";
  else if (where("pids") == "v1") files.pidsEvents = p_.v1.at("pids") + "/pids.events";
  // The poller re-reads cgroup.procs (reconcile) and cgroup.events (on inotify) through the same
  // fds the sampler reads; both live until poller_->remove() in close() or the destructor.
  poller_->add(p_.id, p_.dir, files, procs_.fd(), events_.fd());
  std::lock_guard<std::mutex> lock(registryMu);
  registry[p_.id] = p_.dir;
}

LinuxJob::~LinuxJob() {
  dropMemberFiles();
  // Dropped without close(): stop watching, but leave the cgroup (and its processes) alone.
  if (!closed_) {
    poller_->remove(p_.id);
    std::lock_guard<std::mutex> lock(registryMu);
    registry.erase(p_.id);
  }
}

std::string LinuxJob::where(const std::string& controller) const {
  if (controller == "freezer") {
    if (exists(p_.dir + "/cgroup.freeze")) return "v2";  // core v2 file, no controller needed
    return p_.v1.count("freezer") ? "v1" : "";
  }
  std::string v2name = controller == "blkio" ? "io" : controller;
  if (v2Controllers_.count(v2name)) return "v2";
  std::string v1name = controller == "io" ? "blkio" : controller;
  return p_.v1.count(v1name) ? "v1" : "";
}

void LinuxJob::checkOpen() const {
  if (closed_) throw Error("ECLOSED", "job " + p_.name + " is closed");
}

std::vector<std::string> LinuxJob::v1DirsUnique() const {
  std::vector<std::string> out;
  for (const auto& [c, dir] : p_.v1) {
    if (dir != p_.dir && std::find(out.begin(), out.end(), dir) == out.end()) out.push_back(dir);
  }
  return out;
}

std::vector<std::string> LinuxJob::procsFiles() const {
  std::vector<std::string> out{p_.dir + "/cgroup.procs"};
  for (const auto& dir : v1DirsUnique()) out.push_back(dir + "/cgroup.procs");
  return out;
}

bool LinuxJob::readPids(std::vector<int64_t>& pids) {
  if (!procs_.valid()) {
    errno = ENOENT;
    return false;
  }
  if (!procs_.read()) return false;
  parsePidsInto(procs_.text(), pids);
  return true;
}

void LinuxJob::assign(int64_t pid) {
  checkOpen();
  const std::string what = "cannot attach pid " + std::to_string(pid) + " to job " + p_.name;
  if (!writeFile(p_.dir + "/cgroup.procs", std::to_string(pid))) {
    int err = errno;
    if (err == EINVAL) {
      throw Error("EINVAL", what + ": the kernel refused to move it (a kernel thread or a "
                                  "process in the middle of exiting) (EINVAL)");
    }
    if (err == EBUSY) {
      throw Error("EBUSY", what + ": the cgroup has controllers enabled for child cgroups, "
                                  "so it cannot hold processes itself (EBUSY)");
    }
    throwErrno(err, what);
  }
  // The v1 mirrors carry the controllers v2 lacks here; forked children inherit every membership.
  for (const auto& dir : v1DirsUnique()) {
    if (!writeFile(dir + "/cgroup.procs", std::to_string(pid))) {
      throwErrno(errno, what + "'s v1 cgroup " + dir);
    }
  }
  poller_->noteAssigned(p_.id, pid);
}

std::vector<int64_t> LinuxJob::pids() {
  checkOpen();
  std::vector<int64_t> pids;
  if (!readPids(pids)) throwErrno(errno, "cannot list the processes of job " + p_.name);
  return pids;
}

// The readers below each read their files once; sample() calls each once per tick, so every
// file is read once per tick (cpu.stat and memory.stat serve two readers: see sample()).
ProcessorStats LinuxJob::readProcessor(const std::vector<int64_t>& pids, uint64_t seen) {
  ProcessorStats stats;
  // usage/user/system_usec are in cpu.stat even without the cpu controller enabled.
  if (cpuStat_.valid() && cpuStat_.read()) {
    findKeyValue(cpuStat_.text(), "user_usec", stats.userTimeUs);
    findKeyValue(cpuStat_.text(), "system_usec", stats.kernelTimeUs);
  } else if (cpuacctStat_.valid() && cpuacctStat_.read()) {  // v1 only: clock ticks
    uint64_t user = 0, system = 0;
    findKeyValue(cpuacctStat_.text(), "user", user);
    findKeyValue(cpuacctStat_.text(), "system", system);
    stats.userTimeUs = ticksToUs(user);
    stats.kernelTimeUs = ticksToUs(system);
  }
  stats.activeProcesses = pids.size();
  stats.totalProcesses = std::max<uint64_t>(seen, pids.size());
  return stats;
}

MemoryStats LinuxJob::readMemory(const std::vector<int64_t>& pids, const MemoryStats* previous) {
  MemoryStats stats;
  stats.source = p_.memorySource;
  if (p_.memorySource == "procfs") {
    for (int64_t pid : pids) {
      ProcStat st;
      if (readProcStat(pid, st)) stats.currentBytes += st.rssPages * pageSize();
    }
    procfsPeak_ = std::max(procfsPeak_, stats.currentBytes);
    stats.peakBytes = procfsPeak_;
    return stats;
  }
  bool ok = false;
  stats.currentBytes = readU64(memCurrent_, ok);
  if (ok && previous && previous->currentBytes == stats.currentBytes) {
    stats.peakBytes = previous->peakBytes;
    stats.anonBytes = previous->anonBytes;
    stats.fileBytes = previous->fileBytes;
    return stats;
  }
  uint64_t peak = readU64(memPeak_, ok);
  if (ok) stats.peakBytes = peak;
  if (memStat_.valid() && memStat_.read()) {
    // v1's own "rss"/"cache" exclude child cgroups; total_* are the hierarchical figures.
    bool v2 = p_.memorySource == "cgroup2";
    uint64_t anon = 0, file = 0;
    if (findKeyValue(memStat_.text(), v2 ? "anon" : "total_rss", anon)) stats.anonBytes = anon;
    if (findKeyValue(memStat_.text(), v2 ? "file" : "total_cache", file)) stats.fileBytes = file;
  }
  return stats;
}

uint64_t LinuxJob::readAnon(const std::vector<int64_t>& pids) {
  uint64_t anon = 0;
  if (p_.memorySource == "procfs") {
    for (int64_t pid : pids) {
      uint64_t bytes = 0;
      if (readRssAnon(pid, bytes)) anon += bytes;
    }
    return anon;
  }
  if (memStat_.valid() && memStat_.read()) {
    findKeyValue(memStat_.text(), p_.memorySource == "cgroup2" ? "anon" : "total_rss", anon);
  }
  return anon;
}

std::optional<CpuThrottling> LinuxJob::readThrottling() {
  if (whereCpu_ == "v2") {
    if (cpuStat_.valid() && cpuStat_.read()) return parseCpuThrottling(cpuStat_.text(), false);
  } else if (whereCpu_ == "v1") {
    if (cpuStatV1_.valid() && cpuStatV1_.read()) return parseCpuThrottling(cpuStatV1_.text(), true);
  }
  return std::nullopt;
}

std::optional<bool> LinuxJob::readFrozen() {
  frozenRead_ = std::nullopt;
  if (whereFreezer_ == "v2") {
    eventsChangesRead_ = poller_->eventsChanges(p_.id);  // before the read: a change after it is seen next time
    uint64_t frozen = 0;
    if (events_.valid() && events_.read() && findKeyValue(events_.text(), "frozen", frozen)) frozenRead_ = frozen != 0;
  } else if (whereFreezer_ == "v1") {
    if (freezerState_.valid() && freezerState_.read()) frozenRead_ = freezerState_.text().rfind("FROZEN", 0) == 0;
  }
  return frozenRead_;
}

ProcessorStats LinuxJob::processorStats() { return readProcessor(pids(), poller_->seenCount(p_.id)); }

MemoryStats LinuxJob::memoryStats() {
  std::vector<int64_t> list = pids();
  return readMemory(list);
}

uint64_t LinuxJob::privateWorkingSet() {
  std::vector<int64_t> list = pids();
  return readAnon(list);
}

// cgroup.kill kills, and cgroup.freeze stops, the whole subtree, so a job at or above init's or our own
// cgroup would take the system, or JobScope, down with it. (v1's kill loop and freezer reach only the job's
// own cgroup: refused alike, as one rule.)
void LinuxJob::refuseIfHoldsVitalProcess(const char* action, const char* consequence) const {
  std::string held;
  for (int64_t pid : {static_cast<int64_t>(1), static_cast<int64_t>(::getpid())}) {
    std::string dir = cgroupHost().treeDirOf(pid);
    if (dir.empty() || (dir != p_.dir && dir.rfind(p_.dir + "/", 0) != 0)) continue;
    held += held.empty() ? "" : " and ";
    held += pid == 1 ? "init (pid 1)" : "JobScope itself (pid " + std::to_string(pid) + ")";
  }
  if (!held.empty()) {
    throw Error("EPERM", std::string("refusing to ") + action + " job " + p_.name + ": its cgroup " + p_.dir +
                             " holds " + held + ", which would " + consequence + " (EPERM)");
  }
}

void LinuxJob::terminate(uint32_t /*exitCode: Linux cannot impose one*/) {
  checkOpen();
  refuseIfHoldsVitalProcess("terminate", "be killed with it");
  // A frozen job's members cannot die until thawed; SIGKILL them, then thaw.
  bool frozen = readFrozen().value_or(false);
  if (writeFile(p_.dir + "/cgroup.kill", "1")) {
    if (frozen) setFreeze(false);
    return;
  }
  int err = errno;
  // No cgroup.kill before kernel 5.14 or on v1: the file is missing although the cgroup is there.
  // Where the job can be frozen, it is first, so that no member forks while the kill goes round;
  // the SIGKILLs take effect at the thaw.
  if (err == ENOENT && ::access((p_.dir + "/cgroup.procs").c_str(), F_OK) == 0) {
    if (!where("freezer").empty()) {
      if (!frozen) setFreeze(true);
      std::vector<int64_t> list;
      if (readPids(list)) for (int64_t pid : list) ::kill(static_cast<pid_t>(pid), SIGKILL);
      setFreeze(false);
    }
    killLoop();
    return;
  }
  throwErrno(err, "cannot terminate job " + p_.name);
}

// SIGKILL every member until none is left; repeat because members can fork meanwhile.
void LinuxJob::killLoop() {
  for (int round = 0; round < 50; ++round) {
    std::vector<int64_t> list;
    if (!readPids(list)) throwErrno(errno, "cannot terminate job " + p_.name);
    if (list.empty()) return;
    for (int64_t pid : list) ::kill(static_cast<pid_t>(pid), SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw Error("EAGAIN", "cannot terminate job " + p_.name +
                            ": its processes kept forking faster than they could be killed (EAGAIN)");
}

void LinuxJob::discard() {
  poller_->remove(p_.id);
  {
    std::lock_guard<std::mutex> lock(registryMu);
    registry.erase(p_.id);
  }
  ::rmdir(p_.dir.c_str());
  for (const auto& dir : v1DirsUnique()) ::rmdir(dir.c_str());
  closed_ = true;
}

void LinuxJob::close() {
  checkOpen();
  if (p_.created) {
    std::vector<int64_t> list;
    bool readable = readPids(list);  // unreadable: the cgroup is gone, nothing to wait for
    auto busy = [&](size_t count) {
      return Error("EBUSY", "cannot close job " + p_.name + ": " + std::to_string(count) +
                                (count == 1 ? " process remains" : " processes remain") +
                                " in it; terminate the job first (EBUSY)");
    };
    if (readable && !list.empty()) throw busy(list.size());
    if (int err = removeCgroupDir(p_.dir)) {
      if (err == EBUSY && readPids(list) && !list.empty()) throw busy(list.size());
      if (err == EBUSY) {
        throw Error("EBUSY", "cannot close job " + p_.name + ": its cgroup " + p_.dir +
                                 " still holds child cgroups (EBUSY)");
      }
      throwErrno(err, "cannot remove the cgroup " + p_.dir + " of job " + p_.name);
    }
    // The mirrors held the same processes, all gone from v2 now; v1 reparents charges on rmdir.
    for (const auto& dir : v1DirsUnique()) {
      if (int err = removeCgroupDir(dir, true)) {
        throwErrno(err, "removed job " + p_.name + " but not its v1 cgroup " + dir);
      }
    }
  }
  poller_->remove(p_.id);
  {
    std::lock_guard<std::mutex> lock(registryMu);
    registry.erase(p_.id);
  }
  for (KeptFile* f : {&procs_, &cpuStat_, &cpuacctStat_, &memCurrent_, &memPeak_, &memStat_, &events_, &cpuStatV1_,
                      &ioStat_, &blkioBytes_, &blkioOps_, &freezerState_}) {
    f->reset();
  }
  dropMemberFiles();
  closed_ = true;
}

void LinuxJob::dropMemberFiles() {
  for (auto& [pid, m] : members_) {
    if (m.stat.valid()) --memberFdsKept;
  }
  members_.clear();
}

bool LinuxJob::readMember(int64_t pid, ProcStat& st) {
  auto it = members_.find(pid);
  if (it == members_.end()) {
    MemberFile m;
    MemberFdLimits& limits = memberFdLimits();
    if (memberFdsKept.load() < limits.budget.load()) {
      char path[32];
      std::snprintf(path, sizeof path, "/proc/%lld/stat", static_cast<long long>(pid));
      m.stat = KeptFile(Fd(::open(path, O_RDONLY | O_CLOEXEC)), 384);
      if (!m.stat.valid() && errno != EMFILE && errno != ENFILE) return false;  // exited (ENOENT)
      if (m.stat.valid() && m.stat.fd() >= limits.ceiling) {
        limits.budget = memberFdsKept.load();
        m.stat.reset();
      }
    }
    if (!m.stat.valid()) return readProcStat(pid, st);  // past the budget: open/read/close
    if (!m.stat.read() || !parseProcStat(m.stat.text(), st)) return false;
    m.startTicks = st.startTicks;
    m.tick = tick_;
    ++memberFdsKept;
    ++keptThisTick_;
    members_.emplace(pid, std::move(m));
    return true;
  }
  MemberFile& m = it->second;
  // ESRCH: the process behind this fd has exited (its pid may already be someone else's).
  if (!m.stat.read() || !parseProcStat(m.stat.text(), st) || st.startTicks != m.startTicks) {
    --memberFdsKept;
    members_.erase(it);
    return false;
  }
  m.tick = tick_;
  ++keptThisTick_;
  return true;
}

// One tick: every file kept open and read once (one pread each, see KeptFile), cpu.stat and
// memory.stat each serving both of their readers, and each member's /proc/<pid>/stat read through
// an fd kept while it lives. Cost per job: (cgroup files of the job) + (members) preads.
// A quiet job's figures stand still, so a quiet tick reads only what can move without the job's
// own processes running: cgroup.procs (processes can be moved in from outside), cpu.stat (to know
// whether it ran) and the memory charge (reclaim lowers it). The rest is re-read when:
//  - it ran (its CPU time or member list changed), and in the tick after (counters that settle
//    shortly after a run: throttled time is added when the period ends, throttled IO is
//    accounted when dispatched);
//  - the charge moved (memory.stat, the peak and the members' resident sets);
//  - v2 cgroup.events: inotify reported a change (freezing completes asynchronously);
//  - kFullReadMs passed (what the rules above cannot see: a v1 freezer, another process renaming
//    a member, IO submitted before and dispatched long after the run).
// v2 io.stat is read on every tick: writeback is charged to the cgroup long after the write.
constexpr double kFullReadMs = 10000;

JobSample LinuxJob::sample() {
  checkOpen();
  JobSample s;
  s.jobId = p_.id;
  s.time = nowMs();
  ++tick_;
  // A cgroup removed outside JobScope answers ENODEV through our open fd.
  if (!readPids(pidList_)) {
    s.gone = true;
    dropMemberFiles();
    haveLast_ = false;
    return s;
  }
  const std::vector<int64_t>& list = pidList_;
  s.processor = readProcessor(list, 0);  // reads cpu.stat; the total once the poller has the list
  const uint64_t cpuUs = s.processor.userTimeUs + s.processor.kernelTimeUs;
  const bool ran = cpuStat_.text().empty() || cpuUs != lastCpuUs_ || list != lastPids_;
  // The poller reconciles with this list instead of reading it again. Only cpu.stat's microseconds can
  // vouch that no member ran (a refused fork takes some; v1's cpuacct.stat counts 10 ms ticks).
  const Poller::SampleView view = poller_->sampled(p_.id, list, s.time, haveLast_ && !ran && cpuStat_.valid());
  s.processor.totalProcesses = std::max<uint64_t>(view.seen, list.size());
  const bool full = !haveLast_ || ran || ranLastTick_ || s.time - fullReadAt_ >= kFullReadMs;
  if (full) fullReadAt_ = s.time;
  ranLastTick_ = ran;
  lastCpuUs_ = cpuUs;
  lastPids_ = list;

  if (whereCpu_ == "v2") {
    if (!cpuStat_.text().empty()) s.cpuThrottling = parseCpuThrottling(cpuStat_.text(), false);
  } else {
    s.cpuThrottling = full ? readThrottling() : last_.cpuThrottling;
  }
  s.io = full || whereIo_ == "v2" ? ioStats() : last_.io;
  s.frozen = full || whereFreezer_ == "v1" || eventsMayHaveChanged(view.eventsChanges) ? readFrozen() : frozenRead_;

  const bool procfsMemory = p_.memorySource == "procfs";
  if (!procfsMemory) {
    s.memory = readMemory(list, full ? nullptr : &last_.memory);  // reads memory.stat, which also holds the anonymous bytes
    s.privateWorkingSetBytes = s.memory.anonBytes.value_or(0);
  }
  if (full || procfsMemory || s.memory.currentBytes != last_.memory.currentBytes) {
    readMembers(s, list);
  } else {
    s.processes = last_.processes;
  }
  if (procfsMemory) {
    uint64_t rssBytes = 0;
    for (const auto& m : s.processes) rssBytes += m.residentBytes;
    s.memory.source = p_.memorySource;
    s.memory.currentBytes = rssBytes;  // the members' stat, just read
    procfsPeak_ = std::max(procfsPeak_, rssBytes);
    s.memory.peakBytes = procfsPeak_;
    s.privateWorkingSetBytes = readAnon(list);
  }
  last_ = s;
  haveLast_ = true;
  return s;
}

bool LinuxJob::eventsMayHaveChanged(const std::optional<uint64_t>& changes) const {
  return !changes || changes != eventsChangesRead_;
}

void LinuxJob::readMembers(JobSample& s, const std::vector<int64_t>& list) {
  s.processes.reserve(list.size());
  keptThisTick_ = 0;
  for (int64_t pid : list) {
    ProcStat st;
    if (!readMember(pid, st)) continue;  // exited since cgroup.procs was read
    MemberProcess& m = s.processes.emplace_back();
    m.pid = pid;
    m.name = st.comm;
    m.cpuTimeUs = ticksToUs(st.utimeTicks + st.stimeTicks);
    m.residentBytes = st.rssPages * pageSize();
  }
  // Members no longer listed in cgroup.procs (gone, or moved elsewhere): close their fds.
  if (members_.size() > keptThisTick_) {
    for (auto it = members_.begin(); it != members_.end();) {
      if (it->second.tick == tick_) {
        ++it;
        continue;
      }
      if (it->second.stat.valid()) --memberFdsKept;
      it = members_.erase(it);
    }
  }
}

// ---- limits ----

std::string LinuxJob::unsupportedWhy(const std::string& field) const {
  if (field == "processMemoryBytes") {
    return "Linux limits the memory of the whole cgroup, not of each process; use memoryBytes";
  }
  if (field == "affinity") return "not supported on Linux yet (cpuset.cpus could carry it)";
  if (field == "killOnClose") {
    return "a cgroup does not kill its processes when JobScope lets go of it; call terminate() before close()";
  }
  std::string controller = field == "cpuRate" || field == "cpuWeight"          ? "cpu"
                           : field == "memoryBytes"                             ? "memory"
                           : field == "activeProcesses"                         ? "pids"
                           : field == "maxIops" || field == "maxBandwidthBytes" ? "io"
                                                                                : "";
  if (controller.empty()) return "";
  if (where(controller).empty()) {
    auto it = p_.missingWhy.find(controller);
    if (it != p_.missingWhy.end()) return it->second;
    return "the " + controller + " controller is not enabled for " + p_.dir + " and no v1 " +
           (controller == "io" ? "blkio" : controller) + " hierarchy is mounted";
  }
  if (controller == "io" && realBlockDevices().empty()) return "no real block device found in /sys/block";
  return "";
}

LimitsReport LinuxJob::limits() {
  checkOpen();
  LimitsReport r;
  for (const char* f : {"cpuRate", "cpuWeight", "memoryBytes", "processMemoryBytes", "activeProcesses", "maxIops",
                        "maxBandwidthBytes", "affinity", "killOnClose"}) {
    std::string why = unsupportedWhy(f);
    if (!why.empty()) r.unsupported.emplace_back(f, why);
  }
  std::string text;
  std::optional<uint64_t> v;
  // CPU
  std::string cpu = where("cpu");
  if (cpu == "v2") {
    if (readFile(p_.dir + "/cpu.max", text)) {
      std::istringstream in(text);
      std::string quota, period;
      in >> quota >> period;
      uint64_t per = 0;
      if (parseMaxValue(quota, v) && v && parseU64(period, per)) r.limits.cpuRate = rateFromQuota(*v, per);
    }
    uint64_t w = 0;
    if (readFile(p_.dir + "/cpu.weight", text) && parseU64(text, w)) r.limits.cpuWeight = weightFromKernel(w);
  } else if (cpu == "v1") {
    const std::string& d = p_.v1.at("cpu");
    std::string q, per;
    uint64_t period = 0;
    if (readFile(d + "/cpu.cfs_quota_us", q) && readFile(d + "/cpu.cfs_period_us", per) && parseU64(per, period)) {
      long long quota = std::strtoll(q.c_str(), nullptr, 10);
      if (quota > 0) r.limits.cpuRate = rateFromQuota(static_cast<uint64_t>(quota), period);
    }
    uint64_t shares = 0;
    if (readFile(d + "/cpu.shares", text) && parseU64(text, shares)) {
      r.limits.cpuWeight = weightFromKernel(static_cast<uint64_t>(std::llround(shares * 100.0 / 1024.0)));
    }
  }
  // memory
  std::string mem = where("memory");
  if (mem == "v2") {
    if (readFile(p_.dir + "/memory.max", text) && parseMaxValue(text, v) && v) r.limits.memoryBytes = *v;
  } else if (mem == "v1") {
    uint64_t bytes = 0;
    if (readFile(p_.v1.at("memory") + "/memory.limit_in_bytes", text) && parseU64(text, bytes)) {
      r.limits.memoryBytes = v1Bytes(bytes);
    }
  }
  // pids
  std::string pids = where("pids");
  if (!pids.empty()) {
    std::string dir = pids == "v2" ? p_.dir : p_.v1.at("pids");
    if (readFile(dir + "/pids.max", text) && parseMaxValue(text, v) && v) r.limits.activeProcesses = *v;
  }
  // io
  std::vector<BlockDevice> devices = realBlockDevices();
  for (const auto& d : devices) r.ioDevices.push_back(d.majMin + " (" + d.name + ")");
  std::string io = where("io");
  if (io == "v2" && !devices.empty() && readFile(p_.dir + "/io.max", text)) {
    IoMax m = parseIoMax(text);
    for (const auto& d : devices) {
      auto it = m.find(d.majMin);
      if (it == m.end()) continue;
      auto get = [&](const char* key) -> std::optional<int64_t> {
        auto k = it->second.find(key);
        if (k == it->second.end() || !k->second) return std::nullopt;
        return static_cast<int64_t>(*k->second);
      };
      r.limits.maxIops = get("riops");
      r.limits.maxBandwidthBytes = get("rbps");
      break;
    }
  } else if (io == "v1" && !devices.empty()) {
    const std::string& d = p_.v1.at("blkio");
    auto first = [&](const char* file) -> std::optional<int64_t> {
      std::string t;
      if (!readFile(d + "/" + file, t)) return std::nullopt;
      auto m = parseDeviceValues(t);
      for (const auto& dev : devices) {
        auto it = m.find(dev.majMin);
        if (it != m.end() && it->second > 0) return static_cast<int64_t>(it->second);
      }
      return std::nullopt;
    };
    r.limits.maxIops = first("blkio.throttle.read_iops_device");
    r.limits.maxBandwidthBytes = first("blkio.throttle.read_bps_device");
  }
  return r;
}

LimitsReport LinuxJob::setLimits(const LimitChanges& c) {
  checkOpen();
  // Refuse what cannot be set here before changing anything.
  auto refuse = [&](const char* field, bool wanted) {
    if (!wanted) return;
    std::string why = unsupportedWhy(field);
    if (!why.empty()) {
      throw Error("ENOTSUP", std::string("cannot set ") + field + " on job " + p_.name + ": " + why + " (ENOTSUP)");
    }
  };
  refuse("cpuRate", c.cpuRate.set);
  refuse("cpuWeight", c.cpuWeight.set);
  refuse("memoryBytes", c.memoryBytes.set);
  refuse("activeProcesses", c.activeProcesses.set);
  refuse("maxIops", c.maxIops.set);
  refuse("maxBandwidthBytes", c.maxBandwidthBytes.set);
  refuse("processMemoryBytes", c.processMemoryBytes.set && c.processMemoryBytes.value.has_value());
  refuse("affinity", c.affinity.set && c.affinity.value.has_value());
  refuse("killOnClose", c.killOnClose.set && c.killOnClose.value.value_or(false));

  LimitWrites writes(p_.name);
  if (c.cpuRate.set) {
    uint64_t quota = 0;
    if (c.cpuRate.value) {
      quota = static_cast<uint64_t>(std::llround(static_cast<double>(*c.cpuRate.value) / 10000.0 *
                                                 static_cast<double>(cpuCount() * kPeriodUs)));
      quota = std::max<uint64_t>(quota, 1000);  // the kernel's minimum quota is 1 ms
    }
    if (where("cpu") == "v2") {
      writes.write("cpuRate", p_.dir + "/cpu.max",
                   (c.cpuRate.value ? std::to_string(quota) : "max") + " " + std::to_string(kPeriodUs));
    } else {
      const std::string& d = p_.v1.at("cpu");
      writes.write("cpuRate", d + "/cpu.cfs_period_us", std::to_string(kPeriodUs));
      writes.write("cpuRate", d + "/cpu.cfs_quota_us", c.cpuRate.value ? std::to_string(quota) : "-1");
    }
  }
  if (c.cpuWeight.set) {
    int64_t weight = c.cpuWeight.value ? kWeights[*c.cpuWeight.value - 1] : 100;
    if (where("cpu") == "v2") writes.write("cpuWeight", p_.dir + "/cpu.weight", std::to_string(weight));
    else writes.write("cpuWeight", p_.v1.at("cpu") + "/cpu.shares", std::to_string(weight * 1024 / 100));
  }
  if (c.memoryBytes.set) {
    if (where("memory") == "v2") {
      writes.write("memoryBytes", p_.dir + "/memory.max",
                   c.memoryBytes.value ? std::to_string(*c.memoryBytes.value) : "max");
    } else {
      // Unlimited reads back as PAGE_COUNTER_MAX pages in bytes, which the kernel takes back as unlimited.
      writes.write("memoryBytes", p_.v1.at("memory") + "/memory.limit_in_bytes",
                   c.memoryBytes.value ? std::to_string(*c.memoryBytes.value) : "-1");
    }
  }
  if (c.activeProcesses.set) {
    std::string dir = where("pids") == "v2" ? p_.dir : p_.v1.at("pids");
    writes.write("activeProcesses", dir + "/pids.max",
                 c.activeProcesses.value ? std::to_string(*c.activeProcesses.value) : "max");
  }
  if (c.maxIops.set || c.maxBandwidthBytes.set) {
    // io.max takes both limits on one line, so a failure there names both when both were given.
    const std::string field = !c.maxBandwidthBytes.set ? "maxIops"
                              : !c.maxIops.set        ? "maxBandwidthBytes"
                                                      : "maxIops and maxBandwidthBytes";
    for (const auto& d : realBlockDevices()) {
      if (where("io") == "v2") {
        std::string line = d.majMin;
        if (c.maxIops.set) {
          std::string n = c.maxIops.value ? std::to_string(*c.maxIops.value) : "max";
          line += " riops=" + n + " wiops=" + n;
        }
        if (c.maxBandwidthBytes.set) {
          std::string n = c.maxBandwidthBytes.value ? std::to_string(*c.maxBandwidthBytes.value) : "max";
          line += " rbps=" + n + " wbps=" + n;
        }
        // A device without a line has no limits: "max" for all four puts that back.
        writes.write(field, p_.dir + "/io.max", line, [&](const std::string& text) {
          return LimitWrites::deviceLine(text, d.majMin, d.majMin + " rbps=max wbps=max riops=max wiops=max");
        });
      } else {
        const std::string& dir = p_.v1.at("blkio");
        // A device without a line has no limit there; 0 removes the rule again.
        auto previous = [&](const std::string& text) { return LimitWrites::deviceLine(text, d.majMin, d.majMin + " 0"); };
        if (c.maxIops.set) {
          std::string line = d.majMin + " " + (c.maxIops.value ? std::to_string(*c.maxIops.value) : "0");
          writes.write("maxIops", dir + "/blkio.throttle.read_iops_device", line, previous);
          writes.write("maxIops", dir + "/blkio.throttle.write_iops_device", line, previous);
        }
        if (c.maxBandwidthBytes.set) {
          std::string line =
              d.majMin + " " + (c.maxBandwidthBytes.value ? std::to_string(*c.maxBandwidthBytes.value) : "0");
          writes.write("maxBandwidthBytes", dir + "/blkio.throttle.read_bps_device", line, previous);
          writes.write("maxBandwidthBytes", dir + "/blkio.throttle.write_bps_device", line, previous);
        }
      }
    }
  }
  return limits();
}

IoStats LinuxJob::ioStats() {
  IoStats s;
  if (whereIo_ == "v2") {
    if (ioStat_.valid() && ioStat_.read()) return parseIoStat(ioStat_.text(), cachedDeviceLabel);
  } else if (whereIo_ == "v1") {
    if (blkioBytes_.valid() && blkioOps_.valid() && blkioBytes_.read() && blkioOps_.read()) {
      return parseBlkio(blkioBytes_.text(), blkioOps_.text(), cachedDeviceLabel);
    }
  }
  return s;  // tracking "unsupported"
}

// ---- freeze ----

void LinuxJob::setFreeze(bool frozen) {
  std::string w = where("freezer");
  const std::string what = std::string("cannot ") + (frozen ? "freeze" : "thaw") + " job " + p_.name;
  if (w.empty()) {
    throw Error("ENOTSUP", what + ": no cgroup.freeze (kernel < 5.2) and no v1 freezer hierarchy (ENOTSUP)");
  }
  if (w == "v2") writeOrThrow(p_.dir + "/cgroup.freeze", frozen ? "1" : "0", what);
  else writeOrThrow(p_.v1.at("freezer") + "/freezer.state", frozen ? "FROZEN" : "THAWED", what);
  // Freezing completes asynchronously: wait (bounded) until the kernel says it is done.
  for (int i = 0; i < 100; ++i) {
    if (readFrozen().value_or(frozen) == frozen) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void LinuxJob::freeze() {
  checkOpen();
  refuseIfHoldsVitalProcess("freeze", "stop with it");
  setFreeze(true);
}

void LinuxJob::thaw() {
  checkOpen();
  setFreeze(false);
}

// ---- launch ----

namespace {

// Resolves `file` like execvp would, before fork (so the child only calls async-signal-safe
// functions). Returns "" and sets err when nothing executable is found.
std::string resolveExecutable(const std::string& file, const std::string& pathVar, int& err) {
  if (file.find('/') != std::string::npos) return file;
  err = ENOENT;
  std::istringstream dirs(pathVar.empty() ? "/usr/local/bin:/usr/bin:/bin" : pathVar);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + file;
    if (::access(candidate.c_str(), X_OK) == 0) {
      struct stat st;
      if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode)) return candidate;
    } else if (errno == EACCES) {
      err = EACCES;
    }
  }
  return "";
}

struct LaunchRecord {
  int32_t kind;  // 1: the pid of the program (from the intermediate child); 2..4: a failure stage;
                 // 5: the program is in the job and waits to be let go
  int32_t value; // pid or errno
};
constexpr int32_t kStageJoin = 2, kStageCwd = 3, kStageExec = 4, kJoined = 5;

void writeRecord(int fd, int32_t kind, int32_t value) {
  LaunchRecord r{kind, value};
  ssize_t ignored = ::write(fd, &r, sizeof r);
  (void)ignored;
}

}  // namespace

int64_t LinuxJob::launch(const LaunchOptions& o) {
  checkOpen();
  const std::string what = "cannot launch " + o.file + " in job " + p_.name;
  std::string pathVar;
  if (o.env) {
    for (const auto& e : *o.env) {
      if (e.rfind("PATH=", 0) == 0) pathVar = e.substr(5);
    }
  } else if (const char* p = std::getenv("PATH")) {
    pathVar = p;
  }
  int err = 0;
  std::string exe = resolveExecutable(o.file, pathVar, err);
  if (exe.empty()) {
    throw Error(errnoName(err), what + ": " +
                                    (err == EACCES ? "permission denied" : "no such file in PATH") + " (" +
                                    errnoName(err) + ")");
  }
  // Everything the child needs, prepared before fork.
  std::vector<std::string> procs = procsFiles();
  std::vector<std::string> argStore{o.file};
  argStore.insert(argStore.end(), o.args.begin(), o.args.end());
  std::vector<char*> argv;
  for (auto& a : argStore) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> envStore = o.env ? *o.env : std::vector<std::string>{};
  std::vector<char*> envp;
  if (o.env) {
    for (auto& e : envStore) envp.push_back(e.data());
    envp.push_back(nullptr);
  }
  char* const* envArg = o.env ? envp.data() : environ;
  const char* cwd = o.cwd ? o.cwd->c_str() : nullptr;

  int fds[2], goFds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throwErrno(errno, what);
  Fd readEnd(fds[0]), writeEnd(fds[1]);
  // The program waits on this pipe until the poller knows it as a member: its forks are matched by
  // their parent, so a child forked before that would never be reported.
  if (::pipe2(goFds, O_CLOEXEC) != 0) throwErrno(errno, what);
  Fd goRead(goFds[0]), goWrite(goFds[1]);
  // Double fork: the program's parent exits at once, so the program is reparented to init
  // (or a subreaper) and never stays a zombie of JobScope.
  pid_t middle = ::fork();
  if (middle < 0) throwErrno(errno, what);
  if (middle == 0) {
    pid_t program = ::fork();
    if (program < 0) {
      writeRecord(fds[1], kStageJoin, errno);
      ::_exit(127);
    }
    if (program > 0) {
      writeRecord(fds[1], 1, program);
      ::_exit(0);
    }
    // The program: join the job ("0" = the writing process) before anything else runs.
    ::setsid();
    for (const auto& file : procs) {
      int fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0 || ::write(fd, "0", 1) != 1) {
        writeRecord(fds[1], kStageJoin, errno);
        ::_exit(127);
      }
      ::close(fd);
    }
    int null = ::open("/dev/null", O_RDWR);
    if (null >= 0) {
      ::dup2(null, 0);
      ::dup2(null, 1);
      ::dup2(null, 2);
      if (null > 2) ::close(null);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    if (cwd && ::chdir(cwd) != 0) {
      writeRecord(fds[1], kStageCwd, errno);
      ::_exit(127);
    }
    ::close(goFds[1]);
    writeRecord(fds[1], kJoined, 0);
    char go;
    while (::read(goFds[0], &go, 1) < 0 && errno == EINTR) {
    }
    ::execve(exe.c_str(), argv.data(), envArg);
    writeRecord(fds[1], kStageExec, errno);
    ::_exit(127);
  }
  writeEnd.reset();
  goRead.reset();
  int status = 0;
  while (::waitpid(middle, &status, 0) < 0 && errno == EINTR) {
  }
  pid_t program = 0;
  int32_t failStage = 0, failErr = 0;
  bool joined = false;
  // Reads records until `enough` says so or EOF, which comes when the program's exec succeeded
  // (CLOEXEC) or it exited.
  auto readRecords = [&](auto enough) {
    LaunchRecord r;
    while (!enough()) {
      ssize_t n = ::read(readEnd.get(), &r, sizeof r);
      if (n < 0 && errno == EINTR) continue;
      if (n != static_cast<ssize_t>(sizeof r)) break;
      if (r.kind == 1) program = r.value;
      else if (r.kind == kJoined) joined = true;
      else if (!failStage) failStage = r.kind, failErr = r.value;
    }
  };
  readRecords([&] { return failStage != 0 || (program > 0 && joined); });
  if (!failStage && program > 0 && joined) poller_->noteAssigned(p_.id, program);
  goWrite.reset();  // lets the program exec
  readRecords([] { return false; });
  if (failStage) {
    std::string stage = failStage == kStageJoin  ? "could not join the job's cgroups"
                        : failStage == kStageCwd ? "could not change to directory " + *o.cwd
                                                 : "could not execute " + exe;
    const char* name = nullptr;
    std::string why = (name = strerrordesc_np(failErr)) ? name : "error";
    if (!why.empty()) why[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(why[0])));
    throw Error(errnoName(failErr), what + ": " + stage + ": " + why + " (" + errnoName(failErr) + ")");
  }
  if (program <= 0) throw Error("EINTERNAL", what + ": the launcher exited without reporting the program's pid");
  return program;
}

std::shared_ptr<Job> LinuxJob::createChild(const std::optional<std::string>& name, const LimitChanges& limits) {
  checkOpen();
  JobParent parent;
  parent.dir = p_.dir;
  parent.v2 = p_.v2;
  parent.v1Dirs = p_.v1;
  return createJobUnder(parent, name, limits, poller_);
}

}  // namespace jobscope::linux_impl
