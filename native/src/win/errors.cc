#include "errors.h"

#include <cctype>
#include <cstdio>

#include "handle.h"
#include "nt_api.h"

namespace jobscope::win {
namespace {

struct Known {
  DWORD code;
  const char* name;
  const char* why;  // nullptr: FormatMessage's text is clear enough
};

// The errors job, process and name calls return in practice, with wording that says what
// they mean for a job (FormatMessage's "The parameter is incorrect." does not).
constexpr Known kKnown[] = {
    {ERROR_INVALID_FUNCTION, "ERROR_INVALID_FUNCTION", "this version of Windows does not implement it"},
    {ERROR_FILE_NOT_FOUND, "ERROR_FILE_NOT_FOUND", "no object of that name exists"},
    {ERROR_PATH_NOT_FOUND, "ERROR_PATH_NOT_FOUND", "the namespace in the name does not exist"},
    {ERROR_ACCESS_DENIED, "ERROR_ACCESS_DENIED", "access denied"},
    {ERROR_INVALID_HANDLE, "ERROR_INVALID_HANDLE", "the handle is not valid"},
    {ERROR_NOT_ENOUGH_MEMORY, "ERROR_NOT_ENOUGH_MEMORY", "not enough memory"},
    {ERROR_OUTOFMEMORY, "ERROR_OUTOFMEMORY", "not enough memory"},
    {ERROR_BAD_LENGTH, "ERROR_BAD_LENGTH", "the buffer size does not fit the request"},
    {ERROR_GEN_FAILURE, "ERROR_GEN_FAILURE", nullptr},
    {ERROR_NOT_SUPPORTED, "ERROR_NOT_SUPPORTED", "this version of Windows does not support it"},
    {ERROR_INVALID_PARAMETER, "ERROR_INVALID_PARAMETER", "Windows rejected the request as invalid"},
    {ERROR_INSUFFICIENT_BUFFER, "ERROR_INSUFFICIENT_BUFFER", "the buffer is too small"},
    {ERROR_INVALID_NAME, "ERROR_INVALID_NAME", "the name is not a valid object name"},
    {ERROR_PROC_NOT_FOUND, "ERROR_PROC_NOT_FOUND", "this version of Windows lacks the function"},
    {ERROR_BAD_PATHNAME, "ERROR_BAD_PATHNAME", "the name is not a valid object name"},
    {ERROR_ALREADY_EXISTS, "ERROR_ALREADY_EXISTS", "an object of that name already exists"},
    {ERROR_FILENAME_EXCED_RANGE, "ERROR_FILENAME_EXCED_RANGE", "the name is too long"},
    {ERROR_MORE_DATA, "ERROR_MORE_DATA", "more data is available"},
    {ERROR_PARTIAL_COPY, "ERROR_PARTIAL_COPY", "the process's memory could not be read completely"},
    {ERROR_INVALID_ACCESS, "ERROR_INVALID_ACCESS", nullptr},
    {ERROR_NOACCESS, "ERROR_NOACCESS", nullptr},
    {ERROR_NOT_FOUND, "ERROR_NOT_FOUND", "not found"},
    {ERROR_PRIVILEGE_NOT_HELD, "ERROR_PRIVILEGE_NOT_HELD", "a required privilege is not held"},
    {ERROR_NO_SYSTEM_RESOURCES, "ERROR_NO_SYSTEM_RESOURCES", "the system is out of resources"},
};

const Known* find(DWORD err) {
  for (const auto& k : kKnown) {
    if (k.code == err) return &k;
  }
  return nullptr;
}

// The system's own message, first letter lowered and the trailing ".\r\n" dropped, so it reads
// as the second half of our sentence.
std::string systemMessage(DWORD err) {
  wchar_t* buffer = nullptr;
  DWORD n = ::FormatMessageW(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM |
                                 FORMAT_MESSAGE_IGNORE_INSERTS,
                             nullptr, err, 0, reinterpret_cast<wchar_t*>(&buffer), 0, nullptr);
  std::string text = n ? toUtf8(buffer, n) : "";
  if (buffer) ::LocalFree(buffer);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == '.' || text.back() == ' ')) {
    text.pop_back();
  }
  if (text.empty()) return "Windows error " + std::to_string(err);
  text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

}  // namespace

std::string win32ErrorName(DWORD err) {
  const Known* k = find(err);
  return k ? k->name : "ERROR_" + std::to_string(err);
}

void throwWin32(DWORD err, const std::string& what) {
  const Known* k = find(err);
  std::string why = k && k->why ? k->why : systemMessage(err);
  std::string name = win32ErrorName(err);
  throw Error(name, what + ": " + why + " (" + name + ")");
}

void throwNtStatus(LONG status, const std::string& what) {
  char hex[16];
  std::snprintf(hex, sizeof hex, "0x%08lX", static_cast<unsigned long>(status));
  const NtApi& api = ntApi();
  DWORD err = api.RtlNtStatusToDosError ? api.RtlNtStatusToDosError(status) : ERROR_MR_MID_NOT_FOUND;
  const Known* k = find(err);
  std::string why = k && k->why ? k->why : systemMessage(err);
  std::string name = win32ErrorName(err);
  throw Error(name, what + ": " + why + " (" + name + ", NTSTATUS " + hex + ")");
}

}  // namespace jobscope::win
