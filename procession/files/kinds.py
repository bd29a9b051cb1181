"""Which files may be uploaded: Tallyfy's extension allow-list (reference 3.16), and the
content types that agree with each extension."""

from procession.errors import RuleViolation

# Extension -> the content types a client may declare for it. The first is the one served
# inline (GET file/{id}). Generic types (below) are accepted for every extension.
KINDS: dict[str, tuple[str, ...]] = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",),
    "xls": ("application/vnd.ms-excel",),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation",),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",),
    "ppt": ("application/vnd.ms-powerpoint",),
    "doc": ("application/msword",),
    "rtf": ("application/rtf", "text/rtf"),
    "pdf": ("application/pdf", "application/x-pdf"),
    "txt": ("text/plain",),
    "mpga": ("audio/mpeg", "audio/mp3"),
    "mov": ("video/quicktime",),
    "qt": ("video/quicktime",),
    "mp4": ("video/mp4", "application/mp4"),
    "webm": ("video/webm", "audio/webm"),
    "jpg": ("image/jpeg", "image/jpg", "image/pjpeg"),
    "jpeg": ("image/jpeg", "image/jpg", "image/pjpeg"),
    "gif": ("image/gif",),
    "png": ("image/png",),
    "ai": ("application/postscript", "application/illustrator", "application/pdf"),
    "psd": ("image/vnd.adobe.photoshop", "application/x-photoshop", "image/x-photoshop"),
    "zip": ("application/zip", "application/x-zip-compressed", "multipart/x-zip"),
    "xml": ("application/xml", "text/xml"),
    "xps": ("application/vnd.ms-xpsdocument", "application/oxps"),
    "dwg": ("image/vnd.dwg", "application/acad", "application/x-dwg", "image/x-dwg"),
    "csv": ("text/csv", "application/csv", "text/plain", "application/vnd.ms-excel"),
    "tif": ("image/tiff",),
    "bmp": ("image/bmp", "image/x-ms-bmp"),
}
# Declared by clients that do not know (the Tallyfy SDK sends application/octet-stream).
GENERIC = frozenset({"", "application/octet-stream", "binary/octet-stream"})


def extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def check_kind(filename: str, declared: str) -> str:
    """The content type to store for an upload named `filename` declared as `declared`.

    `RuleViolation` on `name` when the extension is not allowed, or when the declared type
    contradicts it (a `.png` sent as `application/pdf`)."""
    ext = extension(filename)
    if ext not in KINDS:
        allowed = ", ".join(sorted(KINDS))
        raise RuleViolation(
            "name", f"Files of type .{ext or '(none)'} are not allowed ({allowed})."
        )
    declared = declared.split(";", 1)[0].strip().lower()
    if declared not in GENERIC and declared not in KINDS[ext]:
        raise RuleViolation(
            "name", f"The file's content type {declared} does not match its extension .{ext}."
        )
    return KINDS[ext][0]
