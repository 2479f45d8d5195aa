#include "win_job.h"

#include <algorithm>
#include <chrono>
#include <cstddef>

#include "errors.h"
#include "nt_api.h"
#include "processes.h"

namespace jobscope::win {
namespace {

double nowMs() {
  using namespace std::chrono;
  return static_cast<double>(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

// "Not implemented here": how older Windows and Wine answer information classes they lack.
bool notImplemented(DWORD err) { return err == ERROR_INVALID_PARAMETER || err == ERROR_INVALID_FUNCTION; }

bool stillRunning(HANDLE process) {
  DWORD code = 0;
  return ::GetExitCodeProcess(process, &code) && code == STILL_ACTIVE;
}

bool probeMemoryClass() {
  Handle job(::CreateJobObjectW(nullptr, nullptr));
  JobMemoryUsageInformation info{};
  return job.valid() &&
         ::QueryInformationJobObject(job.get(), static_cast<JOBOBJECTINFOCLASS>(kJobObjectMemoryUsageInformation),
                                     &info, sizeof info, nullptr);
}

}  // namespace

bool jobMemoryClassSupported() {
  static const bool supported = probeMemoryClass();
  return supported;
}

WinJob::WinJob(WinJobParams params, std::shared_ptr<IocpPoller> poller)
    : p_(std::move(params)), poller_(std::move(poller)) {
  poller_->add(p_.id, p_.handle.get(), p_.name);
}

WinJob::~WinJob() {
  // Dropped without close(): stop routing its messages before the handle closes.
  if (!closed()) poller_->remove(p_.id);
}

void WinJob::checkOpen() const {
  if (closed()) throw Error("ECLOSED", "job " + p_.name + " is closed");
}

Handle duplicate(HANDLE h, const std::string& what) {
  HANDLE out = nullptr;
  if (!::DuplicateHandle(::GetCurrentProcess(), h, ::GetCurrentProcess(), &out, 0, FALSE, DUPLICATE_SAME_ACCESS)) {
    throwWin32(::GetLastError(), what);
  }
  return Handle(out);
}

bool processInJob(HANDLE process, HANDLE job) {
  BOOL in = FALSE;
  return ::IsProcessInJob(process, job, &in) && in;
}

bool WinJob::contains(HANDLE process) const { return !closed() && processInJob(process, p_.handle.get()); }

void WinJob::assign(int64_t pid) {
  checkOpen();
  const DWORD id = static_cast<DWORD>(pid);
  const std::string what = "cannot attach pid " + std::to_string(pid) + " to job " + p_.name;
  const std::string gone = "pid " + std::to_string(pid) + " has exited or does not exist";
  // Exactly the rights AssignProcessToJobObject needs, so it works on every process we may move.
  Handle process(::OpenProcess(PROCESS_SET_QUOTA | PROCESS_TERMINATE, FALSE, id));
  if (!process.valid()) {
    DWORD err = ::GetLastError();
    if (err == ERROR_INVALID_PARAMETER) throw Error("ERROR_INVALID_PARAMETER", what + ": " + gone + " (ERROR_INVALID_PARAMETER)");
    if (err == ERROR_ACCESS_DENIED) {
      throw Error("ERROR_ACCESS_DENIED", what + ": access denied: it runs as another user or is protected "
                                                "(attaching needs PROCESS_SET_QUOTA and PROCESS_TERMINATE on it) "
                                                "(ERROR_ACCESS_DENIED)");
    }
    throwWin32(err, what);
  }
  // A child job (createChild): the process joins the ancestors first, so this job nests in them.
  if (!p_.ancestors.empty()) {
    Handle query = openForQuery(id);
    for (const Handle& ancestor : p_.ancestors) {
      BOOL in = FALSE;
      if (query.valid() && ::IsProcessInJob(query.get(), ancestor.get(), &in) && in) continue;
      if (!::AssignProcessToJobObject(ancestor.get(), process.get())) {
        throwWin32(::GetLastError(), what + ": putting it in the job this one was created in failed");
      }
    }
  }
  if (::AssignProcessToJobObject(p_.handle.get(), process.get())) return;
  DWORD err = ::GetLastError();
  std::string name = win32ErrorName(err);
  Handle query = openForQuery(id);
  if (query.valid() && !stillRunning(query.get())) throw Error(name, what + ": " + gone + " (" + name + ")");
  BOOL inSomeJob = FALSE;
  if (err == ERROR_ACCESS_DENIED && query.valid() && ::IsProcessInJob(query.get(), nullptr, &inSomeJob) &&
      inSomeJob) {
    throw Error(name, what + ": it is already in a job that this job cannot be nested in (nesting needs this "
                             "job to have no processes outside that job and no other parent job) (" +
                          name + ")");
  }
  throwWin32(err, what);
}

std::vector<DWORD> WinJob::readPids() {
  // Start from what the last query needed and double on ERROR_MORE_DATA. The counts that come with
  // ERROR_MORE_DATA are not used to size the retry: processes can join between the two calls.
  size_t capacity = pidCapacity_;
  for (int attempt = 0; attempt < 24; ++attempt, capacity *= 2) {
    const size_t bytes = offsetof(JOBOBJECT_BASIC_PROCESS_ID_LIST, ProcessIdList) + capacity * sizeof(ULONG_PTR);
    std::vector<ULONG_PTR> buffer((bytes + sizeof(ULONG_PTR) - 1) / sizeof(ULONG_PTR));  // ULONG_PTR-aligned
    auto* list = reinterpret_cast<JOBOBJECT_BASIC_PROCESS_ID_LIST*>(buffer.data());
    if (::QueryInformationJobObject(p_.handle.get(), JobObjectBasicProcessIdList, list,
                                    static_cast<DWORD>(bytes), nullptr)) {
      size_t n = std::min<size_t>(list->NumberOfProcessIdsInList, capacity);
      std::vector<DWORD> pids;
      pids.reserve(n);
      for (size_t i = 0; i < n; ++i) pids.push_back(static_cast<DWORD>(list->ProcessIdList[i]));
      pidCapacity_ = std::max<size_t>(n, 1);
      return pids;
    }
    DWORD err = ::GetLastError();
    if (err != ERROR_MORE_DATA) throwWin32(err, "cannot list the processes of job " + p_.name);
  }
  throw Error("ERROR_MORE_DATA", "cannot list the processes of job " + p_.name +
                                     ": it gained processes faster than the list could grow (ERROR_MORE_DATA)");
}

std::vector<int64_t> WinJob::pids() {
  checkOpen();
  std::vector<DWORD> list = readPids();
  return std::vector<int64_t>(list.begin(), list.end());
}

JOBOBJECT_BASIC_ACCOUNTING_INFORMATION WinJob::readAccounting() {
  JOBOBJECT_BASIC_ACCOUNTING_INFORMATION info{};
  if (!::QueryInformationJobObject(p_.handle.get(), JobObjectBasicAccountingInformation, &info, sizeof info,
                                   nullptr)) {
    throwWin32(::GetLastError(), "cannot read the CPU accounting of job " + p_.name);
  }
  return info;
}

ProcessorStats WinJob::processorStats() {
  checkOpen();
  JOBOBJECT_BASIC_ACCOUNTING_INFORMATION info = readAccounting();
  ProcessorStats s;
  s.userTimeUs = ticksToUs(static_cast<uint64_t>(info.TotalUserTime.QuadPart));
  s.kernelTimeUs = ticksToUs(static_cast<uint64_t>(info.TotalKernelTime.QuadPart));
  s.totalProcesses = info.TotalProcesses;
  s.activeProcesses = info.ActiveProcesses;
  return s;
}

std::vector<std::pair<DWORD, Handle>> WinJob::openMembers(const std::vector<DWORD>& pids) const {
  std::vector<std::pair<DWORD, Handle>> members;
  for (DWORD pid : pids) {
    Handle h = openForQuery(pid);
    // Exited since the list was read, or its pid now belongs to a process outside the job.
    if (!h.valid() || !stillRunning(h.get()) || !contains(h.get())) continue;
    members.emplace_back(pid, std::move(h));
  }
  return members;
}

MemoryStats WinJob::readMemory(const std::vector<DWORD>& pids) {
  MemoryStats s;
  if (jobMemoryClassSupported()) {
    JobMemoryUsageInformation info{};
    if (::QueryInformationJobObject(p_.handle.get(),
                                    static_cast<JOBOBJECTINFOCLASS>(kJobObjectMemoryUsageInformation), &info,
                                    sizeof info, nullptr)) {
      s.source = "job-object";
      s.currentBytes = info.JobMemory;
      s.peakBytes = info.PeakJobMemoryUsed;
      return s;
    }
    DWORD err = ::GetLastError();
    if (!notImplemented(err)) throwWin32(err, "cannot read the memory use of job " + p_.name);
  }
  // No job-wide figure on this system: add up the members' commit charge.
  s.source = "process-sum";
  for (auto& [pid, h] : openMembers(pids)) {
    MemoryCounters c;
    if (readCounters(h.get(), c)) s.currentBytes += c.privateUsage;
  }
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION ext{};
  uint64_t osPeak = 0;
  if (::QueryInformationJobObject(p_.handle.get(), JobObjectExtendedLimitInformation, &ext, sizeof ext, nullptr)) {
    osPeak = ext.PeakJobMemoryUsed;
  }
  // Windows records the job's peak commit; Wine answers 0, and then the highest sum seen is all we have.
  sumPeak_ = std::max(sumPeak_, s.currentBytes);
  s.peakBytes = osPeak ? osPeak : sumPeak_;
  return s;
}

uint64_t WinJob::readPrivateWorkingSet(const std::vector<DWORD>& pids) {
  uint64_t total = 0;
  for (auto& [pid, h] : openMembers(pids)) {
    MemoryCounters c;
    if (readCounters(h.get(), c)) total += c.hasPrivateWorkingSet ? c.privateWorkingSet : c.privateUsage;
  }
  return total;
}

MemoryStats WinJob::memoryStats() {
  checkOpen();
  return readMemory(jobMemoryClassSupported() ? std::vector<DWORD>{} : readPids());
}

uint64_t WinJob::privateWorkingSet() {
  checkOpen();
  return readPrivateWorkingSet(readPids());
}

void WinJob::terminate(uint32_t exitCode) {
  checkOpen();
  if (!::TerminateJobObject(p_.handle.get(), exitCode)) throwWin32(::GetLastError(), "cannot terminate job " + p_.name);
}

void WinJob::close() {
  checkOpen();
  poller_->remove(p_.id);
  p_.handle.reset();  // with kill-on-close set, the last handle closing ends the members
}

JobSample WinJob::sample() {
  checkOpen();
  JobSample s;
  s.jobId = p_.id;
  s.time = nowMs();
  // Our handle keeps the object alive, so a Windows job is never "gone".
  s.processor = processorStats();
  std::vector<DWORD> list = readPids();
  s.memory = readMemory(list);
  uint64_t privateWs = 0;
  for (auto& [pid, h] : openMembers(list)) {
    MemoryCounters c;
    if (!readCounters(h.get(), c)) continue;  // vanished mid-read
    MemberProcess m;
    m.pid = pid;
    m.name = imageName(h.get());
    readCpuTimeUs(h.get(), m.cpuTimeUs);
    m.residentBytes = c.workingSet;
    privateWs += c.hasPrivateWorkingSet ? c.privateWorkingSet : c.privateUsage;
    s.processes.push_back(std::move(m));
  }
  s.privateWorkingSetBytes = privateWs;
  s.io = ioStats();
  s.frozen = frozen_;
  return s;
}


}  // namespace jobscope::win
