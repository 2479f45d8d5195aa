#include "job_list.h"

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <map>

#include "errors.h"
#include "job_classes.h"
#include "nt_api.h"
#include "processes.h"

namespace jobscope::win {
namespace {

UNICODE_STRING unicode(std::wstring& s) {
  return UNICODE_STRING{static_cast<USHORT>(s.size() * sizeof(wchar_t)), static_cast<USHORT>(s.size() * sizeof(wchar_t)),
                        s.data()};
}

std::wstring fromUnicode(const UNICODE_STRING& u) {
  return u.Buffer ? std::wstring(u.Buffer, u.Length / sizeof(wchar_t)) : std::wstring();
}

Handle openDirectory(const std::wstring& path, HANDLE root = nullptr) {
  const NtApi& api = ntApi();
  if (!api.NtOpenDirectoryObject) return Handle();
  std::wstring p = path;
  UNICODE_STRING name = unicode(p);
  OBJECT_ATTRIBUTES oa{};
  oa.Length = sizeof oa;
  oa.RootDirectory = root;
  oa.ObjectName = &name;
  HANDLE dir = nullptr;
  if (!ntSuccess(api.NtOpenDirectoryObject(&dir, kDirectoryQuery | kDirectoryTraverse, &oa))) return Handle();
  return Handle(dir);
}

struct DirEntry {
  std::wstring name, type;
};

// One entry at a time (ReturnSingleEntry): what Wine implements, and enough for a listing.
std::vector<DirEntry> readDirectory(HANDLE dir) {
  std::vector<DirEntry> out;
  const NtApi& api = ntApi();
  if (!api.NtQueryDirectoryObject) return out;
  std::vector<ULONG_PTR> buffer(512);  // 4 KiB, pointer-aligned
  ULONG context = 0;
  bool restart = true;
  for (;;) {
    ULONG length = 0;
    LONG status = api.NtQueryDirectoryObject(dir, buffer.data(), static_cast<ULONG>(buffer.size() * sizeof(ULONG_PTR)),
                                             TRUE, restart, &context, &length);
    if (status == kStatusBufferTooSmall || status == kStatusMoreEntries) {
      if (buffer.size() * sizeof(ULONG_PTR) >= (1u << 20)) break;
      buffer.resize(buffer.size() * 4);  // the same entry again: the context did not move
      continue;
    }
    if (!ntSuccess(status)) break;  // STATUS_NO_MORE_ENTRIES, or a directory we may not read
    const auto* info = reinterpret_cast<const ObjectDirectoryInformation*>(buffer.data());
    out.push_back({fromUnicode(info->Name), fromUnicode(info->TypeName)});
    restart = false;
  }
  return out;
}

// ActiveProcesses of a job opened with JOB_OBJECT_QUERY; empty note when it could be read.
uint64_t activeProcesses(HANDLE job, std::string& note) {
  JOBOBJECT_BASIC_ACCOUNTING_INFORMATION info{};
  if (::QueryInformationJobObject(job, JobObjectBasicAccountingInformation, &info, sizeof info, nullptr)) {
    return info.ActiveProcesses;
  }
  note = "process count unknown: the job cannot be queried (" + win32ErrorName(::GetLastError()) + ")";
  return 0;
}

std::optional<uint32_t> heldBy(HANDLE job, const std::vector<HeldJob>& ours) {
  if (!job) return std::nullopt;
  for (const HeldJob& h : ours) {
    if (sameObject(job, h.handle.get())) return h.id;
  }
  return std::nullopt;
}

// "Local\x" and "x" name the same object from this session; compare without the prefix.
std::string withoutLocal(const std::string& name) {
  return name.rfind("Local\\", 0) == 0 ? name.substr(6) : name;
}

std::optional<uint32_t> heldByName(const std::string& path, const std::vector<HeldJob>& ours) {
  for (const HeldJob& h : ours) {
    if (!h.path.empty() && withoutLocal(h.path) == withoutLocal(path)) return h.id;
  }
  return std::nullopt;
}

void listDirectory(const std::wstring& dirPath, const std::string& prefix, const std::vector<HeldJob>& ours,
                   std::vector<JobTreeEntry>& out, const std::string& sessionNote) {
  Handle dir = openDirectory(dirPath);
  if (!dir.valid()) return;
  const NtApi& api = ntApi();
  for (DirEntry& e : readDirectory(dir.get())) {
    if (e.type != L"Job") continue;
    JobTreeEntry entry;
    entry.name = toUtf8(e.name);
    entry.path = prefix + entry.name;
    std::string note = sessionNote;
    Handle job;
    if (api.NtOpenJobObject) {
      UNICODE_STRING name = unicode(e.name);
      OBJECT_ATTRIBUTES oa{};
      oa.Length = sizeof oa;
      oa.RootDirectory = dir.get();
      oa.ObjectName = &name;
      HANDLE raw = nullptr;
      LONG status = api.NtOpenJobObject(&raw, JOB_OBJECT_QUERY, &oa);
      if (ntSuccess(status)) {
        job.reset(raw);
      } else {
        DWORD err = api.RtlNtStatusToDosError ? api.RtlNtStatusToDosError(status) : ERROR_ACCESS_DENIED;
        if (note.empty()) note = "process count unknown: the job cannot be opened (" + win32ErrorName(err) + ")";
      }
    }
    if (job.valid()) {
      std::string queryNote;
      entry.processCount = activeProcesses(job.get(), queryNote);
      if (note.empty()) note = queryNote;
      entry.heldJobId = heldBy(job.get(), ours);
    }
    if (!entry.heldJobId && sessionNote.empty()) entry.heldJobId = heldByName(entry.path, ours);
    if (!note.empty()) entry.note = note;
    out.push_back(std::move(entry));
  }
}

// The whole handle table (SystemExtendedHandleInformation), grown until it fits.
std::vector<ULONG_PTR> handleTable() {
  const NtApi& api = ntApi();
  std::vector<ULONG_PTR> buffer;
  if (!api.NtQuerySystemInformation) return buffer;
  buffer.resize((1u << 20) / sizeof(ULONG_PTR));
  for (int attempt = 0; attempt < 8; ++attempt) {
    ULONG needed = 0;
    LONG status = api.NtQuerySystemInformation(kSystemExtendedHandleInformation, buffer.data(),
                                               static_cast<ULONG>(buffer.size() * sizeof(ULONG_PTR)), &needed);
    if (ntSuccess(status)) return buffer;
    if (status != kStatusInfoLengthMismatch) break;
    size_t bytes = std::max<size_t>(needed + (64u << 10), buffer.size() * sizeof(ULONG_PTR) * 2);
    buffer.assign(bytes / sizeof(ULONG_PTR) + 1, 0);
  }
  buffer.clear();
  return buffer;
}

std::wstring objectName(HANDLE h) {
  const NtApi& api = ntApi();
  if (!api.NtQueryObject) return L"";
  std::vector<ULONG_PTR> buffer(256);
  ULONG length = 0;
  if (!ntSuccess(api.NtQueryObject(h, kObjectNameInformation, buffer.data(),
                                   static_cast<ULONG>(buffer.size() * sizeof(ULONG_PTR)), &length))) {
    return L"";
  }
  return fromUnicode(*reinterpret_cast<const UNICODE_STRING*>(buffer.data()));
}

std::string hex(ULONG_PTR v) {
  char text[32];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(v));
  return text;
}

// Unnamed jobs: every Job handle of every process we may duplicate handles from, one entry per object.
void listUnnamed(const std::vector<HeldJob>& ours, std::vector<JobTreeEntry>& out) {
  Handle probe(::CreateJobObjectW(nullptr, nullptr));  // tells the Job type index
  if (!probe.valid()) return;
  std::vector<ULONG_PTR> table = handleTable();
  if (table.empty()) return;
  const auto* info = reinterpret_cast<const SystemHandleInformationEx*>(table.data());
  const size_t capacity = (table.size() * sizeof(ULONG_PTR) - offsetof(SystemHandleInformationEx, Handles)) /
                          sizeof(SystemHandleEntryEx);
  const size_t count = std::min<size_t>(info->NumberOfHandles, capacity);
  const ULONG_PTR self = ::GetCurrentProcessId();
  int typeIndex = -1;
  for (size_t i = 0; i < count; ++i) {
    const SystemHandleEntryEx& e = info->Handles[i];
    if (e.UniqueProcessId == self && e.HandleValue == reinterpret_cast<ULONG_PTR>(probe.get())) {
      typeIndex = e.ObjectTypeIndex;
      break;
    }
  }
  if (typeIndex < 0) return;

  std::map<DWORD, Handle> processes;  // PROCESS_DUP_HANDLE, per holder
  std::map<std::string, std::string> users;
  std::vector<Handle> seen;           // one duplicate per object listed (or skipped as named)
  std::vector<const void*> seenObjects;
  for (size_t i = 0; i < count; ++i) {
    const SystemHandleEntryEx& e = info->Handles[i];
    if (e.ObjectTypeIndex != typeIndex) continue;
    if (e.UniqueProcessId == self && e.HandleValue == reinterpret_cast<ULONG_PTR>(probe.get())) continue;
    if (e.Object && std::find(seenObjects.begin(), seenObjects.end(), e.Object) != seenObjects.end()) continue;
    const DWORD pid = static_cast<DWORD>(e.UniqueProcessId);
    auto it = processes.find(pid);
    if (it == processes.end()) {
      it = processes.emplace(pid, Handle(pid == self ? nullptr : ::OpenProcess(PROCESS_DUP_HANDLE, FALSE, pid))).first;
    }
    HANDLE source = pid == self ? ::GetCurrentProcess() : it->second.get();
    HANDLE dup = nullptr;
    if (!source || !::DuplicateHandle(source, reinterpret_cast<HANDLE>(e.HandleValue), ::GetCurrentProcess(), &dup,
                                      JOB_OBJECT_QUERY, FALSE, 0)) {
      continue;  // no right to look: without a handle the object cannot be told apart from the others
    }
    Handle job(dup);
    bool duplicate = false;
    for (const Handle& s : seen) {
      if (sameObject(s.get(), job.get())) {
        duplicate = true;
        break;
      }
    }
    if (duplicate) continue;
    if (e.Object) seenObjects.push_back(e.Object);
    const bool named = !objectName(job.get()).empty();  // listed from its directory
    if (!named) {
      JobTreeEntry entry;
      std::string holder;
      if (pid == self) {
        holder = "JobScope";
      } else if (Handle q = openForQuery(pid); q.valid()) {
        holder = imageName(q.get());
      }
      entry.name = "unnamed job of " + (holder.empty() ? std::string("pid ") + std::to_string(pid)
                                                       : holder + " (pid " + std::to_string(pid) + ")");
      entry.path = "";
      std::string note;
      entry.processCount = activeProcesses(job.get(), note);
      entry.heldJobId = heldBy(job.get(), ours);
      entry.note = note.empty() ? "unnamed: held by pid " + std::to_string(pid) + " as handle " + hex(e.HandleValue) +
                                      "; openJob cannot open it by name"
                                : note;
      out.push_back(std::move(entry));
    }
    seen.push_back(std::move(job));
  }
}

}  // namespace

std::vector<JobTreeEntry> listSystemJobs(const std::vector<HeldJob>& ours) {
  std::vector<JobTreeEntry> out;
  DWORD session = 0;
  ::ProcessIdToSessionId(::GetCurrentProcessId(), &session);
  // Global\ is \BaseNamedObjects; Local\ is this session's BaseNamedObjects (the same in session 0).
  listDirectory(L"\\BaseNamedObjects", "Global\\", ours, out, "");
  if (session != 0) {
    listDirectory(L"\\Sessions\\" + std::to_wstring(session) + L"\\BaseNamedObjects", "Local\\", ours, out, "");
  }
  // Other sessions' jobs: listed for the overview; their names are not reachable as Local\ or Global\.
  if (Handle sessions = openDirectory(L"\\Sessions"); sessions.valid()) {
    for (const DirEntry& d : readDirectory(sessions.get())) {
      if (d.type != L"Directory" || d.name.empty() || d.name.find_first_not_of(L"0123456789") != std::wstring::npos) {
        continue;
      }
      if (d.name == std::to_wstring(session) || d.name == L"0") continue;
      std::wstring dir = L"\\Sessions\\" + d.name + L"\\BaseNamedObjects";
      listDirectory(dir, "\\Sessions\\" + toUtf8(d.name) + "\\BaseNamedObjects\\", ours, out,
                    "in session " + toUtf8(d.name) + ": openJob cannot open it from this session");
    }
  }
  listUnnamed(ours, out);
  // Windows does not say which job another nests in; for the children we made, we know.
  for (JobTreeEntry& e : out) {
    if (!e.heldJobId) continue;
    auto held = std::find_if(ours.begin(), ours.end(), [&](const HeldJob& h) { return h.id == *e.heldJobId; });
    if (held == ours.end() || !held->parentId) continue;
    for (const JobTreeEntry& p : out) {
      if (p.heldJobId == held->parentId) e.parent = p.path.empty() ? p.name : p.path;
    }
  }
  return out;
}

}  // namespace jobscope::win
