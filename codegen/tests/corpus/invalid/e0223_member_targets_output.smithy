// A member may not target an @input or @output structure.
// expect: E0223 8:10
$version: "2"
namespace example.invalid

structure Holder {
    ok: String
    bad: SomeOutput
}

@output
structure SomeOutput {}
