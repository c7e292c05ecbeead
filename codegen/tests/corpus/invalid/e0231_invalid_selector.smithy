// A trait definition whose selector does not parse.
// expect: E0231 6:8
$version: "2"
namespace example.invalid

@trait(selector: "structure >> [")
structure marker {}
