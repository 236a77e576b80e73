"""Text cut to what a platform shows in one piece."""


def split_text(text: str, limit: int) -> list[str]:
    """Returns the text in parts of at most `limit` characters, broken between lines where it
    can and inside a line only where the line alone is longer."""
    parts: list[str] = []
    for line in text.split("\n"):
        for piece in [line[i : i + limit] for i in range(0, len(line), limit)] or [""]:
            if parts and len(parts[-1]) + 1 + len(piece) <= limit:
                parts[-1] += "\n" + piece
            else:
                parts.append(piece)
    return parts
