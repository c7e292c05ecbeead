$version: "1.0"

namespace example.v1misc

// IDL 1.0 allows commas between members and comments anywhere.
structure Commas { a: String, b: Integer, }

@box
integer BoxedInt

structure Boxed {
    @box
    value: Integer,
    plain: PrimitiveInteger,
}

apply Commas @documentation("applied in 1.0")

apply Commas$a @required

@deprecated(message: "use something else", since: "1.1")
string Old

@timestampFormat("epoch-seconds")
timestamp When

@sensitive
@length(min: 1)
blob Secret
