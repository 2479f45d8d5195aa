// Backend::create for Windows: creating and opening job objects (Win32 or NT calls) and host-wide queries.
#include <windows.h>

#include <atomic>
#include <map>
#include <memory>

#include "../backend.h"
#include "errors.h"
#include "iocp_poller.h"
#include "job_list.h"
#include "nt_api.h"
#include "processes.h"
#include "win_job.h"

namespace jobscope {
namespace win {
namespace {

std::atomic<uint32_t> nextJobId{1};  // never reused for the life of the addon; also the completion key

// Rights to ask for when opening an existing job, best first: a job made by another user (or a
// service) may grant only some, and a job we can only query is still worth watching.
constexpr ACCESS_MASK kOpenRights[] = {
    JOB_OBJECT_ALL_ACCESS,
    JOB_OBJECT_QUERY | JOB_OBJECT_SET_ATTRIBUTES,
    JOB_OBJECT_QUERY,
};

// The directory Win32 resolves named objects in (BaseGetNamedObjectDirectory): the session's
// BaseNamedObjects, whose "Local" and "Global" links make those prefixes mean what they mean
// to CreateJobObjectW.
Handle namedObjectDirectory(const std::string& what) {
  const NtApi& api = ntApi();
  DWORD session = 0;
  ::ProcessIdToSessionId(::GetCurrentProcessId(), &session);
  std::wstring path = session == 0 ? L"\\BaseNamedObjects"
                                   : L"\\Sessions\\" + std::to_wstring(session) + L"\\BaseNamedObjects";
  UNICODE_STRING name{static_cast<USHORT>(path.size() * sizeof(wchar_t)),
                      static_cast<USHORT>(path.size() * sizeof(wchar_t)), path.data()};
  OBJECT_ATTRIBUTES oa{};
  oa.Length = sizeof oa;
  oa.ObjectName = &name;
  HANDLE dir = nullptr;
  LONG status = api.NtOpenDirectoryObject(&dir, kDirectoryTraverse | kDirectoryCreateObject, &oa);
  if (!ntSuccess(status)) throwNtStatus(status, what + ": cannot open the object directory " + toUtf8(path));
  return Handle(dir);
}

// NtCreateJobObject (create=true) or NtOpenJobObject; `created` says which happened.
Handle ntJob(const std::optional<std::string>& name, bool create, ACCESS_MASK access, const std::string& what,
             bool& created) {
  const NtApi& api = ntApi();
  if (!api.NtCreateJobObject || !api.NtOpenJobObject || !api.NtOpenDirectoryObject) {
    throw Error("ERROR_PROC_NOT_FOUND", what + ": this ntdll lacks the NT job object calls (ERROR_PROC_NOT_FOUND)");
  }
  std::wstring wide = name ? toWide(*name) : L"";
  UNICODE_STRING objectName{static_cast<USHORT>(wide.size() * sizeof(wchar_t)),
                            static_cast<USHORT>(wide.size() * sizeof(wchar_t)), wide.data()};
  Handle dir;
  OBJECT_ATTRIBUTES oa{};
  oa.Length = sizeof oa;
  if (name) {
    dir = namedObjectDirectory(what);
    oa.RootDirectory = dir.get();
    oa.ObjectName = &objectName;
    oa.Attributes = kObjOpenIf;  // like CreateJobObjectW: an existing job of that name is opened
  }
  HANDLE raw = nullptr;
  LONG status = create ? api.NtCreateJobObject(&raw, access, &oa) : api.NtOpenJobObject(&raw, access, &oa);
  if (!ntSuccess(status)) throwNtStatus(status, what);
  created = create && status != kStatusObjectNameExists;
  return Handle(raw);
}

[[noreturn]] void throwNameError(DWORD err, const std::string& what) {
  // What Windows answers when the name belongs to a mutex, event, section...
  if (err == ERROR_INVALID_HANDLE) {
    throw Error("ERROR_INVALID_HANDLE", what + ": the name belongs to an object that is not a job (ERROR_INVALID_HANDLE)");
  }
  throwWin32(err, what);
}

// One of our jobs as listProcesses' listing sees it: the name it reports as `group`, and its own handle.
struct GroupJob {
  std::string name;
  Handle handle;
};

// listProcesses' listing: every process; `group` is the innermost of `ours` (oldest first) that holds it.
std::vector<ProcessInfo> listAllProcesses(const std::vector<GroupJob>& ours) {
  std::map<std::string, std::string> users;
  std::vector<ProcessInfo> out;
  for (const SnapshotEntry& e : snapshotProcesses()) {
    ProcessInfo info;
    info.pid = e.pid;
    info.ppid = e.ppid;
    info.name = e.name;
    Handle h = openForQuery(e.pid);
    if (h.valid()) {
      MemoryCounters c;
      if (readCounters(h.get(), c)) info.residentBytes = c.workingSet;
      info.commandLine = commandLine(h.get());
      info.user = processUser(h.get(), users);
      info.imagePath = imagePath(h.get());
      readCpuTimeUs(h.get(), info.cpuTimeUs);
      info.inJob = inAnyJob(h.get());
      // Newest first: a nested job is usually created after the job it nests in.
      for (auto it = ours.rbegin(); it != ours.rend(); ++it) {
        if (processInJob(h.get(), it->handle.get())) {
          info.group = it->name;
          break;
        }
      }
    }
    out.push_back(std::move(info));
  }
  return out;
}

class WinBackend : public Backend {
 public:
  explicit WinBackend(NotificationSink sink) : poller_(std::make_shared<IocpPoller>(std::move(sink))) {}

  HostInfo hostInfo() override {
    HostInfo info;
    info.platform = "win32";
    info.exitEvents = "iocp";
    info.memorySource = jobMemoryClassSupported() ? "job-object" : "process-sum";
    return info;
  }

  std::shared_ptr<Job> createJob(const std::optional<std::string>& name, const std::optional<std::string>& parent,
                                 const LimitChanges& limits, const JobOptions& options) override {
    if (parent) {
      throw Error("ENOTSUP", "cannot create a job in " + *parent +
                                 ": options.parent is for Linux cgroups; Windows job objects nest when a "
                                 "process is assigned to a second job (ENOTSUP)");
    }
    WinJobParams p;
    p.id = nextJobId++;
    p.name = name ? *name : "job-" + std::to_string(p.id);
    p.path = name ? *name : "";
    const std::string what = "cannot create job " + p.name;
    if (options.useNtVariant) {
      p.handle = ntJob(name, true, JOB_OBJECT_ALL_ACCESS, what, p.created);
    } else {
      createWin32(name, what, p);
    }
    auto job = std::make_shared<WinJob>(std::move(p), poller_);
    remember(job);
    applyOrClose(*job, limits);
    return job;
  }

  std::shared_ptr<Job> openJob(const std::string& path, const JobOptions& options) override {
    WinJobParams p;
    p.id = nextJobId++;
    p.name = path;
    p.path = path;
    const std::string what = "cannot open job " + path;
    std::wstring wide = toWide(path);
    for (ACCESS_MASK rights : kOpenRights) {
      if (options.useNtVariant) {
        try {
          p.handle = ntJob(path, false, rights, what, p.created);
        } catch (const Error& e) {
          if (e.code() != "ERROR_ACCESS_DENIED" || rights == JOB_OBJECT_QUERY) throw;
          continue;
        }
        break;
      }
      p.handle.reset(::OpenJobObjectW(rights, FALSE, wide.c_str()));
      if (p.handle.valid()) break;
      DWORD err = ::GetLastError();
      if (err != ERROR_ACCESS_DENIED || rights == JOB_OBJECT_QUERY) throwNameError(err, what);
    }
    auto job = std::make_shared<WinJob>(std::move(p), poller_);
    remember(job);
    return job;
  }

  // Our jobs, and our own duplicates of their handles, are taken here on the JS thread: jobs_ and the
  // jobs' handles change there (close() closes its handle), and a handle closed under the listing could be
  // reused by another object meanwhile. A job closed while a listing runs keeps its object (and, with
  // kill-on-close, its members) until that listing ends.
  Listing<JobTreeEntry> listJobs() override {
    auto ours = std::make_shared<std::vector<HeldJob>>();
    for (const auto& job : liveJobs()) {
      ours->push_back({job->id(), duplicate(job->handle(), "cannot list jobs"), job->path(), job->parentId()});
    }
    return [ours] { return listSystemJobs(*ours); };
  }

  Listing<ProcessInfo> listProcesses() override {
    auto ours = std::make_shared<std::vector<GroupJob>>();
    for (const auto& job : liveJobs()) ours->push_back({job->name(), duplicate(job->handle(), "cannot list processes")});
    return [ours] { return listAllProcesses(*ours); };
  }

  void startPoller() override { poller_->start(); }
  void stopPoller() override { poller_->stop(); }

 private:
  static void createWin32(const std::optional<std::string>& name, const std::string& what, WinJobParams& p) {
    std::wstring wide = name ? toWide(*name) : L"";
    ::SetLastError(0);
    p.handle.reset(::CreateJobObjectW(nullptr, name ? wide.c_str() : nullptr));
    DWORD err = ::GetLastError();
    if (!p.handle.valid()) throwNameError(err, what);
    p.created = err != ERROR_ALREADY_EXISTS;  // otherwise it opened the existing job of that name
  }

  // WinJob::createChild's half here: a new job object nested in `ancestors`, remembered like any other.
  std::shared_ptr<WinJob> createChildJob(const std::optional<std::string>& name, std::vector<Handle> ancestors,
                                         uint32_t parentId) {
    WinJobParams p;
    p.id = nextJobId++;
    p.name = name ? *name : "job-" + std::to_string(p.id);
    p.path = name ? *name : "";
    createWin32(name, "cannot create job " + p.name, p);
    p.ancestors = std::move(ancestors);
    p.parentId = parentId;
    auto job = std::make_shared<WinJob>(std::move(p), poller_);
    remember(job);
    return job;
  }

  // options.limits of createJob/createChild: a failure closes the job again and throws.
  static void applyOrClose(WinJob& job, const LimitChanges& limits) {
    if (!limits.any()) return;
    try {
      job.applyLimits(limits);
    } catch (...) {
      job.close();
      throw;
    }
  }

  void remember(const std::shared_ptr<WinJob>& job) {
    // The backend outlives every call into a job (both are used from the JS thread only).
    job->setChildFactory([this](const std::optional<std::string>& name, std::vector<Handle> ancestors, uint32_t parentId) {
      return createChildJob(name, std::move(ancestors), parentId);
    });
    liveJobs();  // prunes
    jobs_.push_back(job);
  }

  // Our jobs that are neither dropped nor closed, in creation order.
  std::vector<std::shared_ptr<WinJob>> liveJobs() {
    std::vector<std::shared_ptr<WinJob>> live;
    std::vector<std::weak_ptr<WinJob>> kept;
    for (auto& weak : jobs_) {
      auto job = weak.lock();
      if (!job || job->closed()) continue;
      live.push_back(job);
      kept.push_back(weak);
    }
    jobs_ = std::move(kept);
    return live;
  }

  std::shared_ptr<IocpPoller> poller_;
  std::vector<std::weak_ptr<WinJob>> jobs_;  // JS thread only, like every Backend call but the sink and listings
};

}  // namespace
}  // namespace win

std::unique_ptr<Backend> Backend::create(NotificationSink sink) {
  return std::make_unique<win::WinBackend>(std::move(sink));
}

}  // namespace jobscope
