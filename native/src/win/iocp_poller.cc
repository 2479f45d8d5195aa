#include "iocp_poller.h"

#include <chrono>

#include "errors.h"
#include "nt_api.h"

namespace jobscope::win {
namespace {

// Job ids are 32-bit and start at 1, so this key is never a job's.
constexpr ULONG_PTR kStopKey = ~static_cast<ULONG_PTR>(0);

double nowMs() {
  using namespace std::chrono;
  return static_cast<double>(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

// NotificationKind for each JOB_OBJECT_MSG_* (5 is unused by Windows); null for unknown values.
const char* kindName(DWORD message) {
  switch (message) {
    case JOB_OBJECT_MSG_END_OF_JOB_TIME: return "END_OF_JOB_TIME";
    case JOB_OBJECT_MSG_END_OF_PROCESS_TIME: return "END_OF_PROCESS_TIME";
    case JOB_OBJECT_MSG_ACTIVE_PROCESS_LIMIT: return "ACTIVE_PROCESS_LIMIT";
    case JOB_OBJECT_MSG_ACTIVE_PROCESS_ZERO: return "ACTIVE_PROCESS_ZERO";
    case JOB_OBJECT_MSG_NEW_PROCESS: return "NEW_PROCESS";
    case JOB_OBJECT_MSG_EXIT_PROCESS: return "EXIT_PROCESS";
    case JOB_OBJECT_MSG_ABNORMAL_EXIT_PROCESS: return "ABNORMAL_EXIT_PROCESS";
    case JOB_OBJECT_MSG_PROCESS_MEMORY_LIMIT: return "PROCESS_MEMORY_LIMIT";
    case JOB_OBJECT_MSG_JOB_MEMORY_LIMIT: return "JOB_MEMORY_LIMIT";
    case JOB_OBJECT_MSG_NOTIFICATION_LIMIT: return "NOTIFICATION_LIMIT";
    case JOB_OBJECT_MSG_JOB_CYCLE_TIME_LIMIT: return "JOB_CYCLE_TIME_LIMIT";
    case kJobObjectMsgSiloTerminated: return "SILO_TERMINATED";
    default: return nullptr;
  }
}

// The messages whose lpOverlapped is a process id (per the JOBOBJECT_ASSOCIATE_COMPLETION_PORT docs);
// for the others it carries nothing and the notification's pid is 0.
bool carriesPid(DWORD message) {
  switch (message) {
    case JOB_OBJECT_MSG_END_OF_PROCESS_TIME:
    case JOB_OBJECT_MSG_NEW_PROCESS:
    case JOB_OBJECT_MSG_EXIT_PROCESS:
    case JOB_OBJECT_MSG_ABNORMAL_EXIT_PROCESS:
    case JOB_OBJECT_MSG_PROCESS_MEMORY_LIMIT:
    case JOB_OBJECT_MSG_JOB_MEMORY_LIMIT:
    case JOB_OBJECT_MSG_NOTIFICATION_LIMIT:
      return true;
    default:
      return false;
  }
}

// The exit code, when the process can be opened (or was, at NEW_PROCESS). The message can race
// the exit status being set, so wait for the process object to be signalled, briefly.
std::optional<int64_t> exitCodeOf(Handle held, DWORD pid) {
  if (!held.valid()) held.reset(::OpenProcess(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid));
  if (!held.valid() || ::WaitForSingleObject(held.get(), 100) != WAIT_OBJECT_0) return std::nullopt;
  DWORD code = 0;
  if (!::GetExitCodeProcess(held.get(), &code)) return std::nullopt;
  return static_cast<int64_t>(code);
}

}  // namespace

IocpPoller::IocpPoller(NotificationSink sink) : sink_(std::move(sink)) {
  // One thread reads the port, so concurrency 1.
  port_.reset(::CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 1));
  if (!port_.valid()) portError_ = ::GetLastError();  // reported by add(), where it has an object to name
}

IocpPoller::~IocpPoller() { stop(); }

void IocpPoller::start() {
  if (thread_.joinable() || !port_.valid()) return;
  thread_ = std::thread([this] { run(); });
}

void IocpPoller::stop() {
  if (!thread_.joinable()) return;
  // Messages queued behind the sentinel stay in the port for the next start().
  if (::PostQueuedCompletionStatus(port_.get(), 0, kStopKey, nullptr)) thread_.join();
  else thread_.detach();  // cannot wake it; never happens for a valid port
}

bool IocpPoller::add(uint32_t jobId, HANDLE job, const std::string& name) {
  const std::string what = "cannot watch job " + name + " for process events";
  if (!port_.valid()) throwWin32(portError_, what + " (no IO completion port)");
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [key, entry] : keys_) {
    for (const Route& r : entry.routes) {
      if (sameObject(r.job, job)) {
        entry.routes.push_back({jobId, job});
        return true;
      }
    }
  }
  // Registered before associating: association posts NEW_PROCESS for the members already in
  // the job, and the poller must find the key when it reads them.
  Key& entry = keys_[jobId];
  entry.routes.push_back({jobId, job});
  JOBOBJECT_ASSOCIATE_COMPLETION_PORT port{};
  port.CompletionKey = reinterpret_cast<void*>(static_cast<ULONG_PTR>(jobId));
  port.CompletionPort = port_.get();
  if (!::SetInformationJobObject(job, JobObjectAssociateCompletionPortInformation, &port, sizeof port)) {
    DWORD err = ::GetLastError();
    keys_.erase(jobId);
    // Already reporting to a port that is not ours, or opened without JOB_OBJECT_SET_ATTRIBUTES.
    if (err == ERROR_INVALID_PARAMETER || err == ERROR_ACCESS_DENIED) return false;
    throwWin32(err, what);
  }
  return true;
}

void IocpPoller::remove(uint32_t jobId) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = keys_.begin(); it != keys_.end();) {
    auto& routes = it->second.routes;
    for (auto r = routes.begin(); r != routes.end();) r = r->jobId == jobId ? routes.erase(r) : r + 1;
    // The object can still post under this key; with no entry those packets are dropped.
    it = routes.empty() ? keys_.erase(it) : std::next(it);
  }
}

void IocpPoller::run() {
  OVERLAPPED_ENTRY entries[64];
  for (;;) {
    ULONG count = 0;
    if (!::GetQueuedCompletionStatusEx(port_.get(), entries, 64, &count, INFINITE, FALSE)) {
      if (::GetLastError() == ERROR_ABANDONED_WAIT_0) return;  // port closed
      continue;
    }
    double now = nowMs();
    bool stopping = false;
    std::vector<Notification> batch;
    std::lock_guard<std::mutex> lock(mu_);
    for (ULONG i = 0; i < count; ++i) {
      const OVERLAPPED_ENTRY& e = entries[i];
      if (e.lpCompletionKey == kStopKey) {
        stopping = true;
        continue;
      }
      DWORD pid = static_cast<DWORD>(reinterpret_cast<ULONG_PTR>(e.lpOverlapped));
      decode(e.lpCompletionKey, e.dwNumberOfBytesTransferred, pid, now, batch);
    }
    // Under the lock, so that remove() returning means nothing more is emitted for that job.
    if (!batch.empty()) sink_(std::move(batch));
    if (stopping) return;
  }
}

void IocpPoller::decode(ULONG_PTR key, DWORD message, DWORD pid, double now, std::vector<Notification>& out) {
  auto it = keys_.find(key);
  const char* kind = kindName(message);
  if (it == keys_.end() || !kind) return;
  Key& entry = it->second;
  Notification n;
  n.kind = kind;
  n.time = now;
  n.pid = carriesPid(message) ? pid : 0;
  if (message == JOB_OBJECT_MSG_NEW_PROCESS) {
    Handle h(::OpenProcess(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid));
    if (h.valid()) entry.members[pid] = std::move(h);
  } else if (message == JOB_OBJECT_MSG_EXIT_PROCESS || message == JOB_OBJECT_MSG_ABNORMAL_EXIT_PROCESS) {
    Handle held;
    auto m = entry.members.find(pid);
    if (m != entry.members.end()) {
      held = std::move(m->second);
      entry.members.erase(m);
    }
    n.exitCode = exitCodeOf(std::move(held), pid);
  } else if (message == JOB_OBJECT_MSG_ACTIVE_PROCESS_ZERO) {
    // Members that left without an exit message (TerminateJobObject on some systems) are gone too.
    entry.members.clear();
  }
  for (const Route& r : entry.routes) {
    n.jobId = r.jobId;
    out.push_back(n);
  }
}

}  // namespace jobscope::win
