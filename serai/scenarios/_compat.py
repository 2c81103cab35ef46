"""Until serai.errors has ``unknown``/``suggest`` on main (issue 12): the same helpers."""

from __future__ import annotations

try:
    from serai.errors import suggest, unknown
except ImportError:  # pragma: no cover - removed when issue 12 lands
    import difflib

    from serai.errors import InputError

    def suggest(value, known, n=3):
        text = str(value).strip().lower()
        names = {str(k).lower(): str(k) for k in known}
        hits = difflib.get_close_matches(text, list(names), n=n, cutoff=0.6)
        if not hits and text:
            hits = [k for k in names if k.startswith(text[:3]) or text.startswith(k)][:n]
        return [names[h] for h in hits]

    def unknown(kind, value, known, *, field=None, file=None, row=None, hints=None):
        known = sorted({str(k) for k in known})
        text = str(value)
        close = suggest(text, known)
        shown = ", ".join(known[:40]) + (f", ... ({len(known)} in all)" if len(known) > 40 else "")
        did = f"; did you mean {' or '.join(close)}?" if close else ";"
        return InputError(
            f"unknown {kind} {text!r}{did} known: {shown or 'none'}",
            field=field,
            file=file,
            row=row,
        )


__all__ = ["suggest", "unknown"]
