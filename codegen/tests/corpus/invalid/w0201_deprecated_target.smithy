// Targeting a deprecated shape.
// expect: W0201 7:11
$version: "2"
namespace example.invalid

structure Holder {
    name: OldName
}

@deprecated(message: "use NewName")
string OldName
