// Turning GetLastError() values and NTSTATUS codes into jobscope::Error with plain-words messages.
#pragma once

#include <windows.h>

#include <string>

#include "../backend.h"

namespace jobscope::win {

// "ERROR_ACCESS_DENIED" for 5; "ERROR_<n>" for codes this file does not name.
std::string win32ErrorName(DWORD err);
// "<what>: <why in plain words> (<ERROR_NAME>)", code = the error's name.
[[noreturn]] void throwWin32(DWORD err, const std::string& what);
// The same for an NTSTATUS from an ntdll call, mapped to its Win32 error (the status is kept in the message).
[[noreturn]] void throwNtStatus(LONG status, const std::string& what);

}  // namespace jobscope::win
