$version: "2.0"

namespace example.apply

structure Item {
    name: String
    count: Integer
}

string Plain

// Single form: shapes and members.
apply Plain @documentation("applied later")
apply Item$name @required

// Block form (IDL 2.0).
apply Item$count {
    @documentation("How many")
    @range(min: 0)
}

apply Item @sensitive
