"""Small checks that every app's services share."""


def is_record_id(value: object) -> bool:
    """A record id as a user may type it: digits only, up to 18 (anything longer would overflow the
    database's bigint and answer an error instead of "not found")."""
    text = str(value).strip()
    return text.isascii() and text.isdigit() and len(text) <= 18
