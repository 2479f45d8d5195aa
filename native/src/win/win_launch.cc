// WinJob::launch (a program started inside the job and its ancestors) and WinJob::createChild.
#include <algorithm>
#include <vector>

#include "errors.h"
#include "win_job.h"

namespace jobscope::win {
namespace {

// One argument as CommandLineToArgvW (and the MSVC C runtime) will read it back: unchanged when it
// has no blank or quote, else in quotes, with backslashes doubled where they precede a quote (an
// escaped quote inside, or the closing one) and a quote inside escaped.
void appendQuoted(std::wstring& out, const std::wstring& arg) {
  if (!arg.empty() && arg.find_first_of(L" \t\n\v\"") == std::wstring::npos) {
    out += arg;
    return;
  }
  out += L'"';
  for (size_t i = 0;; ++i) {
    size_t backslashes = 0;
    while (i < arg.size() && arg[i] == L'\\') {
      ++i;
      ++backslashes;
    }
    if (i == arg.size()) {
      out.append(backslashes * 2, L'\\');  // they precede the closing quote
      break;
    }
    if (arg[i] == L'"') {
      out.append(backslashes * 2 + 1, L'\\');
      out += L'"';
    } else {
      out.append(backslashes, L'\\');
      out += arg[i];
    }
  }
  out += L'"';
}

// argv[0] follows other rules: CommandLineToArgvW takes the program name up to the first blank, or
// between quotes with no escapes at all. A Windows file name cannot contain a quote, so quoting it
// when it has a blank is enough.
std::wstring commandLineOf(const std::wstring& program, const std::vector<std::string>& args) {
  std::wstring line;
  if (program.find_first_of(L" \t") != std::wstring::npos || program.empty()) {
    line = L"\"" + program + L"\"";
  } else {
    line = program;
  }
  for (const std::string& a : args) {
    line += L' ';
    appendQuoted(line, toWide(a));
  }
  return line;
}

// A CREATE_UNICODE_ENVIRONMENT block: "NAME=value\0" entries sorted by name the way Windows sorts
// them (ordinal, case-insensitive), then one more "\0".
std::vector<wchar_t> environmentBlock(const std::vector<std::string>& entries) {
  std::vector<std::wstring> wide;
  for (const std::string& e : entries) wide.push_back(toWide(e));
  auto nameOf = [](const std::wstring& e) { return e.substr(0, e.find(L'=')); };
  std::stable_sort(wide.begin(), wide.end(), [&](const std::wstring& a, const std::wstring& b) {
    std::wstring na = nameOf(a), nb = nameOf(b);
    return ::CompareStringOrdinal(na.c_str(), static_cast<int>(na.size()), nb.c_str(), static_cast<int>(nb.size()),
                                  TRUE) == CSTR_LESS_THAN;
  });
  std::vector<wchar_t> block;
  for (const std::wstring& e : wide) {
    block.insert(block.end(), e.begin(), e.end());
    block.push_back(L'\0');
  }
  if (block.empty()) block.push_back(L'\0');
  block.push_back(L'\0');
  return block;
}

bool isAbsolute(const std::wstring& path) {
  return (path.size() >= 2 && path[1] == L':') || (!path.empty() && (path[0] == L'\\' || path[0] == L'/'));
}

// The executable CreateProcessW will run: a path (relative ones against options.cwd when given), or a
// name looked up like the shell does (the application's folder, the current folder, the system
// folders, PATH), ".exe" added when the name has no extension.
std::wstring resolveProgram(const std::wstring& file, const std::optional<std::wstring>& cwd, const std::string& what) {
  std::wstring candidate = file;
  if (cwd && !isAbsolute(file) && file.find_first_of(L"\\/") != std::wstring::npos) candidate = *cwd + L"\\" + file;
  std::vector<wchar_t> found(MAX_PATH);
  for (;;) {
    DWORD n = ::SearchPathW(nullptr, candidate.c_str(), L".exe", static_cast<DWORD>(found.size()), found.data(), nullptr);
    if (n == 0) {
      DWORD err = ::GetLastError();
      if (err == ERROR_FILE_NOT_FOUND || err == ERROR_PATH_NOT_FOUND) {
        throw Error(win32ErrorName(err), what + ": no such program (looked for it as a path and in PATH) (" +
                                             win32ErrorName(err) + ")");
      }
      throwWin32(err, what);
    }
    if (n < found.size()) return std::wstring(found.data(), n);
    found.resize(n);
  }
}

struct AttributeList {
  std::vector<unsigned char> storage;
  LPPROC_THREAD_ATTRIBUTE_LIST list = nullptr;
  ~AttributeList() {
    if (list) ::DeleteProcThreadAttributeList(list);
  }
};

}  // namespace

int64_t WinJob::launch(const LaunchOptions& options) {
  checkOpen();
  const std::string what = "cannot launch " + options.file + " in job " + p_.name;
  std::optional<std::wstring> cwd;
  if (options.cwd) {
    cwd = toWide(*options.cwd);
    DWORD attrs = ::GetFileAttributesW(cwd->c_str());
    if (attrs == INVALID_FILE_ATTRIBUTES || !(attrs & FILE_ATTRIBUTE_DIRECTORY)) {
      throw Error("ERROR_DIRECTORY", what + ": the working directory " + *options.cwd +
                                         " does not exist or is not a folder (ERROR_DIRECTORY)");
    }
  }
  const std::wstring program = resolveProgram(toWide(options.file), cwd, what);
  // What Windows answers for a folder (Wine answers ERROR_INVALID_HANDLE): said plainly, on both.
  DWORD programAttrs = ::GetFileAttributesW(program.c_str());
  if (programAttrs != INVALID_FILE_ATTRIBUTES && (programAttrs & FILE_ATTRIBUTE_DIRECTORY)) {
    throw Error("ERROR_ACCESS_DENIED", what + ": " + toUtf8(program) + " is a folder, not a program (ERROR_ACCESS_DENIED)");
  }
  std::wstring line = commandLineOf(toWide(options.file), options.args);
  std::vector<wchar_t> env;
  if (options.env) env = environmentBlock(*options.env);

  // stdio: NUL, the only handle the child inherits (PROC_THREAD_ATTRIBUTE_HANDLE_LIST).
  SECURITY_ATTRIBUTES inherit{sizeof inherit, nullptr, TRUE};
  Handle nul(::CreateFileW(L"NUL", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit,
                           OPEN_EXISTING, 0, nullptr));
  if (!nul.valid()) throwWin32(::GetLastError(), what + ": cannot open NUL for its stdio");

  // The jobs, outermost first: PROC_THREAD_ATTRIBUTE_JOB_LIST assigns them in this order, so the
  // process is a member of each from its first instruction and this job nests in its ancestors.
  std::vector<HANDLE> jobList;
  for (const Handle& a : p_.ancestors) jobList.push_back(a.get());
  jobList.push_back(p_.handle.get());
  HANDLE inherited[] = {nul.get()};

  AttributeList attrs;
  SIZE_T size = 0;
  ::InitializeProcThreadAttributeList(nullptr, 2, 0, &size);
  attrs.storage.resize(size);
  auto* list = reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(attrs.storage.data());
  if (!::InitializeProcThreadAttributeList(list, 2, 0, &size)) throwWin32(::GetLastError(), what);
  attrs.list = list;
  if (!::UpdateProcThreadAttribute(list, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, inherited, sizeof inherited, nullptr,
                                   nullptr)) {
    throwWin32(::GetLastError(), what);
  }
  // Windows before 10 lacks JOB_LIST: then the process starts suspended and is assigned before it runs.
  const bool jobListAttr = ::UpdateProcThreadAttribute(list, 0, PROC_THREAD_ATTRIBUTE_JOB_LIST, jobList.data(),
                                                       jobList.size() * sizeof(HANDLE), nullptr, nullptr);

  STARTUPINFOEXW si{};
  si.StartupInfo.cb = sizeof si;
  si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
  si.StartupInfo.hStdInput = si.StartupInfo.hStdOutput = si.StartupInfo.hStdError = nul.get();
  si.lpAttributeList = list;
  DWORD flags = EXTENDED_STARTUPINFO_PRESENT | CREATE_NO_WINDOW | CREATE_UNICODE_ENVIRONMENT;
  if (!jobListAttr) flags |= CREATE_SUSPENDED;
  PROCESS_INFORMATION pi{};
  if (!::CreateProcessW(program.c_str(), line.data(), nullptr, nullptr, TRUE, flags, env.empty() ? nullptr : env.data(),
                        cwd ? cwd->c_str() : nullptr, &si.StartupInfo, &pi)) {
    DWORD err = ::GetLastError();
    if (err == ERROR_ACCESS_DENIED) {
      throw Error("ERROR_ACCESS_DENIED", what + ": access denied: " + toUtf8(program) +
                                             " is not executable by this user, or the job cannot take the process "
                                             "(ERROR_ACCESS_DENIED)");
    }
    if (err == ERROR_BAD_EXE_FORMAT) {
      throw Error("ERROR_BAD_EXE_FORMAT", what + ": " + toUtf8(program) + " is not a Windows program (ERROR_BAD_EXE_FORMAT)");
    }
    throwWin32(err, what);
  }
  Handle process(pi.hProcess), thread(pi.hThread);
  if (!jobListAttr) {
    for (HANDLE job : jobList) {
      if (!::AssignProcessToJobObject(job, process.get())) {
        DWORD err = ::GetLastError();
        ::TerminateProcess(process.get(), 1);
        throwWin32(err, what + ": the suspended process could not be put in the job");
      }
    }
    ::ResumeThread(thread.get());
  }
  return static_cast<int64_t>(pi.dwProcessId);
}

// Windows nests a job in another when a process of the outer job is put in it; there is no
// parent-child link between empty jobs. A child therefore keeps its ancestors' handles, and
// assign()/launch() put processes into them first, so the child nests where it was created.
//
// Naming: "/" means nothing to the object manager and "\" is a directory separator, so a child of a
// named job `<parent>` given the name `<name>` is the object `<parent>.<name>` (same namespace as the
// parent; the name must not contain a backslash). A child of an unnamed job takes the name as given
// (createJob's rules), and a child without a name is unnamed (JobInfo.name "job-<id>").
std::shared_ptr<Job> WinJob::createChild(const std::optional<std::string>& name, const LimitChanges& limits) {
  checkOpen();
  const std::string what = "cannot create a child of job " + p_.name;
  if (!childFactory_) throw Error("EINTERNAL", what + ": no backend to create it (EINTERNAL)");
  std::optional<std::string> objectName = name;
  if (name && !p_.path.empty()) {
    if (name->find('\\') != std::string::npos) {
      throw Error("EINVAL", what + ": the child of a named job is named <parent>.<name>, so " + *name +
                                " must not contain a backslash (EINVAL)");
    }
    objectName = p_.path + "." + *name;
    if (toWide(*objectName).size() > 260) {
      throw Error("EINVAL", what + ": " + *objectName + " is longer than 260 UTF-16 units (EINVAL)");
    }
  }
  std::vector<Handle> ancestors;
  for (const Handle& a : p_.ancestors) ancestors.push_back(duplicate(a.get(), what));
  ancestors.push_back(duplicate(p_.handle.get(), what));
  std::shared_ptr<WinJob> child = childFactory_(objectName, std::move(ancestors), p_.id);
  if (limits.any()) {
    try {
      child->applyLimits(limits);
    } catch (...) {
      child->close();
      throw;
    }
  }
  return child;
}

}  // namespace jobscope::win
