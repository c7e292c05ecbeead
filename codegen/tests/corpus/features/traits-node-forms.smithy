$version: "2.0"

namespace example.traits

/// A trait for every node form.
@trait
document anything

@trait
structure config {
    name: String
    size: Integer
    items: StringList
}

list StringList {
    member: String
}

@config            // annotation form of a structure trait: {}
string Annotated

@anything("text")
string Text

@anything(42)
string Int

@anything(-1.5)
string Float

@anything(true)
string Bool

@anything(null)
string Null

@anything(["a", 1, false, null, [], {}])
string Array

@anything({ key: "value", "quoted": 1, nested: { x: [] } })
string Object

// Structured trait without braces.
@config(name: "n", size: 3, items: ["x", "y"])
string Structured

// Unquoted shape ids as node values are strings.
@anything(smithy.api#String)
string ShapeIdValue

@anything(Annotated)
string ShapeIdRelative

// Trailing commas and odd spacing.
@anything([
    1,
    2,
])
@documentation(
    "multi-line application"
)
string Spaced
