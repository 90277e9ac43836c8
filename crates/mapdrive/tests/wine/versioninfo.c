/* What Windows' own APIs read from an executable's resources, for tests/wine/resources.rs:
 * the version resource through GetFileVersionInfoW/VerQueryValueW (what Explorer's Properties and
 * PowerShell's VersionInfo use) and RT_MANIFEST resource 1 (what the loader applies).
 * Usage: versioninfo.exe FILE  → UTF-8 lines "Name=value", then "Manifest:" and the manifest.
 * Built by the test with x86_64-w64-mingw32-gcc -municode ... -lversion; not part of mapdrive. */
#include <windows.h>
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>

static void put_utf8(const wchar_t *s)
{
    char buf[4096];
    int n = WideCharToMultiByte(CP_UTF8, 0, s, -1, buf, sizeof buf, NULL, NULL);
    if (n > 0)
        fwrite(buf, 1, (size_t)n - 1, stdout);
}

int wmain(int argc, wchar_t **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: versioninfo FILE\n");
        return 2;
    }
    _setmode(_fileno(stdout), _O_BINARY); /* "\n", not "\r\n": the manifest is compared byte for byte */
    DWORD ignored = 0;
    DWORD size = GetFileVersionInfoSizeW(argv[1], &ignored);
    if (size == 0) {
        fprintf(stderr, "GetFileVersionInfoSizeW failed: %lu\n", GetLastError());
        return 1;
    }
    void *data = malloc(size);
    if (!data || !GetFileVersionInfoW(argv[1], 0, size, data)) {
        fprintf(stderr, "GetFileVersionInfoW failed: %lu\n", GetLastError());
        return 1;
    }
    VS_FIXEDFILEINFO *fixed = NULL;
    UINT len = 0;
    if (VerQueryValueW(data, L"\\", (void **)&fixed, &len) && fixed) {
        printf("Fixed.FileVersion=%u.%u.%u.%u\n", (unsigned)HIWORD(fixed->dwFileVersionMS),
               (unsigned)LOWORD(fixed->dwFileVersionMS), (unsigned)HIWORD(fixed->dwFileVersionLS),
               (unsigned)LOWORD(fixed->dwFileVersionLS));
        printf("Fixed.ProductVersion=%u.%u.%u.%u\n", (unsigned)HIWORD(fixed->dwProductVersionMS),
               (unsigned)LOWORD(fixed->dwProductVersionMS), (unsigned)HIWORD(fixed->dwProductVersionLS),
               (unsigned)LOWORD(fixed->dwProductVersionLS));
        printf("Fixed.FileType=%lu\n", fixed->dwFileType);
    }
    struct { WORD lang, cp; } *tr = NULL;
    if (!VerQueryValueW(data, L"\\VarFileInfo\\Translation", (void **)&tr, &len) || len < 4) {
        fprintf(stderr, "no VarFileInfo\\Translation\n");
        return 1;
    }
    printf("Translation=%04x%04x\n", tr[0].lang, tr[0].cp);
    static const wchar_t *names[] = {L"CompanyName", L"FileDescription", L"FileVersion",
                                     L"InternalName", L"LegalCopyright", L"OriginalFilename",
                                     L"ProductName", L"ProductVersion"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        wchar_t path[128];
        swprintf(path, 128, L"\\StringFileInfo\\%04x%04x\\%ls", tr[0].lang, tr[0].cp, names[i]);
        wchar_t *value = NULL;
        if (VerQueryValueW(data, path, (void **)&value, &len) && value) {
            put_utf8(names[i]);
            fputs("=", stdout);
            put_utf8(value);
            fputs("\n", stdout);
        }
    }
    HMODULE module = LoadLibraryExW(argv[1], NULL, LOAD_LIBRARY_AS_DATAFILE | LOAD_LIBRARY_AS_IMAGE_RESOURCE);
    HRSRC res = module ? FindResourceW(module, MAKEINTRESOURCEW(1), MAKEINTRESOURCEW(24)) : NULL;
    HGLOBAL loaded = res ? LoadResource(module, res) : NULL;
    const char *manifest = loaded ? LockResource(loaded) : NULL;
    if (!manifest) {
        fprintf(stderr, "no RT_MANIFEST resource 1: %lu\n", GetLastError());
        return 1;
    }
    fputs("Manifest:\n", stdout);
    fwrite(manifest, 1, SizeofResource(module, res), stdout);
    return 0;
}
