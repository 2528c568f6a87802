"""Listing a `folder:PATH` dataset: which paths are image files, and which cannot be used.

Nothing is decoded here (`folder` decodes each file once and reports what fails). Symlinks
are followed, but each real folder is read once and each real file counted once; the paths
left out are `Unusable`, each with a reason that completes "image file 'x.png' in folder
'/d' ...". Imports only `names` (for `FOLDER_PREFIX`).
"""

import dataclasses
import errno
import os
import stat

from gan_zoo.data.names import FOLDER_PREFIX

IMAGE_EXTENSIONS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")


@dataclasses.dataclass(frozen=True)
class Unusable:
    """A path under a folder that is not read as an image, and why (one clause)."""

    path: str  # Relative to the folder's root; may hold surrogate escapes (non-UTF-8 names).
    reason: str  # Completes "image file 'x.png' in folder '/d' ...", e.g. "is a FIFO, ...".
    kind: str  # One of UNUSABLE_KINDS.

    @property
    def is_folder(self) -> bool:
        """Whether the path is a folder: a symlink loop, a second link to one, or unlistable."""
        return self.kind in _FOLDER_KINDS


# What `Unusable.kind` can be, with the words that count one and several ("2 reached twice").
UNUSABLE_KINDS = {
    "corrupt": ("corrupt", "corrupt"),
    "duplicate": ("reached twice", "reached twice"),
    "name": ("not UTF-8 named", "not UTF-8 named"),
    "unreadable": ("unreadable", "unreadable"),
    "loop": ("symlink loop", "symlink loops"),
    "duplicate_folder": ("symlinked folder reached twice", "symlinked folders reached twice"),
    "unlistable": ("unlistable folder", "unlistable folders"),
}
_FOLDER_KINDS = ("loop", "duplicate_folder", "unlistable")
_FILE_TYPES = {
    stat.S_IFDIR: "a directory",
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


@dataclasses.dataclass(frozen=True)
class Folder:
    """A listed `folder:PATH` dataset: its image files, classes and left-out paths."""

    root: str
    files: list[str]  # Sorted absolute paths of the files to decode.
    class_names: tuple[str, ...]  # Sorted first-level subfolders holding images; () if none.
    labels: list[int] | None  # Per file; None unless every file is inside a class subfolder.
    # Paths left out when the folder was listed (sorted by path): see `_list_folder`.
    unusable: tuple[Unusable, ...] = ()


def shown_path(relative: str) -> str:
    r"""`relative` quoted for a message: `'a/b.png'`, or `b'\xff.png'` for a non-UTF-8 name.

    Args:
        relative: a path relative to the folder (may hold surrogate escapes).

    Returns:
        Its `repr`, or that of its bytes when it is not valid UTF-8.
    """
    try:
        relative.encode("utf-8")
    except UnicodeEncodeError:  # os.walk gives undecodable bytes as surrogate escapes
        return repr(os.fsencode(relative))
    return repr(relative)


def _identity(st: os.stat_result) -> tuple[int, int] | None:
    """What makes two paths the same file or folder; None where the filesystem has no inodes."""
    return (st.st_dev, st.st_ino) if st.st_ino else None


def _list_folder(root: str) -> tuple[list[str], list[str], list[Unusable]]:
    """Lists `root` recursively: `(image paths, other files, unusable paths)`, all relative.

    Every real folder is listed once and every real file counted once, whatever the symlinks
    (a loop, a symlinked subfolder, a second link to a file, a hard link): folders reached
    through real subfolders are listed first, then the symlinked ones, level by level, so a
    file keeps its real path when it has one. The second path to a folder or file is
    `Unusable` (kinds `loop`, `duplicate_folder`, `duplicate`), as are image files whose name
    is not valid UTF-8 (`name`), that do not exist (a broken symlink), are no regular file (a
    FIFO would block the reader) or cannot be opened (`unreadable`), and folders that cannot
    be listed (`unlistable`). Nothing is decoded, and nothing is opened but image files.
    """
    images: list[str] = []
    others: list[str] = []
    unusable: list[Unusable] = []
    folders: dict[tuple[int, int], str] = {}  # identity -> relative path of its first visit
    files: dict[tuple[int, int], str] = {}
    root_identity = _identity(os.stat(root))
    if root_identity is not None:
        folders[root_identity] = "."

    def second_visit(relative: str, full: str) -> Unusable | None:
        """None for a folder not seen yet (now marked seen), else why it is left out."""
        try:
            identity = _identity(os.stat(full))
        except OSError as error:
            return Unusable(relative, f"cannot be listed ({error.strerror})", "unlistable")
        if identity is None:
            return None
        first = folders.get(identity)
        if first is None:
            folders[identity] = relative
            return None
        target, parent = os.path.realpath(full), os.path.realpath(os.path.dirname(full))
        if parent == target or parent.startswith(target.rstrip(os.sep) + os.sep):
            return Unusable(relative, f"is a symlink loop back to {shown_path(first)}", "loop")
        return Unusable(
            relative,
            f"is a symlink to {shown_path(first)}, whose files would count twice",
            "duplicate_folder",
        )

    def image_problem(relative: str, full: str) -> Unusable | None:
        try:
            relative.encode("utf-8")
        except UnicodeEncodeError:
            return Unusable(relative, "has a name that is not valid UTF-8 (rename it)", "name")
        try:
            st = os.stat(full)
        except OSError as error:
            if os.path.islink(full):
                broken = "a symlink loop" if error.errno == errno.ELOOP else "a broken symlink"
                return Unusable(relative, f"is {broken} (to {os.readlink(full)!r})", "unreadable")
            return Unusable(relative, f"cannot be read ({error.strerror})", "unreadable")
        if not stat.S_ISREG(st.st_mode):
            kind = _FILE_TYPES.get(stat.S_IFMT(st.st_mode), "a special file")
            return Unusable(relative, f"is {kind}, not a regular file", "unreadable")
        identity = _identity(st)
        if identity is not None and identity in files:
            return Unusable(
                relative,
                f"is the same file as {shown_path(files[identity])} (a symlink or hard link)",
                "duplicate",
            )
        try:
            with open(full, "rb"):
                pass
        except OSError as error:
            return Unusable(relative, f"cannot be read ({error.strerror})", "unreadable")
        if identity is not None:
            files[identity] = relative
        return None

    def list_tree(top: str) -> list[str]:
        """Lists `top` (relative) without following symlinks; returns its symlinked folders."""
        links: list[str] = []

        def unlistable(error: OSError) -> None:
            relative = os.path.relpath(error.filename, root)
            unusable.append(
                Unusable(relative, f"cannot be listed ({error.strerror})", "unlistable")
            )

        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top), onerror=unlistable):
            kept = []
            for dirname in sorted(dirnames):
                full = os.path.join(dirpath, dirname)
                relative = os.path.relpath(full, root)
                if os.path.islink(full):
                    links.append(relative)
                elif (problem := second_visit(relative, full)) is not None:
                    unusable.append(problem)  # e.g. a bind mount of an ancestor
                else:
                    kept.append(dirname)
            dirnames[:] = kept
            for filename in sorted(filenames):
                full = os.path.join(dirpath, filename)
                relative = os.path.relpath(full, root)
                if not filename.lower().endswith(IMAGE_EXTENSIONS):
                    others.append(relative)
                elif (problem := image_problem(relative, full)) is not None:
                    unusable.append(problem)
                else:
                    images.append(relative)
        return links

    level = list_tree(".")
    while level:  # symlinked folders, one level of symlinks at a time
        following = []
        for relative in sorted(level):
            problem = second_visit(relative, os.path.join(root, relative))
            if problem is not None:
                unusable.append(problem)
            else:
                following += list_tree(relative)
        level = following
    images.sort()
    unusable.sort(key=lambda entry: entry.path)
    return images, others, unusable


def scan_folder(name: str) -> Folder:
    """Lists the image files of `folder:PATH` (nothing is decoded); one line per bad folder.

    See `_list_folder` for the paths that are left out (`Folder.unusable`); the class
    subfolders and labels come from the files that are kept.

    Args:
        name: a `folder:PATH` dataset name.

    Returns:
        The `Folder`: sorted absolute paths of its image files, class names and labels.

    Raises:
        ValueError: the folder is missing, is a file, or holds no image files.
    """
    root = name[len(FOLDER_PREFIX) :]
    accepted = " ".join(IMAGE_EXTENSIONS)
    if not root or not os.path.exists(root):
        raise ValueError(
            f"folder {root!r} does not exist; {FOLDER_PREFIX}PATH needs a directory "
            f"of image files ({accepted})"
        )
    if not os.path.isdir(root):
        raise ValueError(
            f"{root!r} is a file, not a folder; {FOLDER_PREFIX}PATH needs a directory "
            f"of image files ({accepted})"
        )
    relative, others, unusable = _list_folder(root)
    if not relative and all(entry.is_folder for entry in unusable):
        if not others:
            raise ValueError(
                f"folder {root!r} is empty: it holds no image files ({accepted}, searched "
                "recursively)"
            )
        raise ValueError(
            f"folder {root!r} holds no image files ({accepted}, searched recursively), only "
            f"{len(others)} other file(s) such as {others[0]!r}"
        )
    parts = [path.split(os.sep) for path in relative]
    class_names = tuple(sorted({p[0] for p in parts if len(p) > 1}))
    labels = None
    if class_names and all(len(p) > 1 for p in parts):
        index = {c: i for i, c in enumerate(class_names)}
        labels = [index[p[0]] for p in parts]
    files = [os.path.join(os.path.abspath(root), path) for path in relative]
    return Folder(
        root=root, files=files, class_names=class_names, labels=labels, unusable=tuple(unusable)
    )
