// `apply` to a member that a shape inherits from a mixin replaces the
// inherited value of that trait on the shape's copy of the member; the
// mixin's own member keeps its value.
$version: "2.0"
namespace example.applymixin

@mixin
structure Named {
    /// The name.
    @tags(["mixin"])
    name: String
}

structure Person with [Named] {
    age: Integer
}

apply Person$name @documentation("The person's name.")
apply Person$name @tags(["person"])
