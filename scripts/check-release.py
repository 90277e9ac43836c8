#!/usr/bin/env python3
"""Checks one release folder made by scripts/release.sh (called by scripts/test-release.sh with the
venv from `scripts/bootstrap.sh --release`, which has jsonschema and PyYAML).

Usage: check-release.py DIST VERSION EPOCH BASE_URL SCHEMAS_DIR|-

Exits non-zero with every problem found. SCHEMAS_DIR "-" skips the schema validation (the caller
says so loudly).
"""

import datetime
import hashlib
import json
import os
import sys
import tarfile
import zipfile

problems = []


def check(cond, what):
    if not cond:
        problems.append(what)
    return cond


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main(dist, version, epoch, base_url, schemas):
    name = f"mapdrive-{version}-x86_64-pc-windows-gnu.zip"
    zpath = os.path.join(dist, name)
    stamp = datetime.datetime.fromtimestamp(int(epoch), tz=datetime.timezone.utc)

    # The archive: exactly these entries, sorted, all dated with the commit's time.
    tarball = f"mapdrive-windows-{version}.tar.gz"
    expected = sorted([
        "CHANGELOG.md", "LICENSE-APACHE", "LICENSE-MIT", "README.md", "mapdrive.exe", "mapdrivew.exe",
        "mapdrive.dsc.manifests.json", tarball, "completions/_mapdrive",
        "completions/mapdrive.bash", "completions/mapdrive.fish", "completions/mapdrive.ps1",
    ])
    with zipfile.ZipFile(zpath) as z:
        names = z.namelist()
        check(names == expected, f"archive entries {names} != {expected}")
        for info in z.infolist():
            check(info.date_time == (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute,
                                     stamp.second // 2 * 2),
                  f"{info.filename}: dated {info.date_time}, not the commit's time {stamp}")
        check(z.testzip() is None, "a CRC error in the archive")
        cargo_home = os.path.realpath(os.environ.get("CARGO_HOME", os.path.expanduser("~/.cargo")))
        # mapdrivew.exe: the same program for the GUI subsystem (docs/mapdrivew.md).
        for exe_name, subsystem in [("mapdrive.exe", 3), ("mapdrivew.exe", 2)]:
            data = z.read(exe_name)
            check(data[:2] == b"MZ", f"{exe_name} is not a PE file")
            check(len(data) < 2 * 1024 * 1024, f"{exe_name} is {len(data)} bytes, not under 2 MiB")
            # IMAGE_DOS_HEADER.e_lfanew, then "PE\0\0", IMAGE_FILE_HEADER (20 bytes), and the
            # optional header's Subsystem at its offset 68: 2 = GUI, 3 = console.
            nt = int.from_bytes(data[0x3C:0x40], "little")
            got = int.from_bytes(data[nt + 24 + 68:nt + 24 + 70], "little")
            check(data[nt:nt + 4] == b"PE\0\0" and got == subsystem,
                  f"{exe_name}: PE subsystem {got}, not {subsystem}")
            # cargo auditable: the dependency list in a .dep-v0 section (the name is in the section table).
            check(b".dep-v0" in data[:4096], f"{exe_name} has no .dep-v0 section (not built with cargo auditable)")
            check(b"V\x00S\x00_\x00V\x00E\x00R\x00S\x00I\x00O\x00N\x00_\x00I\x00N\x00F\x00O" in data,
                  f"{exe_name} has no version resource")
            original = "\0".join(exe_name).encode() + b"\0"
            check(original in data, f"{exe_name}'s version resource does not name it (OriginalFilename)")
            check(b"<activeCodePage" in data, f"{exe_name} has no application manifest")
            check(cargo_home.encode() + b"/registry" not in data,
                  f"{exe_name} names the builder's cargo home {cargo_home} (--remap-path-prefix)")
        exe = z.read("mapdrive.exe")
        for doc in ["README.md", "CHANGELOG.md", "LICENSE-MIT", "LICENSE-APACHE", "mapdrive.dsc.manifests.json"]:
            with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                   "dsc" if doc.endswith(".json") else "", doc), "rb") as f:
                check(z.read(doc) == f.read(), f"{doc} in the archive differs from the checkout's")
        ps1 = z.read("completions/mapdrive.ps1").decode()
        check("Register-ArgumentCompleter" in ps1 and "'completions'" in ps1,
              "completions/mapdrive.ps1 is not mapdrive's PowerShell completion")
        with open(os.path.join(dist, ".tarball"), "wb") as f:
            f.write(z.read(tarball))
    with tarfile.open(os.path.join(dist, ".tarball")) as t:
        members = t.getmembers()
        tnames = [m.name for m in members]
        check(tnames[:2] == ["MANIFEST.json", "FILES.json"], f"collection tarball starts with {tnames[:2]}")
        check("plugins/modules/win_mapped_drive.exe" in tnames, "collection lacks win_mapped_drive.exe")
        check(all(m.mtime == int(epoch) and m.uid == 0 and m.uname == "" for m in members),
              "collection tarball entries are not normalised (time, owner)")
        manifest = json.load(t.extractfile("MANIFEST.json"))
        check(manifest["collection_info"]["version"] == version, "collection version")
        module = t.extractfile("plugins/modules/win_mapped_drive.exe").read()
        check(module == exe, "the collection's module exe is not the archive's mapdrive.exe")
    os.remove(os.path.join(dist, ".tarball"))

    # SHA256SUMS names every other file in dist/ (sha256sum -c is run by the caller too).
    listed = {}
    with open(os.path.join(dist, "SHA256SUMS"), encoding="utf-8") as f:
        for line in f:
            digest, _, path = line.rstrip("\n").partition("  ")
            listed[path] = digest
    on_disk = sorted(os.path.relpath(os.path.join(d, n), dist)
                     for d, _, ns in os.walk(dist) for n in ns if n != "SHA256SUMS")
    check(sorted(listed) == on_disk, f"SHA256SUMS lists {sorted(listed)}, dist has {on_disk}")
    for path, digest in listed.items():
        check(sha256(os.path.join(dist, path)) == digest, f"SHA256SUMS: {path}")

    # The SBOM: CycloneDX JSON of mapdrive.exe's (normal, Windows-target) dependencies.
    with open(os.path.join(dist, f"mapdrive-{version}.cdx.json"), encoding="utf-8") as f:
        bom_text = f.read()
    bom = json.loads(bom_text)
    checkout = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    check(checkout not in bom_text, f"the SBOM names the checkout's path {checkout}")
    check(bom.get("bomFormat") == "CycloneDX", "SBOM bomFormat")
    check(bom.get("specVersion") == "1.5", "SBOM specVersion")
    check(str(bom.get("serialNumber", "")).startswith("urn:uuid:"), "SBOM serialNumber")
    meta = bom.get("metadata", {})
    check(meta.get("timestamp") == stamp.strftime("%Y-%m-%dT%H:%M:%SZ"), "SBOM timestamp is not the commit's")
    check(meta.get("component", {}).get("name") == "mapdrive", "SBOM metadata.component is not mapdrive")
    check(meta.get("component", {}).get("version") == version, "SBOM component version")
    comps = {c.get("name"): c for c in bom.get("components", [])}
    for dep in ["clap", "serde", "serde_json", "windows-sys", "zeroize", "clap_complete"]:
        check(dep in comps, f"SBOM lacks {dep}")
    for dev in ["proptest", "insta", "assert_cmd", "tempfile", "embed-resource"]:
        check(dev not in comps, f"SBOM lists {dev}, which is not in mapdrive.exe")
    for c in comps.values():
        check(str(c.get("purl", "")).startswith("pkg:cargo/"), f"SBOM component {c.get('name')} has no cargo purl")
        check(c.get("version"), f"SBOM component {c.get('name')} has no version")

    # Manifests: filled from the archive.
    digest = sha256(zpath)
    url = base_url.rstrip("/") + "/" + name
    import yaml  # from the venv
    winget = os.path.join(dist, "winget")
    docs = {}
    for kind, fname in [("version", "mapdrive.mapdrive.yaml"),
                        ("installer", "mapdrive.mapdrive.installer.yaml"),
                        ("defaultLocale", "mapdrive.mapdrive.locale.en-US.yaml")]:
        with open(os.path.join(winget, fname), encoding="utf-8") as f:
            docs[kind] = yaml.safe_load(f)
        check(docs[kind]["ManifestType"] == kind, f"{fname}: ManifestType")
        check(str(docs[kind]["PackageVersion"]) == version, f"{fname}: PackageVersion")
    inst = docs["installer"]
    check(inst["InstallerType"] == "zip" and inst["NestedInstallerType"] == "portable", "winget installer types")
    check(inst["NestedInstallerFiles"] == [{"RelativeFilePath": "mapdrive.exe", "PortableCommandAlias": "mapdrive"},
                                           {"RelativeFilePath": "mapdrivew.exe", "PortableCommandAlias": "mapdrivew"}],
          "winget NestedInstallerFiles")
    check(inst["Commands"] == ["mapdrive", "mapdrivew"], "winget Commands")
    check(inst["Installers"][0]["InstallerUrl"] == url, "winget InstallerUrl")
    check(inst["Installers"][0]["InstallerSha256"] == digest.upper(), "winget InstallerSha256 is not the archive's")
    with open(os.path.join(dist, "scoop", "mapdrive.json"), encoding="utf-8") as f:
        scoop = json.load(f)
    arch = scoop["architecture"]["64bit"]
    check(arch["url"] == url and arch["hash"] == digest, "Scoop url/hash are not the archive's")
    check(scoop["bin"] == ["mapdrive.exe", "mapdrivew.exe"] and scoop["version"] == version, "Scoop bin/version")
    check("checkver" in scoop and "autoupdate" in scoop, "Scoop checkver/autoupdate")

    if schemas != "-":
        from jsonschema import Draft7Validator
        pairs = [(docs["version"], "winget-1.12.0/manifest.version.1.12.0.json"),
                 (docs["installer"], "winget-1.12.0/manifest.installer.1.12.0.json"),
                 (docs["defaultLocale"], "winget-1.12.0/manifest.defaultLocale.1.12.0.json"),
                 (scoop, "scoop/schema.json")]
        for doc, schema_file in pairs:
            with open(os.path.join(schemas, schema_file), encoding="utf-8") as f:
                schema = json.load(f)
            Draft7Validator.check_schema(schema)
            errors = sorted(Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)
                            .iter_errors(doc), key=str)
            for e in errors:
                problems.append(f"{schema_file}: {'/'.join(map(str, e.absolute_path))}: {e.message}")
            print(f"   valid against {schema_file}: {not errors}")

    if problems:
        for p in problems:
            print("check-release: " + p, file=sys.stderr)
        sys.exit(1)
    print(f"   {dist}: archive, collection, SHA256SUMS, SBOM ({len(comps)} components) and manifests as expected")


if __name__ == "__main__":
    main(*sys.argv[1:])
