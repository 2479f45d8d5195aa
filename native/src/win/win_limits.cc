// WinJob's limits (extended limits, CPU rate control, IO rate control), IO counters and freezing.
// Every class newer than the extended limits may be missing (Windows before 10, Wine): a field whose
// class this Windows lacks goes into LimitsReport.unsupported, and the rest keeps working.
#include <cstdlib>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "errors.h"
#include "nt_api.h"
#include "win_job.h"

namespace jobscope::win {
namespace {

// How Windows (and Wine) answer a class or function they do not implement.
bool notImplementedHere(DWORD err) {
  return err == ERROR_INVALID_PARAMETER || err == ERROR_INVALID_FUNCTION || err == ERROR_NOT_SUPPORTED ||
         err == ERROR_PROC_NOT_FOUND;
}

std::string notSupported(DWORD err) { return "not supported by this Windows (" + win32ErrorName(err) + ")"; }

constexpr ULONGLONG kProbeBytes = 5ull << 30;  // above 4 GiB: proves the 64-bit field round-trips

// Whether this Windows reads back the extended limits it was given. Real Windows does; Wine stores
// only KILL_ON_JOB_CLOSE and answers zeros, so there the values this handle wrote are the base for
// the next change.
bool probeExtendedReadBack() {
  Handle job(::CreateJobObjectW(nullptr, nullptr));
  if (!job.valid()) return true;
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION info{};
  info.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_JOB_MEMORY;
  info.JobMemoryLimit = static_cast<SIZE_T>(kProbeBytes);
  if (!::SetInformationJobObject(job.get(), JobObjectExtendedLimitInformation, &info, sizeof info)) return true;
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION back{};
  if (!::QueryInformationJobObject(job.get(), JobObjectExtendedLimitInformation, &back, sizeof back, nullptr)) {
    return true;
  }
  return back.JobMemoryLimit == kProbeBytes;
}

bool extendedReadBack() {
  static const bool readBack = probeExtendedReadBack();
  return readBack;
}

// Writing JOB_TIME back would restart the job's time limit; PRESERVE_JOB_TIME keeps it as it is.
void preserveJobTime(DWORD& flags) {
  if (flags & JOB_OBJECT_LIMIT_JOB_TIME) flags = (flags & ~JOB_OBJECT_LIMIT_JOB_TIME) | JOB_OBJECT_LIMIT_PRESERVE_JOB_TIME;
}

void setFlag(DWORD& flags, DWORD flag, bool on) { flags = on ? (flags | flag) : (flags & ~flag); }

// Whether this Windows implements JobObjectIoAttribution (class 42): enabling it on a scratch job.
bool probeIoAttribution() {
  Handle job(::CreateJobObjectW(nullptr, nullptr));
  JobIoAttribution attr{};
  attr.ControlFlags = kIoAttributionControlEnable;
  return job.valid() && ::SetInformationJobObject(job.get(), static_cast<JOBOBJECTINFOCLASS>(kJobObjectIoAttribution),
                                                  &attr, sizeof attr);
}

bool ioAttributionSupported() {
  static const bool supported = probeIoAttribution();
  return supported;
}

}  // namespace

JOBOBJECT_EXTENDED_LIMIT_INFORMATION WinJob::readExtended(const std::string& what) {
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION info{};
  if (!::QueryInformationJobObject(p_.handle.get(), JobObjectExtendedLimitInformation, &info, sizeof info, nullptr)) {
    throwWin32(::GetLastError(), what);
  }
  if (!extendedReadBack() && haveWritten_) {
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION base = written_;
    base.PeakJobMemoryUsed = info.PeakJobMemoryUsed;
    base.PeakProcessMemoryUsed = info.PeakProcessMemoryUsed;
    return base;
  }
  return info;
}

std::string WinJob::cpuRateUnsupported(JobCpuRateControl* current) {
  *current = {};
  if (::QueryInformationJobObject(p_.handle.get(), static_cast<JOBOBJECTINFOCLASS>(kJobObjectCpuRateControlInformation),
                                  current, sizeof *current, nullptr)) {
    return "";
  }
  DWORD err = ::GetLastError();
  *current = {};
  return notImplementedHere(err) ? notSupported(err) : "";
}

std::string WinJob::ioRateUnsupported(JobIoRateControl* current) {
  *current = {};
  const NtApi& api = ntApi();
  if (!api.SetIoRateControlInformationJobObject || !api.QueryIoRateControlInformationJobObject ||
      !api.FreeMemoryJobObject) {
    return notSupported(ERROR_PROC_NOT_FOUND);
  }
  void* list = nullptr;
  ULONG count = 0;
  if (!api.QueryIoRateControlInformationJobObject(p_.handle.get(), nullptr, &list, &count)) {
    DWORD err = ::GetLastError();
    // ERROR_NOT_FOUND and the like: no IO rate control set on this job yet.
    return err == ERROR_INVALID_FUNCTION || err == ERROR_NOT_SUPPORTED || err == ERROR_PROC_NOT_FOUND ? notSupported(err)
                                                                                                    : "";
  }
  const auto* entries = static_cast<const JobIoRateControl*>(list);
  for (ULONG i = 0; i < count; ++i) {
    // The entry without a volume is the one for every volume: the one setLimits writes.
    if (!entries[i].VolumeName || !entries[i].VolumeName[0]) *current = entries[i];
  }
  if (list) api.FreeMemoryJobObject(list);
  return "";
}

LimitsReport WinJob::limits() {
  checkOpen();
  const std::string what = "cannot read the limits of job " + p_.name;
  LimitsReport r;
  // The report is what Windows answers (on Wine: zeros), not what this handle wrote.
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION ext{};
  if (!::QueryInformationJobObject(p_.handle.get(), JobObjectExtendedLimitInformation, &ext, sizeof ext, nullptr)) {
    throwWin32(::GetLastError(), what);
  }
  const DWORD flags = ext.BasicLimitInformation.LimitFlags;
  if (flags & JOB_OBJECT_LIMIT_JOB_MEMORY) r.limits.memoryBytes = static_cast<int64_t>(ext.JobMemoryLimit);
  if (flags & JOB_OBJECT_LIMIT_PROCESS_MEMORY) r.limits.processMemoryBytes = static_cast<int64_t>(ext.ProcessMemoryLimit);
  if (flags & JOB_OBJECT_LIMIT_ACTIVE_PROCESS) r.limits.activeProcesses = ext.BasicLimitInformation.ActiveProcessLimit;
  if (flags & JOB_OBJECT_LIMIT_AFFINITY) {
    r.limits.affinity = std::to_string(static_cast<uint64_t>(ext.BasicLimitInformation.Affinity));
  }
  r.limits.killOnClose = (flags & JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE) != 0;

  JobCpuRateControl cpu;
  std::string cpuWhy = cpuRateUnsupported(&cpu);
  if (!cpuWhy.empty()) {
    r.unsupported.emplace_back("cpuRate", cpuWhy);
    r.unsupported.emplace_back("cpuWeight", cpuWhy);
  } else if (cpu.ControlFlags & kCpuRateControlEnable) {
    if (cpu.ControlFlags & kCpuRateControlHardCap) r.limits.cpuRate = cpu.Value;
    else if (cpu.ControlFlags & kCpuRateControlWeightBased) r.limits.cpuWeight = cpu.Value;
  }

  JobIoRateControl io;
  std::string ioWhy = ioRateUnsupported(&io);
  if (!ioWhy.empty()) {
    r.unsupported.emplace_back("maxIops", ioWhy);
    r.unsupported.emplace_back("maxBandwidthBytes", ioWhy);
  } else if (io.ControlFlags & kIoRateControlEnable) {
    if (io.MaxIops > 0) r.limits.maxIops = io.MaxIops;
    if (io.MaxBandwidth > 0) r.limits.maxBandwidthBytes = io.MaxBandwidth;
  }
  return r;
}

LimitsReport WinJob::setLimits(const LimitChanges& changes) {
  checkOpen();
  applyLimits(changes);
  return limits();
}

void WinJob::applyLimits(const LimitChanges& c) {
  checkOpen();
  const std::string what = "cannot set the limits of job " + p_.name;
  auto refuse = [&](const char* field, const std::string& why) {
    throw Error("ENOTSUP", std::string("cannot set ") + field + " on job " + p_.name + ": " + why + " (ENOTSUP)");
  };
  // Everything is checked before anything changes.
  if (c.cpuRate.value && c.cpuWeight.value) {
    throw Error("EINVAL", what + ": cpuRate and cpuWeight are exclusive on Windows (a job has one CPU rate "
                                 "control: a hard cap or a weight); give one of them (EINVAL)");
  }
  const bool cpuSet = c.cpuRate.set || c.cpuWeight.set;
  const bool ioSet = c.maxIops.set || c.maxBandwidthBytes.set;
  const bool extSet = c.memoryBytes.set || c.processMemoryBytes.set || c.activeProcesses.set || c.affinity.set ||
                      c.killOnClose.set;
  JobCpuRateControl cpu{};
  if (cpuSet) {
    std::string why = cpuRateUnsupported(&cpu);
    if (!why.empty() && c.cpuRate.value) refuse("cpuRate", why);
    if (!why.empty() && c.cpuWeight.value) refuse("cpuWeight", why);
  }
  JobIoRateControl io{};
  bool ioWritable = false;
  if (ioSet) {
    std::string why = ioRateUnsupported(&io);
    if (!why.empty() && c.maxIops.value) refuse("maxIops", why);
    if (!why.empty() && c.maxBandwidthBytes.value) refuse("maxBandwidthBytes", why);
    ioWritable = why.empty();
  }
  uint64_t affinity = 0;
  if (c.affinity.value) affinity = std::strtoull(c.affinity.value->c_str(), nullptr, 10);  // checked by addon.cc

  // Up to three writes (extended limits, CPU rate, IO rate). Each one done is kept with what puts the
  // old value back: when a later one fails, the earlier ones are undone (newest first), so a failed
  // call changes nothing, and the error names the limits that failed and what became of the others.
  struct Undo {
    std::string fields;
    std::function<DWORD()> restore;  // ERROR_SUCCESS, or why the old value could not be written back
  };
  std::vector<Undo> done;
  // "a", "a and b", "a, b and c"
  auto list = [](const std::vector<std::string>& items) {
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) out += (i == 0 ? "" : i + 1 == items.size() ? " and " : ", ") + items[i];
    return out;
  };
  // The fields among `names` that this call gives, as a list.
  auto given = [&](std::initializer_list<std::pair<const char*, bool>> names) {
    std::vector<std::string> out;
    for (const auto& [name, set] : names) {
      if (set) out.emplace_back(name);
    }
    return list(out);
  };
  auto fail = [&](DWORD err, const std::string& fields) {
    std::vector<std::string> restored, failed;
    for (auto it = done.rbegin(); it != done.rend(); ++it) {
      DWORD undoErr = it->restore();
      if (undoErr == ERROR_SUCCESS) restored.push_back(it->fields);
      else failed.push_back(it->fields + " (" + win32ErrorName(undoErr) + ")");
    }
    std::string after = "; nothing was changed";
    if (!failed.empty()) {
      after = "; undoing this call's earlier changes failed for " + list(failed) +
              (failed.size() == 1 ? ", which keeps its new value" : ", which keep their new values");
    } else if (!restored.empty()) {
      after = "; " + list(restored) + ", set before it in this call, " + (restored.size() == 1 ? "was" : "were") +
              " restored, so nothing was changed";
    }
    try {
      throwWin32(err, "cannot set " + fields + " of job " + p_.name);
    } catch (const Error& e) {
      throw Error(e.code(), e.what() + after);
    }
  };

  if (extSet) {
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION info = readExtended(what);
    const JOBOBJECT_EXTENDED_LIMIT_INFORMATION before = info;
    DWORD& flags = info.BasicLimitInformation.LimitFlags;
    if (c.memoryBytes.set) {
      setFlag(flags, JOB_OBJECT_LIMIT_JOB_MEMORY, c.memoryBytes.value.has_value());
      info.JobMemoryLimit = static_cast<SIZE_T>(c.memoryBytes.value.value_or(0));
    }
    if (c.processMemoryBytes.set) {
      setFlag(flags, JOB_OBJECT_LIMIT_PROCESS_MEMORY, c.processMemoryBytes.value.has_value());
      info.ProcessMemoryLimit = static_cast<SIZE_T>(c.processMemoryBytes.value.value_or(0));
    }
    if (c.activeProcesses.set) {
      setFlag(flags, JOB_OBJECT_LIMIT_ACTIVE_PROCESS, c.activeProcesses.value.has_value());
      info.BasicLimitInformation.ActiveProcessLimit = static_cast<DWORD>(c.activeProcesses.value.value_or(0));
    }
    if (c.affinity.set) {
      setFlag(flags, JOB_OBJECT_LIMIT_AFFINITY, c.affinity.value.has_value());
      info.BasicLimitInformation.Affinity = static_cast<ULONG_PTR>(affinity);
    }
    if (c.killOnClose.set) setFlag(flags, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, c.killOnClose.value.value_or(false));
    const std::string fields = given({{"memoryBytes", c.memoryBytes.set},
                                      {"processMemoryBytes", c.processMemoryBytes.set},
                                      {"activeProcesses", c.activeProcesses.set},
                                      {"affinity", c.affinity.set},
                                      {"killOnClose", c.killOnClose.set}});
    if (!writeExtended(info)) fail(::GetLastError(), fields);
    done.push_back({fields, [this, before] { return writeExtended(before) ? ERROR_SUCCESS : ::GetLastError(); }});
  }

  if (cpuSet) {
    // One control per job: a value for either field replaces the other; clearing a field clears the
    // control only when it is the kind in force.
    JobCpuRateControl next = cpu;
    if (c.cpuRate.value) {
      next = {kCpuRateControlEnable | kCpuRateControlHardCap, static_cast<DWORD>(*c.cpuRate.value)};
    } else if (c.cpuWeight.value) {
      next = {kCpuRateControlEnable | kCpuRateControlWeightBased, static_cast<DWORD>(*c.cpuWeight.value)};
    } else if ((c.cpuRate.set && (cpu.ControlFlags & kCpuRateControlHardCap)) ||
               (c.cpuWeight.set && (cpu.ControlFlags & kCpuRateControlWeightBased))) {
      next = {0, 0};
    }
    if (next.ControlFlags != cpu.ControlFlags || next.Value != cpu.Value) {
      const std::string fields = given({{"cpuRate", c.cpuRate.set}, {"cpuWeight", c.cpuWeight.set}});
      if (!writeCpuRate(next)) fail(::GetLastError(), fields);
      done.push_back({fields, [this, cpu] { return writeCpuRate(cpu) ? ERROR_SUCCESS : ::GetLastError(); }});
    }
  }

  if (ioSet && ioWritable) {
    JobIoRateControl next{};
    next.MaxIops = c.maxIops.set ? c.maxIops.value.value_or(0) : (io.ControlFlags & kIoRateControlEnable ? io.MaxIops : 0);
    next.MaxBandwidth = c.maxBandwidthBytes.set ? c.maxBandwidthBytes.value.value_or(0)
                                                : (io.ControlFlags & kIoRateControlEnable ? io.MaxBandwidth : 0);
    next.VolumeName = nullptr;  // every volume
    next.ControlFlags = (next.MaxIops || next.MaxBandwidth) ? kIoRateControlEnable : 0;
    if (!ntApi().SetIoRateControlInformationJobObject(p_.handle.get(), &next)) {
      fail(::GetLastError(), given({{"maxIops", c.maxIops.set}, {"maxBandwidthBytes", c.maxBandwidthBytes.set}}));
    }
  }
}

bool WinJob::writeExtended(JOBOBJECT_EXTENDED_LIMIT_INFORMATION info) {
  preserveJobTime(info.BasicLimitInformation.LimitFlags);
  if (!::SetInformationJobObject(p_.handle.get(), JobObjectExtendedLimitInformation, &info, sizeof info)) return false;
  info.BasicLimitInformation.LimitFlags &= ~JOB_OBJECT_LIMIT_PRESERVE_JOB_TIME;  // an instruction for this write, not a limit
  written_ = info;
  haveWritten_ = true;
  return true;
}

bool WinJob::writeCpuRate(JobCpuRateControl control) {
  return ::SetInformationJobObject(p_.handle.get(), static_cast<JOBOBJECTINFOCLASS>(kJobObjectCpuRateControlInformation),
                                   &control, sizeof control);
}

// IO counters. Two sources, best first:
// 1. JobObjectBasicAndIoAccountingInformation (class 8): every read/write (files, pipes, devices) of
//    every process that ran in the job, counted by Windows since the job was created, no enabling
//    needed. Used whenever this Windows answers it (Wine: ERROR_INVALID_FUNCTION).
// 2. JobObjectIoAttribution (class 42, Windows 10): storage IO attributed to the job, counted once
//    enableIoTracking() turned it on.
// `tracking` always describes class 42: 'unsupported' where this Windows lacks it, 'off' until
// enableIoTracking(), then 'on'.
IoStats WinJob::ioStats() {
  checkOpen();
  IoStats s;
  JobIoAttribution attr{};
  attr.ControlFlags = kIoAttributionControlEnable;
  bool attrOk = false;
  if (!ioAttributionSupported()) {
    s.tracking = "unsupported";
  } else {
    attrOk = ::QueryInformationJobObject(p_.handle.get(), static_cast<JOBOBJECTINFOCLASS>(kJobObjectIoAttribution),
                                         &attr, sizeof attr, nullptr);
    // On when this handle enabled it, or when another holder of the job did (the query then shows IO);
    // a query that answers zeros does not tell the two states apart, so it counts as off.
    const bool counted = attrOk && (attr.ReadStats.IoCount || attr.WriteStats.IoCount);
    s.tracking = ioTracking_ || counted ? "on" : "off";
  }
  JOBOBJECT_BASIC_AND_IO_ACCOUNTING_INFORMATION acct{};
  if (::QueryInformationJobObject(p_.handle.get(), JobObjectBasicAndIoAccountingInformation, &acct, sizeof acct,
                                  nullptr)) {
    s.readOps = acct.IoInfo.ReadOperationCount;
    s.writeOps = acct.IoInfo.WriteOperationCount;
    s.readBytes = acct.IoInfo.ReadTransferCount;
    s.writeBytes = acct.IoInfo.WriteTransferCount;
  } else if (attrOk && s.tracking == "on") {
    s.readOps = attr.ReadStats.IoCount;
    s.writeOps = attr.WriteStats.IoCount;
    s.readBytes = attr.ReadStats.TotalSize;
    s.writeBytes = attr.WriteStats.TotalSize;
  }
  return s;
}

void WinJob::enableIoTracking() {
  checkOpen();
  JobIoAttribution attr{};
  attr.ControlFlags = kIoAttributionControlEnable;
  if (!::SetInformationJobObject(p_.handle.get(), static_cast<JOBOBJECTINFOCLASS>(kJobObjectIoAttribution), &attr,
                                 sizeof attr)) {
    DWORD err = ::GetLastError();
    if (notImplementedHere(err)) {
      throw Error("ENOTSUP", "cannot enable IO tracking on job " + p_.name +
                                 ": JobObjectIoAttribution is " + notSupported(err) + " (ENOTSUP)");
    }
    throwWin32(err, "cannot enable IO tracking on job " + p_.name);
  }
  ioTracking_ = true;
}

// Freezing: JobObjectFreezeInformation (class 18) is how Windows itself suspends a job (UWP apps,
// Task Manager's "efficiency", System Informer's freeze). It is absent from the SDK but its layout
// has been stable since Windows 8 (job_classes.h, layouts.cc). It freezes every thread of every
// member atomically and new threads are created frozen: suspending thread by thread would race
// members that create threads or processes. Where this Windows refuses the class (Wine, older or
// locked-down systems), freeze() throws ENOTSUP saying so, and nothing changed.
namespace {
void setFreeze(HANDLE job, bool freeze, const std::string& name) {
  const char* verb = freeze ? "freeze" : "thaw";
  const NtApi& api = ntApi();
  if (!api.NtSetInformationJobObject) {
    throw Error("ENOTSUP", std::string("cannot ") + verb + " job " + name + ": JobObjectFreezeInformation is " +
                               notSupported(ERROR_PROC_NOT_FOUND) + " (ENOTSUP)");
  }
  JobFreezeInformation info{};
  info.Flags = kFreezeOperation;
  info.Freeze = freeze ? TRUE : FALSE;
  LONG status = api.NtSetInformationJobObject(job, kJobObjectFreezeInformation, &info, sizeof info);
  if (ntSuccess(status)) return;
  DWORD err = api.RtlNtStatusToDosError ? api.RtlNtStatusToDosError(status) : ERROR_INVALID_PARAMETER;
  if (notImplementedHere(err)) {
    throw Error("ENOTSUP", std::string("cannot ") + verb + " job " + name + ": JobObjectFreezeInformation is " +
                               notSupported(err) + " (ENOTSUP)");
  }
  throwNtStatus(status, std::string("cannot ") + verb + " job " + name);
}
}  // namespace

void WinJob::freeze() {
  checkOpen();
  setFreeze(p_.handle.get(), true, p_.name);
  frozen_ = true;
}

void WinJob::thaw() {
  checkOpen();
  setFreeze(p_.handle.get(), false, p_.name);
  frozen_ = false;
}

}  // namespace jobscope::win
