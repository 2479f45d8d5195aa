// The seam between the N-API surface (addon.cc) and an OS backend (linux/, later win/).
// Everything here is plain C++: no N-API types, so a backend can be reasoned about (and built)
// without node. addon.cc checks JS arguments before it calls in; a backend reports OS failures by
// throwing jobscope::Error, which addon.cc turns into a JS Error with a `code` property.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace jobscope {

// An OS failure: `code` is an errno name ("ESRCH"), a Win32 error name, or one of ours
// ("ECLOSED", "ENOTCGROUP"); what() is a plain-words message naming the object.
class Error : public std::runtime_error {
 public:
  Error(std::string code, const std::string& message)
      : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const { return code_; }

 private:
  std::string code_;
};

struct ProcessorStats {
  uint64_t userTimeUs = 0;
  uint64_t kernelTimeUs = 0;
  uint64_t totalProcesses = 0;
  uint64_t activeProcesses = 0;
};

struct MemoryStats {
  uint64_t currentBytes = 0;
  std::optional<uint64_t> peakBytes;
  std::string source;  // "cgroup2" | "cgroup1" | "procfs" | "job-object"
  std::optional<uint64_t> anonBytes;
  std::optional<uint64_t> fileBytes;
};

// Limits in Windows' vocabulary (index.d.ts JobLimits); nullopt = no limit.
struct JobLimits {
  std::optional<int64_t> cpuRate;            // 1-10000
  std::optional<int64_t> cpuWeight;          // 1-9
  std::optional<int64_t> memoryBytes;
  std::optional<int64_t> processMemoryBytes;
  std::optional<int64_t> activeProcesses;
  std::optional<int64_t> maxIops;
  std::optional<int64_t> maxBandwidthBytes;
  std::optional<std::string> affinity;       // decimal 64-bit mask
  bool killOnClose = false;
};

// One field of a setLimits() call: `set` when the caller gave it; `value` empty = clear.
template <typename T>
struct LimitChange {
  bool set = false;
  std::optional<T> value;
};

// Already range-checked by addon.cc.
struct LimitChanges {
  LimitChange<int64_t> cpuRate, cpuWeight, memoryBytes, processMemoryBytes, activeProcesses, maxIops,
      maxBandwidthBytes;
  LimitChange<std::string> affinity;
  LimitChange<bool> killOnClose;
  bool any() const {
    return cpuRate.set || cpuWeight.set || memoryBytes.set || processMemoryBytes.set || activeProcesses.set ||
           maxIops.set || maxBandwidthBytes.set || affinity.set || killOnClose.set;
  }
};

struct LimitsReport {
  JobLimits limits;
  // field name (as in JobLimits) -> why it cannot be set here
  std::vector<std::pair<std::string, std::string>> unsupported;
  std::vector<std::string> ioDevices;  // "254:0 (vda)"
};

struct IoDeviceStats {
  std::string device;
  uint64_t readOps = 0, writeOps = 0, readBytes = 0, writeBytes = 0;
};

struct IoStats {
  std::string tracking = "unsupported";  // "on" | "off" | "unsupported"
  uint64_t readOps = 0, writeOps = 0, readBytes = 0, writeBytes = 0;
  std::vector<IoDeviceStats> devices;
};

struct CpuThrottling {
  uint64_t periods = 0, throttledPeriods = 0, throttledTimeUs = 0;
};

struct LaunchOptions {
  std::string file;
  std::vector<std::string> args;
  std::optional<std::string> cwd;
  std::optional<std::vector<std::string>> env;  // "KEY=value" entries
};

struct JobTreeEntry {
  std::string path;
  std::string name;
  std::optional<std::string> parent;
  uint64_t processCount = 0;
  std::optional<uint32_t> heldJobId;
  std::optional<std::string> note;  // Windows: why processCount is 0 / how the entry can (not) be opened
};

struct MemberProcess {
  int64_t pid = 0;
  std::string name;
  uint64_t cpuTimeUs = 0;
  uint64_t residentBytes = 0;
};

struct JobSample {
  uint32_t jobId = 0;
  double time = 0;  // ms since the epoch
  bool gone = false;
  ProcessorStats processor;
  MemoryStats memory;
  uint64_t privateWorkingSetBytes = 0;
  std::vector<MemberProcess> processes;
  std::optional<IoStats> io;
  std::optional<bool> frozen;
  std::optional<CpuThrottling> cpuThrottling;
};

struct ProcessInfo {
  int64_t pid = 0;
  int64_t ppid = 0;
  std::string name;
  std::string commandLine;
  std::string user;
  uint64_t residentBytes = 0;
  std::string group;
  std::string imagePath;  // '' when unreadable
  uint64_t cpuTimeUs = 0;  // user + kernel
  bool inJob = false;      // Windows: in any job; Linux: cgroup v2 path other than "/"
};

struct HostInfo {
  std::string platform;               // "linux" | "win32"
  std::optional<std::string> cgroup2Mount;
  std::optional<std::string> cgroupLayout;  // "unified" | "hybrid" | "legacy"
  std::string exitEvents;             // "netlink" | "pidfd" | "iocp"
  std::optional<uint64_t> kernelEventsDropped;  // Linux: Poller::kernelEventsDropped()
  std::string memorySource;
  // Linux: controller -> "v2" | "v1" | "none" (empty on Windows).
  std::vector<std::pair<std::string, std::string>> controllers;
};

struct Notification {
  std::string kind;  // NotificationKind of index.d.ts
  uint32_t jobId = 0;
  int64_t pid = 0;
  double time = 0;
  std::optional<int64_t> exitCode;
  std::optional<int64_t> signal;
  // NOTIFICATIONS_LOST: this job's notifications dropped before delivery (exact), or the proc
  // connector messages the kernel dropped, host-wide (an overrun).
  std::optional<uint64_t> lost;
  std::optional<uint64_t> kernelEventsDropped;
};

// Called on the backend's poller thread with events in the order they happened.
using NotificationSink = std::function<void(std::vector<Notification>&&)>;

class Job {
 public:
  virtual ~Job() = default;
  virtual uint32_t id() const = 0;
  virtual const std::string& name() const = 0;
  virtual const std::string& path() const = 0;
  virtual bool created() const = 0;
  virtual bool closed() const = 0;

  // pid is already checked to be an integer in 1..4194304.
  virtual void assign(int64_t pid) = 0;
  virtual std::vector<int64_t> pids() = 0;
  virtual ProcessorStats processorStats() = 0;
  virtual MemoryStats memoryStats() = 0;
  virtual uint64_t privateWorkingSet() = 0;
  virtual void terminate(uint32_t exitCode) = 0;
  virtual void close() = 0;
  // Never throws for a job whose OS object disappeared: the sample says gone.
  virtual JobSample sample() = 0;

  virtual LimitsReport limits() = 0;
  // Changes only the fields that are set; throws (ENOTSUP naming the field) for a non-null
  // value of an unsupported field before changing anything.
  virtual LimitsReport setLimits(const LimitChanges& changes) = 0;
  virtual IoStats ioStats() = 0;
  virtual void enableIoTracking() = 0;
  // file/args/cwd already checked to be strings without NUL bytes. Returns the pid.
  virtual int64_t launch(const LaunchOptions& options) = 0;
  virtual void freeze() = 0;
  virtual void thaw() = 0;
  virtual std::shared_ptr<Job> createChild(const std::optional<std::string>& name, const LimitChanges& limits) = 0;
};

// Options of createJob/openJob beyond the name and parent; each says where it applies.
struct JobOptions {
  bool useNtVariant = false;  // Windows: NtCreateJobObject/NtOpenJobObject instead of the Win32 calls
};

class Backend {
 public:
  virtual ~Backend() = default;
  // The backend of the OS this addon was built for.
  static std::unique_ptr<Backend> create(NotificationSink sink);

  virtual HostInfo hostInfo() = 0;
  // name: already validated when present (Linux: 1-64 of [A-Za-z0-9._-], not "." / "..";
  // Windows: 1-260 UTF-16 units, no NUL, a backslash only after a Local/Global prefix).
  virtual std::shared_ptr<Job> createJob(const std::optional<std::string>& name,
                                         const std::optional<std::string>& parent,
                                         const LimitChanges& limits, const JobOptions& options) = 0;
  // path: a cgroup path on Linux, the job object's name on Windows (validated like a name there).
  virtual std::shared_ptr<Job> openJob(const std::string& path, const JobOptions& options) = 0;
  // The two whole-system listings (here ~60 ms for 2000 processes, 50-220 ms for 2200-4200 cgroups) come in
  // two halves so that they do not hold the event loop: the call, on the JS thread, copies what the listing
  // needs of the state the JS thread changes (our open jobs) and returns the listing, which addon.cc runs
  // on a libuv worker thread. A listing touches only its copies and what is safe from any thread.
  template <typename T>
  using Listing = std::function<std::vector<T>()>;
  virtual Listing<ProcessInfo> listProcesses() = 0;
  virtual Listing<JobTreeEntry> listJobs() = 0;

  // Test-only hooks onto the pure parsers of kernel files (index.d.ts __test). A backend
  // without such parsers leaves the defaults, which throw ENOTSUP.
  virtual IoStats testParseIoStat(const std::string& /*text*/, const std::string& /*format*/) {
    throw Error("ENOTSUP", "no io.stat parser on this OS");
  }
  // nullopt for "max"; throws EINVAL for text that is neither a number nor "max".
  virtual std::optional<uint64_t> testParseMax(const std::string& /*text*/) {
    throw Error("ENOTSUP", "no limit-file parser on this OS");
  }
  virtual CpuThrottling testParseCpuStat(const std::string& /*text*/, const std::string& /*format*/) {
    throw Error("ENOTSUP", "no cpu.stat parser on this OS");
  }
  // Starts the notification thread if it is not running (idempotent).
  virtual void startPoller() = 0;
  // Stops and joins it (idempotent). Jobs stay usable.
  virtual void stopPoller() = 0;
};

}  // namespace jobscope
