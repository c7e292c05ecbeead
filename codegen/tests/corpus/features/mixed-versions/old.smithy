$version: "1.0"

// A 1.0 file and a 2.0 file in one model: the JSON AST says "1.0" so that
// the 1.0 shapes keep their meaning when read back.
namespace example.old

structure Legacy {
    @box
    count: Integer,
    plain: PrimitiveLong,
}

set Names {
    member: String
}
