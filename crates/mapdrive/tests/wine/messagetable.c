/* What Event Viewer does with an event of source mapdrive once `mapdrive eventlog install`
 * registered it: loads the EventMessageFile as a data file and formats the event ID's message from
 * its RT_MESSAGETABLE with the event's inserts (FormatMessageW, FORMAT_MESSAGE_FROM_HMODULE), for
 * tests/wine/eventlog.rs.
 * Usage: messagetable.exe FILE ID...  → for each ID, UTF-8 "ID=" and the message with the inserts
 * %1..%9 replaced by <1>..<9>, then a line "--".
 * Built by the test with x86_64-w64-mingw32-gcc -municode; not part of mapdrive. */
#include <windows.h>
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>

static void put_utf8(const wchar_t *s)
{
    char buf[8192];
    int n = WideCharToMultiByte(CP_UTF8, 0, s, -1, buf, sizeof buf, NULL, NULL);
    if (n > 0)
        fwrite(buf, 1, (size_t)n - 1, stdout);
}

int wmain(int argc, wchar_t **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: messagetable FILE ID...\n");
        return 2;
    }
    _setmode(_fileno(stdout), _O_BINARY);
    HMODULE module = LoadLibraryExW(argv[1], NULL, LOAD_LIBRARY_AS_DATAFILE | LOAD_LIBRARY_AS_IMAGE_RESOURCE);
    if (!module) {
        fprintf(stderr, "LoadLibraryExW failed: %lu\n", GetLastError());
        return 1;
    }
    if (!FindResourceW(module, MAKEINTRESOURCEW(1), MAKEINTRESOURCEW(11) /* RT_MESSAGETABLE */)) {
        fprintf(stderr, "no RT_MESSAGETABLE 1: %lu\n", GetLastError());
        return 1;
    }
    const wchar_t *inserts[9] = {L"<1>", L"<2>", L"<3>", L"<4>", L"<5>", L"<6>", L"<7>", L"<8>", L"<9>"};
    int failed = 0;
    for (int i = 2; i < argc; i++) {
        DWORD id = wcstoul(argv[i], NULL, 10);
        wchar_t *text = NULL;
        DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_HMODULE | FORMAT_MESSAGE_ALLOCATE_BUFFER |
                                     FORMAT_MESSAGE_ARGUMENT_ARRAY,
                                 module, id, 0, (wchar_t *)&text, 0, (va_list *)inserts);
        if (n == 0) {
            fprintf(stderr, "FormatMessageW(%lu) failed: %lu\n", id, GetLastError());
            failed = 1;
            continue;
        }
        printf("%lu=", id);
        put_utf8(text);
        printf("\n--\n");
        LocalFree(text);
    }
    FreeLibrary(module);
    return failed;
}
