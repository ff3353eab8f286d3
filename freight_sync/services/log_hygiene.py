"""What a failed SQL statement may say in the server log. Pure.

Odoo logs a failed statement whole, values bound (``odoo.sql_db``: "bad query: INSERT
INTO freight_invoice (...) VALUES ('INV-1042', 1250.00, ...)"), and PostgreSQL's error
adds the failing row ("DETAIL: Failing row contains (...)", "Key (name)=(...)"): what
partners sent, in a file many can read. What is kept instead: the statement's verb and
table, and the error's kind, SQLSTATE, table, column and constraint."""

import re

BAD_QUERY = "bad query: %s\nERROR: %s"
WITHHELD = "bad query: %s (values withheld)\nERROR: %s"
# the verb and the name right after it; a SELECT's table after its first FROM (a value
# can only follow a FROM inside a literal, never before the first one of a SELECT list of
# plain columns, and what is not a plain name is not shown)
_WRITE = re.compile(r"\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?([\w.]+)\"?", re.IGNORECASE)
_SELECT = re.compile(r"\s*SELECT\s[^']*?\bFROM\s+\"?([\w.]+)\"?", re.IGNORECASE)


def statement_head(query) -> str:
    """``"INSERT INTO freight_invoice"``: what a failed statement did, to what table."""
    text = query.decode(errors="replace") if isinstance(query, bytes) else str(query)
    write = _WRITE.match(text)
    if write:
        return f"{' '.join(write[1].upper().split())} {write[2]}"
    select = _SELECT.match(text)
    if select:
        return f"SELECT … FROM {select[1]}"
    return "a statement"


def error_head(error) -> str:
    """The error's kind, code, table and constraint: never its text, which can quote the
    row ("Failing row contains"), the key ("Key (name)=(...)") or a value that did not
    parse ("invalid input syntax for type numeric: ...")."""
    diag = getattr(error, "diag", None)
    parts = [f"SQLSTATE {error.pgcode}"] if getattr(error, "pgcode", None) else []
    for label, name in (("table", "table_name"), ("column", "column_name"),
                        ("constraint", "constraint_name")):
        value = getattr(diag, name, None)
        if value:
            parts.append(f"{label} {value}")
    return f"{type(error).__name__}" + (f" ({', '.join(parts)})" if parts else "")


def withhold_values(msg, args):
    """``(msg, args)`` of a log record, Odoo's failed statement made safe; any other
    record as it is."""
    if msg == BAD_QUERY and isinstance(args, tuple) and len(args) == 2:
        return WITHHELD, (statement_head(args[0]), error_head(args[1]))
    return msg, args
