$version: "2"

namespace example.structure

structure Person {
    @required
    name: String

    age: Integer,

    // Members keep their declaration order, whatever their names.
    zeta: Boolean
    alpha: Timestamp
    friends: People
}

list People {
    member: Person
}

/// Recursion through a list is fine.
structure Tree {
    children: Forest
}

list Forest {
    member: Tree
}

structure Empty {}
