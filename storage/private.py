"""The store's files are private: folders 0700, files 0600, whatever the umask.

A CRM holds e-mail addresses, phone numbers and notes; other accounts on the machine have no
business reading them. Modes are set explicitly after creation (a umask can only narrow the
mode `open` asks for, and a permissive one would leave group and world bits set).
"""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def open_file(path: Path, flags: int) -> int:
    """os.open with O_CREAT, the file made (or narrowed to) owner-only read and write."""
    fd = os.open(path, flags | os.O_CREAT, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
    except PermissionError:  # someone else's file we may write to: leave its mode alone
        pass
    except BaseException:
        os.close(fd)
        raise
    return fd


def make_folder(path: Path, parents: bool = False) -> None:
    """Create the folder if needed and make it owner-only (its parents are left as they are)."""
    path.mkdir(mode=FOLDER_MODE, parents=parents, exist_ok=True)
    if path.stat().st_mode & 0o777 != FOLDER_MODE:
        os.chmod(path, FOLDER_MODE)


def narrow_tree(root: Path) -> None:
    """Make an existing tree private: every folder 0700, every file 0600 (after a copy)."""
    make_folder(root)
    for folder, folders, files in os.walk(root):
        for name in folders:
            os.chmod(Path(folder) / name, FOLDER_MODE)
        for name in files:
            os.chmod(Path(folder) / name, FILE_MODE)
