/* Starts a program the way Task Scheduler starts mapdrivew.exe: with no standard handles at all
 * (STARTF_USESTDHANDLES with NULL input, output and error), waits for it and prints its exit code.
 * For tests/wine/gui.rs. Usage: nohandles.exe "COMMAND LINE"  → "exit=N".
 * Built by the test with x86_64-w64-mingw32-gcc -municode; not part of mapdrive. */
#include <windows.h>
#include <stdio.h>

int wmain(int argc, wchar_t **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: nohandles \"COMMAND LINE\"\n");
        return 2;
    }
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    ZeroMemory(&si, sizeof si);
    ZeroMemory(&pi, sizeof pi);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES; /* hStdInput, hStdOutput, hStdError: NULL */
    if (!CreateProcessW(NULL, argv[1], NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi)) {
        fprintf(stderr, "CreateProcessW failed: %lu\n", GetLastError());
        return 2;
    }
    WaitForSingleObject(pi.hProcess, INFINITE);
    DWORD code = 0;
    if (!GetExitCodeProcess(pi.hProcess, &code)) {
        fprintf(stderr, "GetExitCodeProcess failed: %lu\n", GetLastError());
        return 2;
    }
    printf("exit=%lu\n", code);
    return 0;
}
