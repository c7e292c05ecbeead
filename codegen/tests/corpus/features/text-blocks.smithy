$version: "2.0"

namespace example.textblocks

// Incidental whitespace (the common indentation, counting the closing
// delimiter's line) is removed; a trailing backslash joins lines.
@documentation("""
    First line.
      Indented line.

    After an empty line, \
    joined to this one.
    """)
string Doc

// Closing delimiter on the text line: no trailing newline.
@documentation("""
    No trailing newline""")
string NoNewline

// Escapes and quotes inside a text block.
@documentation("""
    Quote: " and ""; tab:\tend
    unicode: \u00e9
    """)
string Escaped

// The closing delimiter's indentation counts too.
@documentation("""
        deeper
    """)
string ClosingIndent
