"""Unpacking a student's zip safely: regular files only, inside the archive, bounded.

A zip is opened through :func:`grader.submission.reader.open_regular` (no link, no FIFO), and
each member is checked before anything is written: no absolute path or ``..`` (nothing outside
the destination), no symbolic link (never created: a link could point at the references or a
classmate's work), no folder deeper than the reader's depth limit.  Sizes are counted as the
bytes are *actually* decompressed, not as the archive claims, so a zip bomb stops at the cap.
macOS litter (``__MACOSX/``, ``.DS_Store``, ``._name``) and checkpoint copies are skipped.
Raises :class:`grader.submission.reader.Refusal` with a message for the student.
"""
from __future__ import annotations

import posixpath
import stat
import zipfile
from pathlib import Path

from grader.i18n import _
from grader.submission import reader

CHUNK = 1024 * 1024


def extract_zip(path: Path, dest: Path, limits: reader.Limits = reader.LIMITS) -> list[str]:
    """Unpack ``path`` into the new folder ``dest``; return the notes (members skipped, why).

    Raises Refusal when the archive cannot be used at all (not a zip, a member outside the
    archive, too many files, too large once decompressed).
    """
    path, dest = Path(path), Path(dest)
    name = path.name
    notes: list[str] = []
    try:
        handle = reader.open_regular(path, name)
        with handle, zipfile.ZipFile(handle) as archive:
            members = archive.infolist()
            if len(members) > limits.entries:
                raise reader.Refusal(_("{name} has more than {count} files: zip only your "
                                       ".py files or notebooks", name=name,
                                       count=limits.entries))
            dest.mkdir(parents=True)
            total = 0
            for member in members:
                parts = _safe_parts(member.filename)
                if parts is None:
                    raise reader.Refusal(_("{name} contains a path outside the archive: "
                                           "{path}; zip your folder again from inside it",
                                           name=name, path=repr(member.filename)))
                if not parts or _skipped(parts):
                    continue
                if len(parts) - 1 > limits.depth:
                    notes.append(_("{name}: {path} is nested more than {depth} folders deep "
                                   "and was not unpacked", name=name, path="/".join(parts),
                                   depth=limits.depth))
                    continue
                mode = member.external_attr >> 16
                if member.is_dir():
                    dest.joinpath(*parts).mkdir(parents=True, exist_ok=True)
                    continue
                kind = stat.S_IFMT(mode)          # 0: the archiver did not say (a file)
                if kind and kind != stat.S_IFREG:
                    notes.append(f"{name}: " + reader.refusal_message("/".join(parts), mode))
                    continue
                target = dest.joinpath(*parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                limit = limits.file_bytes(parts[-1])
                written = 0
                with archive.open(member) as source, open(target, "xb") as out:
                    while True:
                        chunk = source.read(CHUNK)
                        if not chunk:
                            break
                        written += len(chunk)
                        total += len(chunk)
                        if total > limits.total_bytes:
                            raise reader.Refusal(_(
                                "{name} unpacks to more than {limit} MB: zip only your .py "
                                "files or notebooks", name=name,
                                limit=f"{limits.total_bytes / CHUNK:g}"))
                        if written > limit:
                            break
                        out.write(chunk)
                if written > limit:
                    target.unlink()
                    notes.append(reader.size_message(f"{name}: {'/'.join(parts)}", written,
                                                     limit) + _(" It was not unpacked."))
    except reader.Refusal:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
            NotImplementedError, RuntimeError) as exc:
        raise reader.Refusal(_("{name} is not a readable zip file ({error}); zip your folder "
                               "again", name=name, error=exc)) from None
    return notes


def _safe_parts(filename: str) -> list[str] | None:
    """The member's path as folder names, or None when it points outside the archive."""
    name = filename.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    parts = [p for p in posixpath.normpath(name).split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts) or "\0" in name:
        return None
    return parts


def _skipped(parts: list[str]) -> bool:
    """macOS and tool litter, checkpoint copies: never a student's work."""
    if any(p in reader.IGNORED_DIRS for p in parts[:-1]):
        return True
    return reader.is_litter(parts[-1]) and parts[-1] not in ("",)
